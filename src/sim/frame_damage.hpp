// logstore — damage in transit for the simulated network ([network] corrupt,
// docs/simulation.md): one bit of one batch frame in a store_req, a store_many_req or a
// fetch_result is flipped. The receiver's CRC32C check must catch it (every
// one-bit error changes a CRC32C), so the checker never sees the damage as
// data: a store is refused with corrupt_frame and sent again, a reader asks
// another replica.
// Layer: sim.
#pragma once

#include "core/base/prng.hpp"

#include <caf/message.hpp>
#include <caf/type_erased_tuple.hpp>

#include <optional>

namespace logstore::sim {

/// A copy of `content` with one bit of one frame flipped, drawn from `rng`;
/// nullopt (and nothing drawn) when it carries no frame.
std::optional<caf::message> damage_frame(const caf::type_erased_tuple& content,
                                         prng& rng);

} // namespace logstore::sim
