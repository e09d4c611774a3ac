// logstore — the one binary. The only translation unit that includes CLI11:
// it maps flags onto plain option structs and calls the command functions.
// Layer: app.
#include "app/sim_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

void add_sim(CLI::App& app, logstore::app::sim_args& args) {
  auto* sim = app.add_subcommand(
    "sim", "Run the cluster in the deterministic simulator");
  sim->footer(R"(Examples:
  logstore sim                                  the built-in tour
  logstore sim scenarios/02-replica-crash-mid-write.toml --seed 7
  logstore sim scenarios/random-faults.toml --runs 200 -q
  logstore sim scenarios/01-happy-path.toml --out runs   (history, diagrams)

Exit codes: 0 every expected invariant held, 1 a violation, 2 bad input.)");
  sim->add_option("scenario", args.scenario,
                  "Scenario file (TOML); omit for the built-in tour");
  sim->add_option("--seed", args.seed,
                  "Seed of the first run (default: the scenario's, else 1)");
  sim->add_option("--runs", args.runs, "Number of seeds to sweep")
    ->check(CLI::PositiveNumber);
  sim->add_option("--out", args.out,
                  "Write a run folder per seed under this directory");
  sim->add_option("-o,--output", args.output, "Report format: text or json")
    ->check(CLI::IsMember({"text", "json"}));
  sim->add_flag("-q,--quiet", args.quiet,
                "In a sweep, print only failing seeds and the summary");
  sim->add_option("--diagram-messages", args.diagram_messages,
                  "Messages drawn in messages.mmd (with --out)");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"logstore: a distributed log store and the deterministic "
               "simulator that runs it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "logstore 0.1.0");
  logstore::app::sim_args sim_args;
  add_sim(app, sim_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (app.got_subcommand("sim"))
    return logstore::app::run_sim_command(sim_args);
  return 2;
}
