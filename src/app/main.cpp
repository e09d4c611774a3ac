// logstore — the one binary. The only translation unit that includes CLI11:
// it maps flags onto plain option structs and calls the command functions.
// Layer: app. `sim` runs the simulator; the real-cluster commands (master,
// storage, append, read, status, drain, local, check, certs) are in
// cluster_commands.hpp; their flags are added in cluster_cli below.
#include "app/cluster_commands.hpp"
#include "app/segment_command.hpp"
#include "app/sim_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <unistd.h>

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
  sim->add_flag("--expect-violation", args.expect_violation,
                "Succeed only if every run breaks an expected invariant "
                "(scenarios that demonstrate a failure)");
  sim->add_option("--expect-traces", args.expect_traces,
                  "Trace hashes the runs must produce, one per seed, "
                  "comma-separated (a refactor's proof of no change)")
    ->delimiter(',');
  sim->add_flag("--check-invariants", args.check_invariants,
                "Assert the master's invariants after every step (slower; "
                "a broken one aborts with its number)");
  sim->add_flag("-q,--quiet", args.quiet,
                "In a sweep, print only failing seeds and the summary");
  sim->add_option("--diagram-messages", args.diagram_messages,
                  "Messages drawn in messages.mmd (with --out)");
}

namespace cluster_cli {

using namespace logstore::app;

constexpr const char* tls_help = R"(
TLS (mutual, with your cluster CA; see `logstore certs --help`):
  --tls-cert node.pem --tls-key node.key --tls-ca ca.pem
  or --insecure to run without TLS on a trusted network only.
  The same flags may come from LOGSTORE_TLS_CERT, LOGSTORE_TLS_KEY,
  LOGSTORE_TLS_CA and LOGSTORE_INSECURE=1.)";

void add_transport(CLI::App* cmd, logstore::net::transport_options& t,
                   bool server) {
  cmd->add_option("--tls-cert", t.tls.cert, "This node's certificate (PEM)")
    ->envname("LOGSTORE_TLS_CERT");
  cmd->add_option("--tls-key", t.tls.key, "Its private key (PEM)")
    ->envname("LOGSTORE_TLS_KEY");
  cmd->add_option("--tls-ca", t.tls.ca, "The cluster CA certificate (PEM)")
    ->envname("LOGSTORE_TLS_CA");
  cmd->add_flag("--insecure", t.insecure,
                "Run without TLS (trusted networks only)")
    ->envname("LOGSTORE_INSECURE");
  auto* hb = cmd->add_option_function<uint32_t>(
    "--heartbeat-interval-ms",
    [&t](uint32_t ms) { t.heartbeat_interval = int64_t{ms} * 1000; },
    "CAF connection heartbeat; the SAME on every node (default 500)");
  auto* ct = cmd->add_option_function<uint32_t>(
    "--connection-timeout-ms",
    [&t](uint32_t ms) { t.connection_timeout = int64_t{ms} * 1000; },
    "Drop a silent connection after this; the SAME on every node "
    "(default 3000)");
  if (server)
    cmd->add_option("--threads", t.threads,
                    "Scheduler threads (default: one per core)");
  hb->group("Transport");
  ct->group("Transport");
}

void add_server(CLI::App* cmd, server_args& s) {
  cmd->add_option("--listen", s.listen, "HOST:PORT to accept peers on")
    ->required();
  cmd->add_option("--data-dir", s.data_dir,
                  "Directory for node state (created if missing)");
  cmd->add_option("--metrics", s.metrics,
                  "HOST:PORT serving /metrics (Prometheus) and /healthz");
  cmd->add_option("--log-level", s.log_level,
                  "debug, info, warn or error (JSON lines on stderr)");
  add_transport(cmd, s.transport, true);
}

