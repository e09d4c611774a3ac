// logstore — building the checker's model of a history, and the texts of
// violation examples.
// Layer: core, internal to the checker. Standard library only.
#include "core/checker_model.hpp"

#include "core/assert.hpp"

#include <algorithm>

namespace logstore::checker_detail {

size_t entry_key_hash::operator()(const entry_key& k) const noexcept {
  // Mix the three fields, then finalise with murmur3's fmix64.
  uint64_t h = k.client * 0x9e3779b97f4a7c15ULL;
  h ^= k.seq + 0x7f4a7c159e3779b9ULL + (h << 6) + (h >> 2);
  h ^= uint64_t{k.index} + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<size_t>(h);
}

namespace {

/// Pairs each invoke with the next completion of the same process. A second
/// invoke on a process abandons the first (it stays without completion); a
/// completion with no open invoke, or with another f, is ignored.
void pair_operations(model& m) {
  struct open_op {
    bool is_read;
    size_t pos;
  };
  std::unordered_map<uint64_t, open_op> open;
  for (size_t i = 0; i < m.events.size(); ++i) {
    const auto& ev = m.events[i];
    if (ev.f == op_fn::nemesis)
      continue;
    bool is_read = ev.f != op_fn::append;
    auto& list = is_read ? m.reads : m.appends;
    if (ev.type == op_type::invoke) {
      open[ev.process] = open_op{is_read, list.size()};
      list.push_back(operation{i, no_event});
      continue;
    }
    auto it = open.find(ev.process);
    if (it == open.end() || it->second.is_read != is_read)
      continue;
    auto& op = list[it->second.pos];
    if (m.events[op.invoke].f != ev.f)
      continue;
    LOGSTORE_ASSERT(op.invoke < i);
    op.completion = i;
    open.erase(it);
  }
}

write_status status_of(const model& m, const operation& op) {
  if (m.ended(op, op_type::ok))
    return write_status::acked;
  if (m.ended(op, op_type::fail))
    return write_status::failed;
  return write_status::unknown; // info, or never completed
}

void record_write(written_entry& w, const operation& op, write_status status) {
  w.status = std::min(w.status, status);
  if (status == write_status::acked
      && (w.ack == no_event || op.completion < w.ack)) {
    w.ack = op.completion;
    w.ack_invoke = op.invoke;
  }
  if (status == write_status::failed && w.failure == no_event)
    w.failure = op.completion;
}

void index_writes(model& m) {
  size_t total = 0;
  for (const auto& op : m.appends)
    total += m.events[op.invoke].entries.size();
  m.written.reserve(total);
  for (const auto& op : m.appends) {
    auto status = status_of(m, op);
    for (const auto& e : m.events[op.invoke].entries) {
      auto [it, fresh] = m.written.try_emplace(key_of(e));
      if (fresh) {
        it->second.ref = &e;
        it->second.invoke = op.invoke;
        it->second.status = status;
      }
      record_write(it->second, op, status);
    }
  }
}

/// Lists each acked entry once, at its earliest ok, in ack order.
void list_acked(model& m) {
  std::vector<const operation*> oks;
  for (const auto& op : m.appends)
    if (m.ended(op, op_type::ok))
      oks.push_back(&op);
  std::sort(oks.begin(), oks.end(), [](auto* x, auto* y) {
    return x->completion < y->completion;
  });
  for (const auto* op : oks) {
    for (const auto& e : m.events[op->invoke].entries) {
      auto it = m.written.find(key_of(e));
      LOGSTORE_ASSERT(it != m.written.end());
      auto& w = it->second;
      LOGSTORE_ASSERT(w.status == write_status::acked);
      if (w.ack != op->completion || w.acked != no_event)
        continue;
      w.acked = m.acked.size();
      m.acked.push_back(
        acked_entry{key_of(e), w.ref->ts, w.ack, w.ack_invoke, &w});
    }
  }
}

} // namespace

model build_model(const history& h) {
  model m{h.events(), {}, {}, {}, {}};
  pair_operations(m);
  index_writes(m);
  list_acked(m);
  LOGSTORE_ASSERT(m.acked.size() <= m.written.size());
  return m;
}

report::report(check_result& result, size_t examples_max)
  : result_(result), examples_max_(examples_max) {
  result_.properties.clear();
  for (const auto& name : all_properties())
    result_.properties.push_back(property_result{name, true, 0, {}});
  LOGSTORE_ASSERT(result_.properties.size()
                  == static_cast<size_t>(property::reads_honest) + 1);
}

std::string format_time(time_us t) {
  std::string out = t < 0 ? "-" : "";
  uint64_t u = t < 0 ? uint64_t{0} - static_cast<uint64_t>(t)
                     : static_cast<uint64_t>(t);
  auto ms = std::to_string((u / 1000) % 1000);
  out += std::to_string(u / 1'000'000);
  out += '.';
  out.append(3 - ms.size(), '0');
  out += ms;
  out += 's';
  return out;
}

std::string format_id(const entry_key& k) {
  return std::to_string(k.client) + ':' + std::to_string(k.seq) + ':'
         + std::to_string(k.index);
}

std::string format_range(const time_range& r) {
  return '[' + std::to_string(r.from) + ", " + std::to_string(r.to) + ']';
}

std::string describe_read(const model& m, const operation& op) {
  const auto& inv = m.at(op.invoke);
  std::string out = inv.f == op_fn::final_read ? "final read #" : "read #";
  out += std::to_string(op.invoke);
  out += " of " + format_range(inv.range);
  out += " (invoked t=" + format_time(inv.time) + ')';
  return out;
}

std::string describe_append(const model& m, size_t invoke, size_t completion) {
  std::string out = "append #" + std::to_string(invoke);
  if (completion == no_event)
    return out + " (invoked t=" + format_time(m.at(invoke).time)
           + ", never completed)";
  const auto& done = m.at(completion);
  out += " (" + std::string{to_string(done.type)} + " #"
         + std::to_string(completion) + " at t=" + format_time(done.time);
  if (done.type != op_type::ok)
    out += ": " + std::string{to_string(done.error)};
  return out + ')';
}

} // namespace logstore::checker_detail
