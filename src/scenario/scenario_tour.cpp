// logstore — the built-in tour: a short, eventful scenario that shows the
// main ideas in one run (`logstore sim --tour`).
// Layer: sim (scenario library, no CAF). Written as scenario-file text and
// parsed, so the tour is also a worked example of the format.
#include "core/base/assert.hpp"
#include "scenario/scenario.hpp"

namespace logstore::sim {

namespace {

constexpr std::string_view tour_text = R"(# The tour: 20 simulated seconds of
# appends and reads while things break.
#  4s  storage-2 crashes while batches are being replicated to it; the
#      master's store_timeout fires and it places those copies elsewhere.
#  8s  storage-2 restarts with empty memory and rejoins.
# 11s  the link master <-> storage-4 is cut for 3 s: heartbeats stop, the
#      master suspects storage-4, then the link heals.
# all  1% of all messages are lost; clients retry with the same (client,
#      seq), and the store keeps exactly one copy of each batch.
# At the end a final read must return every acknowledged entry.
[scenario]
name        = "tour"
description = "A crash, a brief partition, 1% loss; no acked entry lost."
seed        = 1
duration    = "20s"
settle      = "3s"

[cluster]
storage_nodes      = 5
replication_factor = 3
write_quorum       = 2

[network]
latency      = "2ms"
jitter       = "1ms"
distribution = "uniform"
loss         = "1%"

[workload]
clients     = 3
rate        = 100
batch_size  = 10
entry_bytes = 64
read_share  = 0.1
read_window = "2s"
final_read  = true

[[fault]]
at       = "4s"
action   = "crash"
target   = "storage-2"
duration = "4s"

[[fault]]
at       = "11s"
action   = "partition"
groups   = [["master"], ["storage-4"]]
duration = "3s"

[expect]
invariants       = ["all"]
min_availability = 0.9
)";

} // namespace

std::string_view builtin_tour_toml() {
  return tour_text;
}

scenario builtin_tour() {
  auto outcome = parse_scenario_text(std::string{tour_text}, "<built-in>");
  LOGSTORE_ASSERT_MSG(outcome.value.has_value(), outcome.error.c_str());
  return std::move(*outcome.value);
}

} // namespace logstore::sim
