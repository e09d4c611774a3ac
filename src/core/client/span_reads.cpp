// logstore — the open placements of one read (span_reads.hpp).
#include "core/client/span_reads.hpp"

#include <algorithm>

namespace logstore {

span_reads::span_reads(time_range window, const std::vector<open_span>& spans,
                       std::vector<batch_id> planned)
  : window_(window) {
  for (auto& s : spans)
    spans_.push_back({s, {}, {}, 0});
  for (auto id : planned)
    planned_.emplace(id, true);
}

bool span_reads::assign(size_t s,
                        std::map<node_number, std::vector<id_span>>& out) {
  auto& st = spans_[s];
  for (auto r : st.span.replicas) {
    auto n = static_cast<node_number>(r);
    if (st.tried.count(n) != 0)
      continue;
    st.tried.insert(n);
    out[n].push_back({st.span.first, st.span.count});
    return true;
  }
  return false;
}

std::map<node_number, std::vector<id_span>>
span_reads::start(const std::set<node_number>& busy) {
  std::map<node_number, std::vector<id_span>> out;
  for (size_t s = 0; s < spans_.size(); ++s) {
    auto& st = spans_[s];
    uint32_t given = 0;
    // Nodes that get a fetch anyway first: the span costs no message.
    for (auto r : st.span.replicas) {
      auto n = static_cast<node_number>(r);
      if (given >= st.span.need)
        break;
      if (busy.count(n) == 0 || st.tried.count(n) != 0)
        continue;
      st.tried.insert(n);
      out[n].push_back({st.span.first, st.span.count});
      ++given;
    }
    while (given < st.span.need && assign(s, out))
      ++given;
  }
  return out;
}

void span_reads::carried(uint64_t fetch, node_number node,
                         std::vector<id_span> spans) {
  auto& f = fetches_[fetch];
  f.node = node;
  for (auto& x : spans)
    for (size_t s = 0; s < spans_.size(); ++s)
      if (spans_[s].span.first == x.first
          && std::find(f.spans.begin(), f.spans.end(), s) == f.spans.end()) {
        f.spans.push_back(s);
        ++spans_[s].pending;
      }
}

bool span_reads::on_result(uint64_t fetch, std::vector<batch_slice>& slices,
                           const std::vector<batch_id>& not_found, bool intact,
                           std::map<node_number, std::vector<id_span>>& again) {
  auto i = fetches_.find(fetch);
  if (i == fetches_.end())
    return false;
  // Network input: every slice of a span batch sorted and inside the
  // window, or the whole answer does not count.
  auto in_spans = [&](const in_flight& f, batch_id id) {
    return std::any_of(f.spans.begin(), f.spans.end(), [&](size_t s) {
      auto& x = spans_[s].span;
      return id >= x.first && id - x.first < x.count;
    });
  };
  // A copy in a span that the node could not serve (it failed its
  // checksum there): the node cannot vouch for the span.
  for (auto id : not_found)
    intact = intact
             && !(in_spans(i->second, id) && planned_.count(id) == 0);
  for (auto& slice : slices) {
    if (!in_spans(i->second, slice.batch) || planned_.count(slice.batch) != 0)
      continue;
    intact = intact
             && std::is_sorted(slice.entries.begin(), slice.entries.end(),
                               read_order_less)
             && std::all_of(slice.entries.begin(), slice.entries.end(),
                            [&](const stored_entry& e) {
                              return window_.from <= e.ts && e.ts <= window_.to;
                            });
  }
  if (!intact) {
    again = on_failure(fetch);
    return true;
  }
  auto f = std::move(i->second);
  fetches_.erase(i);
  for (auto s : f.spans) {
    auto& st = spans_[s];
    --st.pending;
    st.answered.insert(f.node);
  }
  for (auto& slice : slices) {
    auto id = slice.batch;
    if (!in_spans(f, id) || planned_.count(id) != 0 || kept_.count(id) != 0)
      continue;
    kept_.emplace(id, std::move(slice.entries));
  }
  return true;
}

std::map<node_number, std::vector<id_span>>
span_reads::on_failure(uint64_t fetch) {
  std::map<node_number, std::vector<id_span>> out;
  auto i = fetches_.find(fetch);
  if (i == fetches_.end())
    return out;
  auto f = std::move(i->second);
  fetches_.erase(i);
  for (auto s : f.spans) {
    --spans_[s].pending;
    (void) assign(s, out);
  }
  return out;
}

bool span_reads::satisfied() const {
  return std::all_of(spans_.begin(), spans_.end(), [](const span_state& s) {
    return s.answered.size() >= s.span.need;
  });
}

std::vector<std::vector<stored_entry>> span_reads::take_entries() {
  std::vector<std::vector<stored_entry>> out;
  out.reserve(kept_.size());
  for (auto& [id, entries] : kept_)
    out.push_back(std::move(entries));
  kept_.clear();
  return out;
}

} // namespace logstore
