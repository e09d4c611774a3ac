// logstore — the two storage engines behind batch_store.
#include "core/storage/batch_store.hpp"

#include "core/storage/entry_store.hpp"

#include <algorithm>
#include <limits>

namespace logstore {

bool info_of(batch_id id, const std::vector<stored_entry>& entries,
             batch_info& out);

std::vector<batch_id> batch_store::ids_after(batch_id cursor,
                                             size_t n) const {
  auto all = ids();
  auto first = std::upper_bound(all.begin(), all.end(), cursor);
  std::vector<batch_id> out;
  out.reserve(std::min(n, all.size()));
  for (auto i = first; out.size() < n && out.size() < all.size(); ++i) {
    if (i == all.end())
      i = all.begin();
    out.push_back(*i);
  }
  return out;
}

namespace {

constexpr time_range everything{std::numeric_limits<timestamp_us>::min(),
                                std::numeric_limits<timestamp_us>::max()};

class memory_store final : public batch_store {
public:
  put_status put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 std::vector<stored_entry> entries) override {
    return of(store_.put(id, min_ts, max_ts, entries));
  }
  put_status put_frame(std::string frame) override {
    return of(store_.put_frame(std::move(frame)));
  }
  bool contains(batch_id id) const override {
    return store_.contains(id);
  }
  bool overlaps(batch_id id, time_range r) const override {
    return store_.overlaps(id, r);
  }
  std::vector<batch_id> overlapping(time_range r) const override {
    return store_.overlapping(r);
  }
  slice_status frame(batch_id id, std::string& out) override {
    return of(store_.frame(id, out));
  }
  slice_status slice(batch_id id, time_range r,
                     std::vector<stored_entry>& out) override {
    return of(store_.slice(id, r, out));
  }
  bool erase(batch_id id) override {
    return store_.erase(id);
  }
  std::vector<batch_id> ids() const override {
    return store_.ids();
  }
  bool digest(batch_id id, uint64_t& out) override {
    return store_.digest(id, out) == entry_store::read_result::ok;
  }
  bool info(batch_id id, batch_info& out) override {
    return store_.info(id, out);
  }
  uint64_t batches() const override {
    return store_.batches();
  }
  uint64_t bytes() const override {
    return store_.bytes();
  }
  bool unsynced() const override {
    return false;
  }
  bool sync() override {
    return true;
  }
  std::vector<batch_id> take_lost() override {
    return store_.take_corruptions();
  }
  std::string_view kind() const override {
    return "memory";
  }

private:
  static put_status of(entry_store::put_result r) {
    switch (r) {
      case entry_store::put_result::stored: return put_status::stored;
      case entry_store::put_result::duplicate: return put_status::duplicate;
      case entry_store::put_result::corrupt: return put_status::corrupt;
    }
    return put_status::failed;
  }
  static slice_status of(entry_store::read_result r) {
    switch (r) {
      case entry_store::read_result::ok: return slice_status::ok;
      case entry_store::read_result::not_found: return slice_status::not_found;
      case entry_store::read_result::corrupt: return slice_status::corrupt;
    }
    return slice_status::corrupt;
  }

  entry_store store_;
};

class durable_store final : public batch_store {
public:
  durable_store(disk& d, segment_store_options opts,
                segment_store::recovery_report& report)
    : store_(d, opts) {
    report = store_.recover();
    lost_ = report.affected;
  }
  put_status put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 std::vector<stored_entry> entries) override {
    return of(store_.put(id, min_ts, max_ts, entries));
  }
  put_status put_frame(std::string frame) override {
    return of(store_.put_frame(frame));
  }
  bool contains(batch_id id) const override {
    return store_.contains(id);
  }
  bool overlaps(batch_id id, time_range r) const override {
    return store_.overlaps(id, r);
  }
  std::vector<batch_id> overlapping(time_range r) const override {
    return store_.overlapping(r);
  }
  slice_status frame(batch_id id, std::string& out) override {
    return of(store_.frame(id, out));
  }
  slice_status slice(batch_id id, time_range r,
                     std::vector<stored_entry>& out) override {
    return of(store_.slice(id, r, out));
  }
  bool erase(batch_id id) override {
    return store_.erase(id).erased;
  }
  std::vector<batch_id> ids() const override {
    return store_.ids();
  }
  std::vector<batch_id> ids_after(batch_id cursor, size_t n) const override {
    return store_.ids_after(cursor, n);
  }
  bool digest(batch_id id, uint64_t& out) override {
    std::vector<stored_entry> entries;
    if (store_.slice(id, everything, entries)
        != segment_store::read_result::ok)
      return false;
    out = digest_of(entries);
    return true;
  }
  bool info(batch_id id, batch_info& out) override {
    // Reads the frame back (verifying its CRC): O(data) for a whole block
    // report. The segment index could keep these fields instead.
    std::vector<stored_entry> entries;
    return store_.slice(id, everything, entries)
             == segment_store::read_result::ok
           && info_of(id, entries, out);
  }
  uint64_t batches() const override {
    return store_.batches();
  }
  uint64_t bytes() const override {
    return store_.bytes();
  }
  bool unsynced() const override {
    return store_.unsynced_bytes() > 0;
  }
  bool sync() override {
    return store_.sync() == disk_status::ok;
  }
  std::vector<batch_id> take_lost() override {
    auto out = std::move(lost_);
    lost_.clear();
    for (auto id : store_.take_read_corruptions())
      out.push_back(id);
    return out;
  }
  std::string_view kind() const override {
    return "durable";
  }

private:
  static put_status of(segment_store::put_result r) {
    switch (r) {
      case segment_store::put_result::stored: return put_status::stored;
      case segment_store::put_result::duplicate: return put_status::duplicate;
      case segment_store::put_result::no_space: return put_status::full;
      case segment_store::put_result::corrupt: return put_status::corrupt;
      case segment_store::put_result::invalid:
      case segment_store::put_result::too_large:
      case segment_store::put_result::io_error: return put_status::failed;
    }
    return put_status::failed;
  }
  static slice_status of(segment_store::read_result r) {
    switch (r) {
      case segment_store::read_result::ok: return slice_status::ok;
      case segment_store::read_result::not_found:
        return slice_status::not_found;
      case segment_store::read_result::corrupt:
      case segment_store::read_result::io_error:
        return slice_status::corrupt;
    }
    return slice_status::corrupt;
  }

  segment_store store_;
  std::vector<batch_id> lost_;
};

} // namespace

bool info_of(batch_id id, const std::vector<stored_entry>& entries,
             batch_info& out) {
  if (entries.empty())
    return false;
  out.batch = id;
  out.min_ts = entries.front().ts;
  out.max_ts = entries.back().ts;
  out.entries = static_cast<uint32_t>(entries.size());
  uint64_t bytes = 0;
  for (auto& e : entries)
    bytes += entry_bytes(e);
  out.bytes = static_cast<uint32_t>(bytes);
  out.client = entries.front().client;
  out.seq = entries.front().seq;
  return true;
}

std::unique_ptr<batch_store> make_memory_store() {
  return std::make_unique<memory_store>();
}

std::unique_ptr<batch_store>
make_durable_store(disk& d, segment_store_options opts,
                   segment_store::recovery_report& report) {
  return std::make_unique<durable_store>(d, opts, report);
}

} // namespace logstore
