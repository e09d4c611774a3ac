// logstore — cluster_bench: the logstore side.
#include "cluster/logstore_rounds.hpp"

#include "actors/direct_read.hpp"
#include "actors/protocol.hpp"
#include "app/append_driver.hpp"
#include "app/client_session.hpp"
#include "app/cluster_commands.hpp"
#include "cluster/common.hpp"

#include <caf/all.hpp>

#include <mutex>
#include <numeric>
#include <thread>

using namespace logstore;

namespace cluster_bench {

logstore_cluster::logstore_cluster() = default;
logstore_cluster::~logstore_cluster() = default;

bool logstore_start(const options& opt, const std::string& dir,
                    logstore_cluster& lc, std::string& why) {
  auto ports = free_ports(4);
  if (ports.size() != 4)
    return why = "no free ports", false;
  lc.master_port = ports[0];
  lc.storage_ports.assign(ports.begin() + 1, ports.end());
  auto master_addr = "127.0.0.1:" + std::to_string(lc.master_port);
  std::vector<std::string> extra;
  if (!opt.node_threads.empty())
    extra = {"--threads", opt.node_threads};
  std::vector<std::string> argv{opt.logstore, "master", "--listen",
                                master_addr, "--insecure",
                                "--replication-factor", "3"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto pid = start_child("logstore-master", argv, dir + "/master.log");
  if (pid < 0)
    return why = "cannot start the master", false;
  lc.cpu[0].push_back(pid);
  for (size_t i = 0; i < 3; ++i) {
    auto name = "storage-" + std::to_string(i + 1);
    argv = {opt.logstore, "storage", "--listen",
            "127.0.0.1:" + std::to_string(lc.storage_ports[i]),
            "--master", master_addr, "--name", name, "--insecure"};
    if (opt.durable)
      argv.insert(argv.end(), {"--data-dir", dir + "/" + name, "--fsync",
                               "always"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid = start_child("logstore-" + name, argv, dir + "/" + name + ".log");
    if (pid < 0)
      return why = "cannot start " + name, false;
    lc.cpu[1].push_back(pid);
  }
  app::client_args args;
  args.master = master_addr;
  args.transport.insecure = true;
  args.timeout_ms = 5000;
  args.connect_timeout_ms = 15000;
  lc.session = std::make_unique<app::client_session>(args);
  if (auto err = lc.session->start(); !err.empty())
    return why = err, false;
  lc.master = lc.session->master(why);
  if (!lc.master)
    return false;
  // Wait until all three storage nodes joined and are up.
  caf::scoped_actor self{lc.session->system()};
  auto deadline = clk::now() + std::chrono::seconds{20};
  for (;;) {
    uint32_t up = 0;
    self->request(lc.master, std::chrono::seconds{2}, status_req{})
      .receive(
        [&](status_reply& st) {
          for (auto& m : st.members)
            up += m.state == "up" ? 1 : 0;
          lc.write_quorum = st.write_quorum;
          lc.replication_factor = st.replication_factor;
        },
        [&](caf::error& e) { why = lc.session->system().render(e); });
    if (up == 3)
      break;
    if (clk::now() > deadline)
      return why = "only " + std::to_string(up)
                   + " of 3 storage nodes came up (" + why + ")",
             false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  lc.up = true;
  return true;
}

bool logstore_add_clients(logstore_cluster& lc, size_t n, std::string& why) {
  while (1 + lc.more_sessions.size() < n) {
    app::client_args args;
    args.master = "127.0.0.1:" + std::to_string(lc.master_port);
    args.transport.insecure = true;
    args.timeout_ms = 5000;
    args.connect_timeout_ms = 15000;
    auto session = std::make_unique<app::client_session>(args);
    if (auto err = session->start(); !err.empty())
      return why = err, false;
    auto master = session->master(why);
    if (!master)
      return false;
    lc.more_sessions.push_back(std::move(session));
    lc.more_masters.push_back(std::move(master));
  }
  return true;
}

void logstore_stop_client(logstore_cluster& lc) {
  lc.more_masters.clear();
  lc.more_sessions.clear();
  lc.master = nullptr;
  lc.session.reset();
}

round_result logstore_append_round(logstore_cluster& lc, uint32_t k,
                                   uint32_t in_flight, double secs,
                                   int64_t& next_ts, uint64_t max_entries,
                                   size_t client_index) {
  auto& session = client_index == 0 ? *lc.session
                                    : *lc.more_sessions.at(client_index - 1);
  auto& master = client_index == 0 ? lc.master
                                   : lc.more_masters.at(client_index - 1);
  struct sink {
    std::mutex mtx;
    std::vector<double> lat;
  };
  auto lats = std::make_shared<sink>();
  lats->lat.reserve(1 << 16);
  auto client = app::random_client_id();
  app::driver_options d;
  d.master = master;
  // Direct writes (the cluster's default): placements from the master,
  // stores straight to the replicas, as `logstore append` does.
  d.directory = session.directory();
  d.masters = session.names_active_first();
  d.client = client;
  d.in_flight = in_flight;
  d.timeout = session.request_timeout();
  d.on_complete = [lats](sequence_nr, op_type type, time_us latency) {
    if (type != op_type::ok)
      return;
    std::lock_guard<std::mutex> guard{lats->mtx};
    lats->lat.push_back(static_cast<double>(latency));
  };
  auto& sys = session.system();
  auto driver = sys.spawn(app::append_driver, d);
  uint64_t acked = 0, not_stored = 0, maybe = 0;
  double elapsed = 0;
  {
    caf::scoped_actor self{sys};
    app::driver_room room{driver};
    sequence_nr seq = 1;
    auto payload = payload_text();
    const std::string source = "bench";
    uint64_t sent = 0;
    auto t0 = clk::now();
    while (seconds_since(t0) < secs && sent < max_entries) {
      append_req req;
      req.client = client;
      req.seq = seq++;
      req.entries.reserve(k);
      for (uint32_t i = 0; i < k; ++i)
        req.entries.push_back(entry{next_ts++, source, payload});
      std::vector<uint32_t> lines(k);
      std::iota(lines.begin(), lines.end(), uint32_t{1});
      room.take(self);
      self->send(driver, std::move(req), std::move(lines));
      sent += k;
    }
    std::tie(acked, not_stored, maybe) = room.drain(self);
    elapsed = seconds_since(t0);
  }
  caf::anon_send_exit(driver, caf::exit_reason::kill);
  driver = nullptr;
  std::lock_guard<std::mutex> guard{lats->mtx};
  return summarize(acked, elapsed, lats->lat, not_stored + maybe);
}

round_result logstore_read_round(logstore_cluster& lc, uint64_t n, double secs,
                                 std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> start{
    read_base, read_base + static_cast<int64_t>(n) - range_size};
  std::vector<double> lat;
  uint64_t entries = 0, bad = 0;
  caf::scoped_actor self{lc.session->system()};
  auto timeout = lc.session->request_timeout();
  // As `logstore read`: a plan from the master, fetches from the storage
  // nodes, merged by the reader (actors/direct_read.hpp).
  auto reader = lc.session->system().spawn(
    reader_actor, lc.session->directory(),
    lc.session->names_active_first().front(),
    static_cast<time_us>(
      std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto from = start(rng);
    read_req req{from, from + range_size - 1};
    auto t = clk::now();
    bool ok = false;
    self->request(reader, timeout + std::chrono::seconds{1}, req)
      .receive(
        [&](read_result& res) {
          ok = res.complete && res.entries.size() == range_size;
        },
        [&](caf::error&) {});
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
    if (ok)
      entries += range_size;
    else
      ++bad;
  }
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
  return summarize(entries, seconds_since(t0), lat, bad);
}

double logstore_rtt_p50_us(logstore_cluster& lc, double secs) {
  caf::scoped_actor self{lc.session->system()};
  std::vector<double> lat;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto t = clk::now();
    self->request(lc.master, std::chrono::seconds{5}, read_plan_req{1, 1})
      .receive([](read_plan_reply&) {}, [](caf::error&) {});
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
  }
  return percentile(lat, 50);
}

} // namespace cluster_bench
