// logstore — a scenario: cluster, network, workload, fault timeline, and the
// invariants expected. Parsed from TOML (scenarios/*.toml, docs/scenarios.md).
// Layer: sim. No CAF here: the parser and the random schedule are pure and
// unit-tested in tests/core.
#pragma once

#include "core/base/config.hpp"
#include "core/base/prng.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logstore::sim {

enum class latency_distribution : uint8_t { constant, uniform, normal, pareto };

std::string_view to_string(latency_distribution x);

/// Parses "constant", "uniform", "normal" or "pareto"; false otherwise.
bool from_string(std::string_view str, latency_distribution& x);

/// Behaviour of a link (or the default for every link).
struct link_profile {
  time_us latency = 1'000;  ///< mean one-way delay. Default: 1 ms
  time_us jitter = 0;       ///< spread around the mean. Default: 0
  latency_distribution distribution = latency_distribution::constant;
  double loss = 0;          ///< probability a message is dropped, 0..1
  double duplicate = 0;     ///< probability a message is delivered twice
  double reorder = 0;       ///< probability a message skips the FIFO order
                            ///< (otherwise per-link FIFO, like TCP)
  /// Probability that a message carrying batch frames (store_req,
  /// fetch_result) arrives with one bit of one frame flipped (damage in
  /// transit that TCP's checksum missed, or in the sender's memory).
  double corrupt = 0;
};

enum class fault_action : uint8_t {
  crash,      ///< target's actors die; memory lost
  restart,    ///< target comes back (storage: empty memory; rejoins)
  pause,      ///< target freezes: receives nothing, sends nothing
  resume,     ///< ends a pause
  slow,       ///< every message to/from target gets extra latency
  partition,  ///< cut links between groups (symmetric or one-way)
  heal,       ///< remove every partition (and every link override)
  latency,    ///< override latency on links of target / between a pair
  loss,       ///< override loss on links of target / between a pair
  duplicate,  ///< override duplication on links of target / between a pair
  join,       ///< a spare storage node starts and joins (bootstrap)
  drain,      ///< the operator drains target: its batches move away
  disk_corrupt,   ///< flip a random synced bit on target's disk
  disk_misdirect, ///< target's next write lands at a wrong place
  disk_full,      ///< target's disk refuses writes (until duration ends)
  disk_slow,      ///< target's fsync takes `latency` (until duration ends)
  disk_lost,      ///< target stops, its disk is replaced by an empty one,
                  ///< it comes back after duration as a new incarnation
  clock,          ///< target's own clock steps by clock_step and runs
                  ///< clock_drift_ppm fast (or slow) until duration ends
};

std::string_view to_string(fault_action x);

/// Parses an action name as written in scenario files ("crash", ...).
bool from_string(std::string_view str, fault_action& x);

/// One timeline event. Which fields an action uses (the parser rejects the
/// others; docs/scenarios.md has the table):
///  crash, restart, pause, resume: target
///  slow:      target, extra_latency
///  partition: groups (>= 2 after parsing: a single group written in the file
///             gets "every other node" as its second group; nodes in no group
///             keep all their links), one_way
///  heal:      nothing
///  latency:   target or between; profile.latency, profile.jitter
///  loss:      target or between; value (= profile.loss)
///  duplicate: target or between; value (= profile.duplicate)
/// `profile` always starts as the scenario's [network] profile with the
/// fault's own values applied, so it can replace a link profile wholesale.
struct fault {
  time_us at = 0;
  fault_action action = fault_action::crash;
  std::string target;                          ///< node name
  std::vector<std::string> between;            ///< exactly two nodes, or empty
  std::vector<std::vector<std::string>> groups; ///< partition groups
  bool one_way = false; ///< partition: only groups[0] -> groups[1] is cut
  time_us duration = 0; ///< > 0: undone automatically at at + duration
  link_profile profile; ///< latency / loss / duplicate / slow values
  double value = 0;     ///< loss or duplicate probability
  time_us extra_latency = 0; ///< slow
  time_us clock_step = 0;        ///< clock: a step of the node's clock (+/-)
  int64_t clock_drift_ppm = 0;   ///< clock: rate error, 500'000 = 50% fast
  uint32_t source_line = 0;  ///< where it came from, for reports
};

