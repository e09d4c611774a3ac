// logstore — choosing the storage nodes that get a batch.
// Layer: core. Pure: candidates in, chosen node numbers out.
#pragma once

#include "core/master/batch_index.hpp"
#include "core/base/config.hpp"
#include "core/base/prng.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

struct placement_candidate {
  node_number node = 0;
  uint64_t bytes = 0;   ///< load: payload bytes held (as last reported/known)
  std::string zone;     ///< empty = no zone
};

/// Picks up to `count` distinct nodes from `candidates` (all of them live and
/// eligible; the caller filters). Never returns a node twice.
///  - random: a seeded uniform choice without replacement.
///  - least_loaded: fewest bytes first, ties broken by node number.
/// When zones are set, nodes in zones not yet used are preferred, so replicas
/// spread over as many distinct zones as there are.
/// REQUIRES: candidates hold distinct node numbers.
std::vector<node_number>
choose_replicas(placement_policy policy,
                const std::vector<placement_candidate>& candidates,
                size_t count, prng& rng);

} // namespace logstore
