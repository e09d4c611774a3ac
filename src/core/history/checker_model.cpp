// logstore — building the checker's model of a history, and the texts of
// violation examples.
// Layer: core, internal to the checker. Standard library only.
#include "core/history/checker_model.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <unordered_map>

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

/// Smallest power of two >= `n` (and >= 16).
size_t round_up_pow2(size_t n) {
  size_t out = 16;
  while (out < n)
    out *= 2;
  return out;
}

/// Nonzero fingerprint from the high bits (the low bits pick the slot).
uint32_t fingerprint_of(size_t h) {
  return static_cast<uint32_t>(static_cast<uint64_t>(h) >> 32) | 1u;
}

} // namespace

size_t entry_table::find(const entry_key& k,
                         const std::vector<written_entry>& records) const {
  if (slots_.empty())
    return no_event;
  auto h = entry_key_hash{}(k);
  auto fp = fingerprint_of(h);
  size_t mask = slots_.size() - 1;
  // Load <= 1/2 guarantees an empty slot, so the probe ends.
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const auto& s = slots_[i];
    if (s.fingerprint == 0)
      return no_event;
    if (s.fingerprint == fp && records[s.pos].key == k)
      return s.pos;
  }
}

void entry_table::insert(const entry_key& k, size_t pos,
                         const std::vector<written_entry>& records) {
  LOGSTORE_ASSERT(pos < UINT32_MAX);
  LOGSTORE_ASSERT(records[pos].key == k);
  if (2 * (size_ + 1) > slots_.size())
    rebuild(round_up_pow2(4 * (size_ + 1)), records);
  auto h = entry_key_hash{}(k);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].fingerprint != 0)
    i = (i + 1) & mask;
  slots_[i] = slot{fingerprint_of(h), static_cast<uint32_t>(pos)};
  ++size_;
}

void entry_table::reserve(size_t n, const std::vector<written_entry>& records) {
  if (2 * n > slots_.size())
    rebuild(round_up_pow2(2 * n), records);
}

void entry_table::rebuild(size_t capacity,
                          const std::vector<written_entry>& records) {
  LOGSTORE_ASSERT(capacity >= 2 * size_);
  auto old = std::move(slots_);
  slots_.assign(capacity, slot{});
  size_t mask = capacity - 1;
  for (const auto& s : old) {
    if (s.fingerprint == 0)
      continue;
    size_t i = entry_key_hash{}(records[s.pos].key) & mask;
    while (slots_[i].fingerprint != 0)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

size_t model::find(const entry_key& k, size_t hint) const {
  if (hint != no_event && hint + 1 < written.size()
      && written[hint + 1].key == k)
    return hint + 1;
  return table.find(k, written);
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
  m.table.reserve(total, m.written);
  for (const auto& op : m.appends) {
    auto status = status_of(m, op);
    size_t pos = no_event;
    for (const auto& e : m.events[op.invoke].entries) {
      auto k = key_of(e);
      pos = m.find(k, pos);
      if (pos == no_event) {
        pos = m.written.size();
        m.written.push_back(written_entry{});
        auto& w = m.written.back();
        w.key = k;
        w.ref = &e;
        w.invoke = op.invoke;
        w.status = status;
        m.table.insert(k, pos, m.written);
      }
      record_write(m.written[pos], op, status);
    }
  }
}

/// Lists each acked entry once, at its earliest ok, in ack order.
void list_acked(model& m) {
  std::vector<const operation*> oks;
  m.acked.reserve(m.written.size()); // at most one per written entry
  for (const auto& op : m.appends)
    if (m.ended(op, op_type::ok))
      oks.push_back(&op);
  std::sort(oks.begin(), oks.end(), [](auto* x, auto* y) {
    return x->completion < y->completion;
  });
  for (const auto* op : oks) {
    size_t pos = no_event;
    for (const auto& e : m.events[op->invoke].entries) {
      pos = m.find(key_of(e), pos);
      LOGSTORE_ASSERT(pos != no_event);
      auto& w = m.written[pos];
      LOGSTORE_ASSERT(w.status == write_status::acked);
      if (w.ack != op->completion || w.acked != no_event)
        continue;
      w.acked = m.acked.size();
      m.acked.push_back(
        acked_entry{w.key, w.ref->ts, w.ack, w.ack_invoke, pos});
    }
  }
}

} // namespace

model build_model(const history& h) {
  model m{h.events()};
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
