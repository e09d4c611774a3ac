// logstore — typed, validating access to one TOML table of a scenario file.
// Layer: sim (scenario library, no CAF). Private to src/scenario/scenario*.cpp:
// nothing outside the scenario library includes toml++.
//
// Every error reads "FILE:LINE:COL: key 'section.key': what is wrong; how to
// fix it". Only the first error of a parse is kept: once one is recorded,
// every getter is a no-op, so section readers run straight through without
// checking after each key.
#pragma once

#include "core/base/types.hpp"
#include "scenario/scenario.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logstore::sim::detail {

/// 1-based line and column in the scenario file.
struct position {
  uint32_t line = 1;
  uint32_t column = 1;
};

position position_of(const toml::source_region& x);

/// Holds the path for messages and the first error of a parse.
class parse_context {
public:
  explicit parse_context(std::string path) : path_(std::move(path)) {
  }

  bool ok() const {
    return error_.empty();
  }

  const std::string& error() const {
    return error_;
  }

  const std::string& path() const {
    return path_;
  }

  /// Records "PATH:LINE:COL: key 'KEY': MESSAGE" unless an error exists.
  void fail(position where, std::string_view key, std::string_view message);

private:
  std::string path_;
  std::string error_;
};

/// The closest candidate to `word` by edit distance, as "; did you mean
/// 'x'?"; empty when nothing is close.
std::string suggestion(std::string_view word,
                       const std::vector<std::string_view>& candidates);

/// "a string", "an integer", ... for messages.
std::string_view type_phrase(const toml::node& x);

/// A string value and where it was written.
struct located_string {
  std::string text;
  position where;
};

/// Reads the keys of one table. Getters leave `out` untouched when the key is
/// absent and record an error when it is present but wrong.
class table_reader {
public:
  /// `section` prefixes every key in messages ("cluster" -> 'cluster.x').
  table_reader(parse_context& ctx, const toml::table& table,
               std::string section);

  /// Rejects every key not in `allowed`, naming the closest allowed one.
  void allow_only(const std::vector<std::string_view>& allowed);

  bool has(std::string_view key) const;

  /// Records "missing; add KEY = EXAMPLE" at the table when `key` is absent.
  void require(std::string_view key, std::string_view example);

  void duration(std::string_view key, time_us& out, time_us min, time_us max);
  void probability(std::string_view key, double& out);
  void integer(std::string_view key, uint32_t& out, int64_t min, int64_t max);
  void integer(std::string_view key, int64_t& out, int64_t min, int64_t max);
  void number(std::string_view key, double& out, double min, double max);
  void boolean(std::string_view key, bool& out);
  void text(std::string_view key, std::string& out);

  /// One of `names`; stores its index.
  void choice(std::string_view key, const std::vector<std::string_view>& names,
              size_t& index);

  /// An array of strings (possibly empty).
  void strings(std::string_view key, std::vector<located_string>& out);

  /// Records an error at the key's value, or at the table when absent.
  void fail(std::string_view key, std::string_view message);

  /// Records an error at `where`, for `key` of this table.
  void fail_at(position where, std::string_view key,
               std::string_view message);

  /// Where the key's value is, or the table when absent.
  position where(std::string_view key) const;

  position table_position() const {
    return position_of(table_.source());
  }

  const toml::node* get(std::string_view key) const {
    return table_.get(key);
  }

  parse_context& context() {
    return ctx_;
  }

private:
  /// Records "expected WHAT, got TYPE; FIX".
  void fail_type(std::string_view key, const toml::node& node,
                 std::string_view what, std::string_view fix);

  parse_context& ctx_;
  const toml::table& table_;
  std::string section_;
};

// -- readers shared between the scenario*.cpp files ---------------------------

/// Reads [random] (if present) into s.random.
/// REQUIRES: [scenario] and [cluster] already read.
void read_random_section(parse_context& ctx, table_reader& root, scenario& s);

/// Reads [expect]; without it every property of all_properties() is expected
/// (but no-lost-acked-writes only with workload.final_read).
/// REQUIRES: [workload] already read.
void read_expect_section(parse_context& ctx, table_reader& root, scenario& s);

/// The table under `name` of the root, or nullptr when absent or not a table
/// (then an error is recorded).
const toml::table* section(table_reader& root, std::string_view name);

/// A fault as read, with the places its timeline errors point at.
struct located_fault {
  fault value;
  position target;   ///< target, between or groups (else the table)
  position duration; ///< the duration key (else the table)
};

/// Records an error unless every crash/pause (sorted by `at`) finds its node
/// running, every restart a crashed node and every resume a paused one,
/// counting the automatic undo at `at + duration`.
void read_disk_section(parse_context& ctx, table_reader& root, scenario& s);

void check_timeline(parse_context& ctx, const std::vector<located_fault>& fs,
                    const scenario& s);

/// Reads every [[fault]] table of the file into s.faults, sorted by `at`, and
/// checks the timeline (no restart of a running node, ...).
/// REQUIRES: [scenario], [cluster], [network] and [workload] already read.
void read_faults(parse_context& ctx, table_reader& root, scenario& s);

/// The keys a [[fault]] of this action takes besides `at` and `action`, in
/// the order faults_to_toml writes them.
const std::vector<std::string_view>& action_keys(fault_action x);

/// "master, storage-1..storage-5, client-1..client-2", for messages.
std::string node_summary(const scenario& s);

} // namespace logstore::sim::detail
