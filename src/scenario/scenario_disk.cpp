// logstore — the [disk] section of a scenario: how storage nodes keep their
// copies, and what a crash does to what was not yet synced.
#include "scenario/scenario_reader.hpp"

#include <limits>

namespace logstore::sim {

void detail::read_disk_section(parse_context& ctx, table_reader& root,
                               scenario& s) {
  auto* table = section(root, "disk");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "disk"};
  r.allow_only({"mode", "fsync", "fsync_interval", "fsync_latency", "crash",
                "capacity", "segment_bytes"});
  auto& d = s.disk;
  size_t mode = d.durable ? 0 : 1;
  r.choice("mode", {"durable", "memory"}, mode);
  d.durable = mode == 0;
  size_t fsync = d.fsync;
  r.choice("fsync", {"always", "interval", "never"}, fsync);
  d.fsync = static_cast<uint8_t>(fsync);
  r.duration("fsync_interval", d.fsync_interval, 1, 60'000'000);
  r.duration("fsync_latency", d.fsync_latency, 0, 10'000'000);
  size_t crash = d.crash;
  r.choice("crash", {"lose-unsynced", "torn", "zero-fill"}, crash);
  d.crash = static_cast<uint8_t>(crash);
  int64_t capacity = static_cast<int64_t>(d.capacity);
  r.integer("capacity", capacity, 0, std::numeric_limits<int64_t>::max());
  d.capacity = static_cast<uint64_t>(capacity);
  int64_t segment = static_cast<int64_t>(d.segment_bytes);
  r.integer("segment_bytes", segment, 4096, int64_t{1} << 34);
  d.segment_bytes = static_cast<uint64_t>(segment);
}

} // namespace logstore::sim