/// How storage nodes keep their copies (see core/storage/batch_store.hpp).
struct disk_spec {
  bool durable = true;        ///< false: memory only (lost in a crash)
  uint8_t fsync = 0;          ///< 0 always, 1 interval, 2 never (fsync_policy)
  time_us fsync_interval = 100'000;
  time_us fsync_latency = 1'000; ///< one fsync in virtual time
  uint8_t crash = 0;          ///< 0 lose-unsynced, 1 torn, 2 zero-fill
  uint64_t capacity = 0;      ///< bytes per node; 0 = unlimited
  uint64_t segment_bytes = 4u << 20; ///< segment roll size
};

struct workload_spec {
  uint32_t clients = 2;
  double rate = 100;          ///< append batches per second, all clients
  uint32_t batch_size = 10;   ///< entries per batch
  uint32_t entry_bytes = 64;  ///< payload bytes per entry
  double read_share = 0.1;    ///< share of operations that are range reads
  time_us read_window = 2'000'000; ///< width of a read's time range
  time_us op_timeout = 2'000'000;  ///< client gives up (indefinite) after this
  uint32_t append_retries = 3;     ///< retries of the same (client, seq)
  bool final_read = true;     ///< full read after the last heal
  time_us start_ts = 1'700'000'000'000'000; ///< entry timestamps = start_ts + virtual time
  /// Share of batches whose timestamps lie back in time, anywhere from
  /// start_ts to now (a backfill of old logs).
  double backfill_share = 0;
};

struct random_spec {
  bool enabled = false;
  std::vector<fault_action> faults; ///< actions to draw from
  /// Actions to draw for the master ("crash" for now; needs a durable
  /// disk). Each entry is drawn as often as one entry of `faults`.
  std::vector<fault_action> master_faults;
  time_us interval = 5'000'000;     ///< mean gap between faults
  uint32_t max_crashed = 0;         ///< 0 = replication_factor - 1
  time_us duration_min = 1'000'000; ///< how long a fault lasts
  time_us duration_max = 5'000'000;
  double loss_max = 0.2;
  time_us latency_max = 200'000;
};

struct expectations {
  /// Property names: the checker's (core/history/checker.hpp) and the simulator's
  /// own white-box ones (oracle_properties()).
  std::vector<std::string> invariants;
  double min_availability = 0;
  /// After the final heal, every acknowledged batch must be back to RF
  /// copies (replication-restored) within this time.
  time_us max_recovery = 30'000'000;
  /// Most "dead" verdicts on nodes that were running and reachable;
  /// -1 = not checked.
  int64_t max_false_dead = -1;
  /// Longest time from a crash to the master's "dead" verdict; 0 = not
  /// checked.
  time_us max_detection = 0;
  /// failover-bounded: longest time from a fault on the active master to
  /// the next acknowledged append; 0 = the default bound
  /// (failover_limit()).
  time_us max_failover = 0;
  /// Most promotions of a master to active in the whole run (the first one
  /// included); -1 = not checked. Catches needless failovers (a healthy
  /// master deposed because of a clock, a pause elsewhere, a lost message).
  int64_t max_promotions = -1;
  /// Most bytes of read-path messages through the master per read invoked
  /// (plans, in the run's average); -1 = not checked. The lesson on the
  /// original design's third limitation (docs/lessons/03-master-data-path.md).
  int64_t max_master_bytes_per_read = -1;
  /// The same for write-path messages per append invoked (placements,
  /// grants, commits; with write_path = master, the entries themselves).
  int64_t max_master_bytes_per_append = -1;
  /// Most repair copies the master may make in the whole run; -1 = not
  /// checked.
  int64_t max_repair_copies = -1;
  /// In the master's last status, every up, non-draining member holds
  /// within (1 +- this) x the mean number of batches; negative = not
  /// checked.
  double max_imbalance = -1;
};

