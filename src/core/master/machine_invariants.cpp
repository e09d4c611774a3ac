// logstore — the master's invariants (master_state.hpp), checked after every
// step when master_options::check_invariants is on (tests, debug builds,
// `logstore sim --check-invariants`). O(index + pending writes + members).
#include "core/master/master_state.hpp"

#include <unordered_set>

namespace logstore {

namespace {

std::string batch_text(batch_id id) {
  return "batch " + std::to_string(id);
}

std::string check_members(const master_state& st) {
  std::unordered_set<std::string> names;
  for (size_t n = 0; n < st.members.size(); ++n) {
    auto& m = st.members[n];
    if (m.removed)
      continue; // its name may be taken again by a new member
    if (!names.insert(m.name).second)
      return "invariant 2: member name " + m.name + " appears twice";
    auto i = st.member_numbers.find(m.name);
    if (i == st.member_numbers.end() || i->second != n)
      return "invariant 2: member_numbers does not map " + m.name + " to "
             + std::to_string(n);
  }
  for (auto& [name, n] : st.member_numbers)
    if (n >= st.members.size() || st.members[n].name != name
        || st.members[n].removed)
      return "invariant 2: member_numbers names " + name
             + ", which is not that member";
  return {};
}

std::string check_pending(const master_state& st) {
  auto quorum = st.cfg.effective_write_quorum();
  for (auto& [id, pw] : st.pending_writes) {
    if (pw.id != id)
      return "pending write keyed " + batch_text(id) + " is " + batch_text(pw.id);
    if (st.index.find(id) != nullptr && !pw.acked)
      return "invariant 1: " + batch_text(id)
             + " is indexed but its write is not acknowledged";
    if (pw.acked && pw.acked_with < quorum)
      return "invariant 6: " + batch_text(id) + " was acknowledged with "
             + std::to_string(pw.acked_with) + " of " + std::to_string(quorum)
             + " copies";
    if (pw.acked)
      continue;
    auto* seen = find_outcome(st, pw.client, pw.seq);
    if (seen != nullptr
        && (seen->st != dedup_table::state::in_progress || seen->batch != id))
      return "invariant 3: the write of " + batch_text(id)
             + " is pending but the dedup memory says otherwise";
  }
  return {};
}

std::string check_index(const master_state& st) {
  std::string broken;
  st.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (!broken.empty())
      return;
    for (uint8_t i = 0; i < meta.replicas.count; ++i) {
      auto r = meta.replicas.nodes[i];
      if (r >= st.members.size() || st.members[r].removed) {
        broken = "invariant 7: " + batch_text(id) + " lists node number "
                 + std::to_string(r) + ", not a member";
        return;
      }
      for (uint8_t j = 0; j < i; ++j)
        if (meta.replicas.nodes[j] == r) {
          broken = "invariant 7: " + batch_text(id) + " lists "
                   + st.members[r].name + " twice";
          return;
        }
    }
  });
  return broken;
}

} // namespace

std::string check_invariants(const master_state& st) {
  if (auto x = check_members(st); !x.empty())
    return x;
  if (auto x = check_pending(st); !x.empty())
    return x;
  if (auto x = check_index(st); !x.empty())
    return x;
  for (auto& name : st.unreported)
    if (!st.number_of(name))
      return "invariant 4: unreported " + name + " is not a member";
  if (!st.uncertain() && !st.restart_pairs.empty())
    return "invariant 4: restart_pairs holds "
           + std::to_string(st.restart_pairs.size())
           + " pairs while every member has reported";
  return {};
}

} // namespace logstore
