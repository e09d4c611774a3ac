// logstore — `logstore sim` implementation.
#include "app/sim_command.hpp"

#include "sim/malloc_tuning.hpp"
#include "sim/report.hpp"
#include "scenario/scenario.hpp"
#include "sim/world.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace logstore::app {

namespace {

std::string run_dir(const sim_args& args, const sim::scenario& s,
                    uint64_t seed) {
  return args.out + "/" + s.name + "-seed" + std::to_string(seed);
}

sim::run_result run_one(const sim::scenario& s, uint64_t seed,
                        const sim_args& args) {
  sim::run_options opts;
  opts.seed = seed;
  opts.record_messages = args.out.empty() ? 0 : args.diagram_messages;
  opts.keep_events = !args.out.empty();
  opts.check_invariants = args.check_invariants;
  // Wall time is measured here, outside the simulation, for the speed line.
  auto start = std::chrono::steady_clock::now();
  auto r = sim::run_scenario(s, opts);
  r.wall_seconds = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  return r;
}

} // namespace

int run_sim_command(const sim_args& args) {
  sim::keep_freed_memory();
  sim::scenario s;
  if (args.scenario.empty()) {
    s = sim::builtin_tour();
  } else {
    auto parsed = sim::parse_scenario_file(args.scenario);
    if (!parsed.value) {
      std::cerr << "error: " << parsed.error << "\n"
                << "nothing was run (exit code 2). See docs/scenarios.md for "
                   "the file format.\n";
      return 2;
    }
    s = std::move(*parsed.value);
  }
  if (args.runs == 0) {
    std::cerr << "error: --runs must be at least 1\n";
    return 2;
  }
  if (!args.expect_traces.empty() && args.expect_traces.size() != args.runs) {
    std::cerr << "error: --expect-traces lists "
              << args.expect_traces.size() << " hash(es) for " << args.runs
              << " run(s); give one per run\n";
    return 2;
  }
  if (args.output != "text" && args.output != "json") {
    std::cerr << "error: -o must be 'text' or 'json', got '" << args.output
              << "'\n";
    return 2;
  }
  sim::invocation inv{args.scenario};
  uint64_t first = args.seed ? *args.seed : (s.seed ? *s.seed : 1);
  uint32_t failed = 0;
  uint32_t changed = 0; // runs whose trace differs from --expect-traces
  double wall = 0;
  time_us simulated = 0;
  for (uint32_t i = 0; i < args.runs; ++i) {
    auto seed = first + i;
    auto r = run_one(s, seed, args);
    wall += r.wall_seconds;
    simulated += r.simulated;
    if (!r.ok())
      ++failed;
    if (!args.expect_traces.empty()) {
      char hex[17];
      std::snprintf(hex, sizeof(hex), "%016llx",
                    static_cast<unsigned long long>(r.trace_hash));
      if (args.expect_traces[i] != hex) {
        ++changed;
        std::cerr << "seed " << seed << ": trace " << hex << ", expected "
                  << args.expect_traces[i]
                  << " (behaviour changed; if on purpose, re-pin it)\n";
      }
    }
    if (!args.out.empty()) {
      auto err = sim::write_run_folder(run_dir(args, s, seed), s, r, inv);
      if (!err.empty()) {
        std::cerr << "error: " << err << "\n";
        return 2;
      }
    }
    if (args.output == "json") {
      sim::write_json_summary(std::cout, s, r, inv);
    } else if (args.runs == 1) {
      sim::write_text_report(std::cout, s, r, inv);
    } else if (!args.quiet || !r.ok()) {
      sim::write_sweep_line(std::cout, r, inv);
    }
  }
  if (args.runs > 1 && args.output == "text") {
    std::printf("sweep: %u seeds (%llu..%llu), %u failed, %u passed; %.1f s "
                "wall for %.0f s simulated\n",
                args.runs, static_cast<unsigned long long>(first),
                static_cast<unsigned long long>(first + args.runs - 1), failed,
                args.runs - failed, wall, static_cast<double>(simulated) / 1e6);
  }
  if (!args.out.empty() && args.output == "text")
    std::cout << "run folder(s) written under " << args.out << "/\n";
  if (changed > 0)
    return 1;
  if (args.expect_violation) {
    std::cout << (failed == args.runs
                    ? "as expected, every run broke an invariant\n"
                    : "expected every run to break an invariant, but "
                        + std::to_string(args.runs - failed)
                        + " passed\n");
    return failed == args.runs ? 0 : 1;
  }
  return failed == 0 ? 0 : 1;
}

} // namespace logstore::app