/// Properties the simulator checks from outside the protocol, by asking
/// every storage node what it holds after the final heal:
///  replicas-converge     every copy of a batch has the same digest
///  replication-restored  within max_recovery of the final heal, every
///                        acknowledged batch has replication_factor copies
///                        on nodes that are up, and the master agrees
///  drain-completes       every drained node ends with no batch in the
///                        master's index and "safe to remove" (its last
///                        status)
///  single-active-master  no two masters active at one epoch, no write
///                        acknowledged under an epoch by a master not
///                        active at it, no storage node accepting a
///                        command below an epoch it promised
///  failover-bounded      after a fault hits the active master (several
///                        masters), an append is acknowledged again within
///                        failover_limit()
const std::vector<std::string>& oracle_properties();

struct scenario;
/// The failover-bounded limit: [expect] max_failover, or else the master
/// timeout + the back-off bound + 2 s (rejoin, rebuild, client back-off).
time_us failover_limit(const scenario& s);

/// The checker's properties followed by the oracle's, in report order.
const std::vector<std::string>& scenario_properties();

struct scenario {
  std::string name;
  std::string description;
  std::string file; ///< path it was read from; "<built-in>" for the tour
  std::optional<uint64_t> seed;
  time_us duration = 30'000'000; ///< workload runs [0, duration)
  time_us settle = 5'000'000;    ///< quiet time after the end before the final read
  uint32_t storage_nodes = 5;
  /// Storage nodes that exist but start only when a "join" fault says so:
  /// storage-(N+1) .. storage-(N+spare_nodes). Default: 0.
  uint32_t spare_nodes = 0;
  /// Failure domains: storage-i is in zone "zone-((i-1) % zones + 1)".
  /// 0 = no zones. Default: 0.
  uint32_t zones = 0;
  cluster_config cluster;
  link_profile network;
  disk_spec disk;
  workload_spec workload;
  std::vector<fault> faults; ///< sorted by `at`
  random_spec random;
  expectations expect;

  /// All node names: "master", "storage-1".. "storage-N" (spares
  /// included), "client-1".. .
  std::vector<std::string> node_names() const;

  /// True for a spare storage node (starts only on "join").
  bool is_spare(const std::string& name) const;

  /// The zone of storage node `name`, or "" without zones.
  std::string zone_of(const std::string& name) const;
};

/// Parse result: a scenario, or an error "FILE:LINE:COL: key 'x': what is
/// wrong; how to fix it".
struct parse_outcome {
  std::optional<scenario> value;
  std::string error;
};

parse_outcome parse_scenario_file(const std::string& path);
parse_outcome parse_scenario_text(const std::string& text,
                                  const std::string& path_for_errors);

/// The built-in tour (a short, eventful scenario that shows the main ideas).
scenario builtin_tour();

/// Draws a concrete fault schedule for s.random from rng and appends it to
/// s.faults (sorted). Respects max_crashed at every instant and ends every
/// fault before s.duration.
void draw_random_faults(scenario& s, prng& rng);

/// The fault list as [[fault]] TOML, so a drawn schedule can be pasted into a
/// scenario file and edited.
std::string faults_to_toml(const std::vector<fault>& faults);

/// The built-in tour as scenario-file text (what builtin_tour() parses).
std::string_view builtin_tour_toml();

/// Parses a duration: a number and a unit (us, ms, s, m, h), optionally
/// repeated ("1m30s"); the number may have a fraction ("1.5s"). Returns
/// nullopt when malformed, negative, or not a whole number of microseconds.
std::optional<time_us> parse_duration(std::string_view text);

/// The shortest text parse_duration reads back exactly: "250us", "1.5ms",
/// "3.217s", "2m". REQUIRES: x >= 0.
std::string format_duration(time_us x);

/// Parses a percentage such as "5%" or "0.5%" into 0.05 / 0.005. Returns
/// nullopt when malformed or outside 0%..100%.
std::optional<double> parse_percentage(std::string_view text);

} // namespace logstore::sim
