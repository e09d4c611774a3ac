// logstore — choosing the storage nodes that get a batch.
// Layer: core (std only; no CAF, no clock). The only randomness is the prng
// passed in, so a seed fixes every choice.
//
// Shape: order all candidates by the policy, then walk that order twice:
// first taking at most one node per zone, then filling the remaining slots.
// A candidate without a zone counts as a zone of its own (its failure domain
// is unknown, so it is as good as any unused zone). Without zones the first
// walk simply takes the policy order.
#include "core/master/placement.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

namespace logstore {

namespace {

using candidate_list = std::vector<placement_candidate>;

bool has_zones(const candidate_list& candidates) {
  return std::any_of(candidates.begin(), candidates.end(),
                     [](const auto& x) { return !x.zone.empty(); });
}

bool distinct_nodes(std::vector<node_number> nodes) {
  std::sort(nodes.begin(), nodes.end());
  return std::adjacent_find(nodes.begin(), nodes.end()) == nodes.end();
}

/// Partial Fisher-Yates: afterwards xs[0, prefix) is a uniform random
/// selection (in random order) of the elements of xs. Draws exactly
/// min(prefix, xs.size() - 1) numbers, in a fixed order.
void shuffle_prefix(candidate_list& xs, size_t prefix, prng& rng) {
  for (size_t i = 0; i < prefix && i + 1 < xs.size(); ++i) {
    auto j = i + static_cast<size_t>(rng.below(xs.size() - i));
    LOGSTORE_ASSERT(j >= i);
    LOGSTORE_ASSERT(j < xs.size());
    std::swap(xs[i], xs[j]);
  }
}

void sort_by_load(candidate_list& xs) {
  std::sort(xs.begin(), xs.end(), [](const auto& x, const auto& y) {
    return std::tie(x.bytes, x.node) < std::tie(y.bytes, y.node);
  });
}

/// The candidates in the order the policy prefers them. Only the first
/// `needed` positions are meaningful for the random policy.
candidate_list policy_order(placement_policy policy,
                            const candidate_list& candidates, size_t needed,
                            prng& rng) {
  auto result = candidates;
  switch (policy) {
    case placement_policy::random:
      shuffle_prefix(result, needed, rng);
      break;
    case placement_policy::least_loaded:
      sort_by_load(result);
      break;
  }
  return result;
}

/// First walk: the first node (in `ordered`) of each zone not used yet.
void pick_one_per_zone(const candidate_list& ordered, size_t count,
                       std::vector<bool>& taken,
                       std::vector<node_number>& result) {
  std::set<std::string> zones_used;
  for (size_t i = 0; i < ordered.size() && result.size() < count; ++i) {
    const auto& x = ordered[i];
    if (!x.zone.empty() && !zones_used.insert(x.zone).second)
      continue;
    taken[i] = true;
    result.push_back(x.node);
  }
}

/// Second walk: any node not taken yet, in policy order.
void fill_remaining(const candidate_list& ordered, size_t count,
                    std::vector<bool>& taken,
                    std::vector<node_number>& result) {
  for (size_t i = 0; i < ordered.size() && result.size() < count; ++i) {
    if (taken[i])
      continue;
    taken[i] = true;
    result.push_back(ordered[i].node);
  }
}

std::vector<node_number> nodes_of(const candidate_list& candidates) {
  std::vector<node_number> result;
  result.reserve(candidates.size());
  for (const auto& x : candidates)
    result.push_back(x.node);
  return result;
}

} // namespace

std::vector<node_number>
choose_replicas(placement_policy policy,
                const std::vector<placement_candidate>& candidates,
                size_t count, prng& rng) {
  LOGSTORE_ASSERT(distinct_nodes(nodes_of(candidates)));
  auto wanted = std::min(count, candidates.size());
  // With zones the first walk may skip nodes, so the whole order matters.
  auto zoned = has_zones(candidates);
  auto ordered = policy_order(policy, candidates,
                              zoned ? candidates.size() : wanted, rng);
  std::vector<node_number> result;
  result.reserve(wanted);
  std::vector<bool> taken(ordered.size(), false);
  pick_one_per_zone(ordered, wanted, taken, result);
  fill_remaining(ordered, wanted, taken, result);
  LOGSTORE_ASSERT(result.size() == wanted);
  LOGSTORE_ASSERT(distinct_nodes(result));
  return result;
}

} // namespace logstore