void add_client(CLI::App* cmd, client_args& c) {
  cmd->add_option("--master", c.master,
                  "HOST:PORT of the master, or of every master "
                  "(A,B,C): the active one is found")
    ->required()
    ->envname("LOGSTORE_MASTER");
  cmd->add_option("--timeout-ms", c.timeout_ms,
                  "Deadline of each request (default 5000)");
  cmd->add_option("--connect-timeout-ms", c.connect_timeout_ms,
                  "Give up reaching the master after this (default 5000)");
  cmd->add_flag("-v,--verbose", c.verbose, "Print transport events");
  add_transport(cmd, c.transport, false);
}

struct all_args {
  master_args master;
  storage_args storage;
  append_args append;
  read_args read;
  status_args status;
  drain_args drain;
  remove_args remove;
  local_args local;
  check_args check;
  certs_args certs;
};

void add_servers(CLI::App& app, all_args& a) {
  auto* m = app.add_subcommand("master", "Run the master (membership, "
                                         "placement, index, reads)");
  add_server(m, a.master.server);
  m->add_option("--replication-factor", a.master.replication_factor,
                "Copies of every batch (default 3)");
  m->add_option("--write-quorum", a.master.write_quorum,
                "Copies before an append is acknowledged (0 = all)");
  m->add_option("--placement", a.master.placement,
                "random or least-loaded");
  m->add_option("--write-path", a.master.write_path,
                "direct (clients write to the storage nodes of a placement "
                "the master grants, the default; docs/protocol.md, \"Direct "
                "writes\") or master (entries go through the master, as in "
                "the original design)");
  m->add_option("--heartbeat-interval", a.master.heartbeat_interval,
                "Failure detector: storage nodes heartbeat this often, "
                "e.g. 200ms (default 500ms; not the transport's "
                "--heartbeat-interval-ms)")
    ->group("Failure detection and repair");
  m->add_option("--suspect-after", a.master.suspect_after,
                "Missed heartbeats before a node is suspect (default 2)")
    ->group("Failure detection and repair");
  m->add_option("--dead-after", a.master.dead_after,
                "Missed heartbeats before a node is dead (default 6)")
    ->group("Failure detection and repair");
  m->add_option("--store-timeout", a.master.store_timeout,
                "Wait this long for a storage node to confirm a copy before "
                "placing it elsewhere, e.g. 2s (default 500ms)")
    ->group("Failure detection and repair");
  m->add_option("--repair-grace", a.master.repair_grace,
                "A dead node's batches are re-replicated after this, e.g. "
                "2s (default 5s)")
    ->group("Failure detection and repair");
  m->add_option("--masters", a.master.masters,
                "Every master, HOST:PORT,HOST:PORT,... (the same list on "
                "each, this one's --listen among them): one is active, the "
                "others standbys that take over")
    ->group("Failover");
  m->add_option("--master-timeout", a.master.master_timeout,
                "A standby campaigns after this long without an active "
                "master; an active master that has not heard a majority of "
                "storage nodes this long steps down (default: the dead time, "
                "3s)")
    ->group("Failover");
  m->footer(std::string{R"(Examples:
  logstore master --listen 10.0.0.1:7000 --tls-cert master.pem \
      --tls-key master.key --tls-ca ca.pem --metrics 10.0.0.1:9100
  logstore master --listen 127.0.0.1:7000 --insecure --replication-factor 2
  logstore master --listen 10.0.0.2:7000 \
      --masters 10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000 ...   (failover)
Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not listen / failed,
2 bad options (e.g. no TLS and no --insecure).)"} + tls_help);
  auto* s = app.add_subcommand("storage", "Run a storage node");
  add_server(s, a.storage.server);
  s->add_option("--master", a.storage.master,
                "HOST:PORT of the master, or of every master (A,B,C, the "
                "masters' --masters list)")
    ->required();
  s->add_option("--master-timeout", a.storage.master_timeout,
                "The masters' --master-timeout (default 3s): how long this "
                "node refuses to promise a new epoch after the active "
                "master's last lease");
  s->add_option("--name", a.storage.name,
                "Unique node name (default: from --data-dir or the address)");
  s->add_option("--advertise", a.storage.advertise,
                "HOST:PORT peers use to reach this node (default --listen)");
  s->add_option("--zone", a.storage.zone, "Failure domain (rack, AZ)");
  s->add_option("--fsync", a.storage.fsync,
                "With --data-dir: always (confirm after fdatasync, group "
                "commit; default), interval, or never")
    ->check(CLI::IsMember({"always", "interval", "never"}));
  s->add_option("--fsync-interval-ms", a.storage.fsync_interval_ms,
                "With --fsync interval: sync this often");
  s->add_option("--segment-mb", a.storage.segment_mb,
                "Roll segment files at this size (MiB)");
  // Test hook, not in --help: flips one byte of each of the first N store
  // frames as they arrive (damage in transit), before they are verified.
  s->add_option("--test-corrupt-stores", a.storage.test_corrupt_stores)
    ->group("");
  s->footer(std::string{R"(Examples:
  logstore storage --listen 10.0.0.5:7001 --master 10.0.0.1:7000 \
      --name storage-1 --tls-cert s1.pem --tls-key s1.key --tls-ca ca.pem
  logstore storage --listen 0.0.0.0:7001 --advertise 10.0.0.5:7001 ...
Exit codes as for `logstore master`.)"} + tls_help);
}

void add_clients(CLI::App& app, all_args& a) {
  auto* ap = app.add_subcommand("append", "Append lines from stdin");
  add_client(ap, a.append.client);
  ap->add_option("--source", a.append.source,
                 "Source of plain-text lines (default stdin)");
  ap->add_option("--batch-size", a.append.batch_size,
                 "Entries per batch (default 100)");
  ap->add_option("--in-flight", a.append.in_flight,
                 "Batches outstanding at once (default 8)");
  ap->add_option("--retries", a.append.retries,
                 "Retries per batch, same (client, seq) (default 5)");
  ap->add_option("--linger-ms", a.append.linger_ms,
                 "Send a partial batch after this idle time (default 100)");
  ap->add_option("--history", a.append.history,
                 "Record operations to this history file (appends)");
  ap->footer(std::string{R"(Input: one entry per line, either JSON
  {"ts": <int64 microseconds since the epoch>, "source": "web-1", "msg": "..."}
or plain text (stamped with the current time and --source).
Examples:
  tail -F /var/log/app.log | logstore append --master 10.0.0.1:7000 --source web-1 ...
  logstore append --master 127.0.0.1:7000 --insecure < entries.jsonl
Exit codes: 0 every entry acknowledged; 1 some line malformed, NOT stored
(definite) or MAYBE stored (indefinite), each reported with its line
numbers on stderr; 2 bad options.)"} + tls_help);
  auto* rd = app.add_subcommand("read", "Read a time range, sorted");
  add_client(rd, a.read.client);
  rd->add_option("--from", a.read.from, "Start, inclusive: us or RFC 3339")
    ->required();
  rd->add_option("--to", a.read.to, "End, inclusive: us or RFC 3339")
    ->required();
  rd->add_option("-o,--output", a.read.output, "jsonl or table")
    ->check(CLI::IsMember({"jsonl", "table"}));
  rd->add_option("--history", a.read.history,
                 "Record this read to a history file");
  rd->add_flag("--final", a.read.final_read,
               "Record it as the history's final read (use the full range)");
  rd->footer(std::string{R"(Examples:
  logstore read --master 10.0.0.1:7000 --from 2025-01-01T00:00:00Z \
      --to 2025-01-01T01:00:00Z -o table ...
  logstore read --master 127.0.0.1:7000 --insecure --from 0 --to 9999999999999999
Exit codes: 0 complete; 1 incomplete (missing ranges on stderr);
2 bad options (e.g. --from after --to) or master unreachable.)"} + tls_help);
  auto* st = app.add_subcommand("status", "Show members and health");
  add_client(st, a.status.client);
  st->add_option("-o,--output", a.status.output, "table or json")
    ->check(CLI::IsMember({"table", "json"}));
  st->footer(std::string{R"(Examples:
  logstore status --master 10.0.0.1:7000 ... -o json
Exit codes: 0 healthy (every member up, nothing under-replicated),
1 unhealthy, 2 master unreachable.)"} + tls_help);
  auto* dr = app.add_subcommand("drain", "Move every batch off a storage "
                                         "node; say when it is safe to remove");
  add_client(dr, a.drain.client);
  dr->add_option("node", a.drain.node, "The member to drain, e.g. storage-3")
    ->required();
  dr->add_option("-o,--output", a.drain.output, "text or json")
    ->check(CLI::IsMember({"text", "json"}));
  dr->footer(std::string{R"(The first call starts the drain: the node gets no new copies and its
batches are copied elsewhere before its copies are deleted. Call it again
to poll (it is idempotent).
Examples:
  logstore drain storage-3 --master 10.0.0.1:7000 ...
  until logstore drain storage-3 --master 127.0.0.1:7000 --insecure; do sleep 1; done
Exit codes: 0 safe to remove now (every batch it holds has enough copies
elsewhere: stop it, then logstore remove it); 1 not yet; 2 unknown node,
bad options or master unreachable.)"} + tls_help);
  auto* rm = app.add_subcommand("remove", "Forget a stopped storage node "
                                          "for good");
  add_client(rm, a.remove.client);
  rm->add_option("node", a.remove.node, "The member to remove, e.g. storage-3")
    ->required();
  rm->add_flag("--force", a.remove.force,
               "Remove it even if copies are lost with it (batches only it "
               "held are given up)");
  rm->add_option("-o,--output", a.remove.output, "text or json")
    ->check(CLI::IsMember({"text", "json"}));
  rm->footer(std::string{R"(The member leaves the index, the member list, status and metrics. It
must be stopped (declared dead) first; it is refused while it holds the
only copy of any batch, or when it has not reported since a master
restart, unless --force. A node that later starts under the name joins as
a new member.
Examples:
  logstore drain storage-3 --master 10.0.0.1:7000 ...   (until exit 0)
  (stop storage-3)
  logstore remove storage-3 --master 10.0.0.1:7000 ...
Exit codes: 0 removed; 1 refused (the reason says what to do first);
2 unknown node, bad options or master unreachable.)"} + tls_help);
}

void add_tools(CLI::App& app, all_args& a) {
  auto* lo = app.add_subcommand("local", "Start a master and N storage "
                                         "processes on 127.0.0.1");
  lo->add_option("--storage-nodes", a.local.storage_nodes,
                 "Storage processes (default 3)");
  lo->add_option("--masters", a.local.masters,
                 "Master processes, 1 to 3 (default 1): with 2 or 3, one is "
                 "active and the others take over when it fails");
  lo->add_option("--base-port", a.local.base_port,
                 "Master port; storage nodes use the next ones (default "
                 "7000)");
  lo->add_option("--replication-factor", a.local.replication_factor,
                 "Default: min(3, storage nodes)");
  lo->add_flag("--metrics", a.local.metrics,
               "Serve metrics on base-port+100 (+i for storage-i)");
  lo->footer(R"(Example:
  logstore local --storage-nodes 3     (Ctrl-C stops every process)
  logstore local --masters 3           (masters on 7000, 7050, 7051)
No TLS: loopback only. Exit codes: 0 stopped by Ctrl-C, 1 a node died.)");
  auto* ck = app.add_subcommand("check", "Check a recorded history");
  ck->add_option("history", a.check.history, "history.jsonl")->required();
  ck->add_option("-o,--output", a.check.output, "text or json")
    ->check(CLI::IsMember({"text", "json"}));
  ck->footer(R"(Examples:
  logstore check runs/happy-path-seed1/history.jsonl
  logstore append ... --history h.jsonl < in.txt
  logstore read ... --from 0 --to 9999999999999999 --final --history h.jsonl
  logstore check h.jsonl -o json
Exit codes: 0 valid, 1 a violation, 2 unreadable.)");
  auto* ce = app.add_subcommand("certs", "Make a cluster CA and node "
                                         "certificates (openssl)");
  ce->add_option("dir", a.certs.dir, "Output directory")->required();
  ce->add_option("--names", a.certs.names,
                 "Node names, one certificate each (default: node)");
  ce->add_option("--days", a.certs.days, "Validity (default 365)");
  ce->footer(R"(Example:
  logstore certs tls --names master,storage-1,storage-2,client
  (reuses tls/ca.pem if present; copy ca.pem + each node's pair to it))");
  ce->get_option("--names")->delimiter(',');
}

int dispatch(CLI::App& app, all_args& a, const char* argv0) {
  if (app.got_subcommand("master"))
    return run_master(a.master);
  if (app.got_subcommand("storage"))
    return run_storage(a.storage);
  if (app.got_subcommand("append"))
    return run_append(a.append);
  if (app.got_subcommand("read"))
    return run_read(a.read);
  if (app.got_subcommand("status"))
    return run_status(a.status);
  if (app.got_subcommand("drain"))
    return run_drain(a.drain);
  if (app.got_subcommand("remove"))
    return run_remove(a.remove);
  if (app.got_subcommand("local")) {
    char buf[4096];
    auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    return run_local(a.local, n > 0 ? std::string(buf, static_cast<size_t>(n))
                                    : std::string{argv0});
  }
  if (app.got_subcommand("check"))
    return run_check(a.check);
  if (app.got_subcommand("certs"))
    return run_certs(a.certs);
  return -1;
}

} // namespace cluster_cli

} // namespace

namespace {

struct segment_args {
  CLI::App* verify = nullptr;
  CLI::App* dump = nullptr;
  std::string dir;
  bool json = false;
};

void add_segment(CLI::App& app, segment_args& a) {
  auto* seg = app.add_subcommand(
    "segment", "Inspect a storage node's segment files (offline)");
  seg->require_subcommand(1);
  a.verify = seg->add_subcommand(
    "verify", "Check every frame's CRC; list torn tails and corruption");
  a.verify->add_option("dir", a.dir, "Segment directory (DATA_DIR/segments)")
    ->required();
  a.dump = seg->add_subcommand("dump", "List segments, frames and batches");
  a.dump->add_option("dir", a.dir, "Segment directory (DATA_DIR/segments)")
    ->required();
  a.dump->add_flag("--json", a.json, "One JSON object per line");
  seg->footer(R"(Examples:
  logstore segment verify /var/lib/logstore/s1/segments
  logstore segment dump /var/lib/logstore/s1/segments --json
Exit codes: 0 clean, 1 corruption found, 2 bad input (no such directory).)");
}

/// -1 when no segment command was given.
int run_segment(const segment_args& a) {
  if (a.verify != nullptr && a.verify->parsed())
    return logstore::app::run_segment_verify(a.dir, std::cout);
  if (a.dump != nullptr && a.dump->parsed())
    return logstore::app::run_segment_dump(a.dir, std::cout, a.json);
  return -1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"logstore: a distributed log store and the deterministic "
               "simulator that runs it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "logstore 0.1.0");
  logstore::app::sim_args sim_args;
  add_sim(app, sim_args);
  segment_args segment;
  add_segment(app, segment);
  cluster_cli::all_args cluster;
  cluster_cli::add_servers(app, cluster);
  cluster_cli::add_clients(app, cluster);
  cluster_cli::add_tools(app, cluster);
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
  if (auto rc = run_segment(segment); rc >= 0)
    return rc;
  auto rc = cluster_cli::dispatch(app, cluster, argv[0]);
  return rc >= 0 ? rc : 2;
}
