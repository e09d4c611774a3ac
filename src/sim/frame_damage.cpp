// logstore — damage in transit (see frame_damage.hpp).
#include "sim/frame_damage.hpp"

#include "core/base/messages.hpp"

#include <caf/all.hpp>

#include <string>

namespace logstore::sim {

namespace {

void flip_one_bit(std::string& frame, prng& rng) {
  auto bit = rng.below(frame.size() * 8);
  frame[bit / 8] = static_cast<char>(frame[bit / 8] ^ (1 << (bit % 8)));
}

} // namespace

std::optional<caf::message> damage_frame(const caf::type_erased_tuple& content,
                                         prng& rng) {
  if (content.size() != 1)
    return std::nullopt;
  if (content.match_element<store_req>(0)) {
    auto req = content.get_as<store_req>(0);
    if (req.frame.empty())
      return std::nullopt;
    flip_one_bit(req.frame, rng);
    return caf::make_message(std::move(req));
  }
  if (content.match_element<store_many_req>(0)) {
    auto req = content.get_as<store_many_req>(0);
    if (req.stores.empty())
      return std::nullopt;
    auto& frame = req.stores[rng.below(req.stores.size())].frame;
    if (frame.empty())
      return std::nullopt;
    flip_one_bit(frame, rng);
    return caf::make_message(std::move(req));
  }
  if (content.match_element<fetch_result>(0)) {
    auto res = content.get_as<fetch_result>(0);
    if (res.frames.empty())
      return std::nullopt;
    auto& frame = res.frames[rng.below(res.frames.size())];
    if (frame.empty())
      return std::nullopt;
    flip_one_bit(frame, rng);
    return caf::make_message(std::move(res));
  }
  return std::nullopt;
}

} // namespace logstore::sim
