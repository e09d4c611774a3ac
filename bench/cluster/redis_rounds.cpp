// logstore — cluster_bench: the Redis side.
#include "cluster/redis_rounds.hpp"

#include "cluster/common.hpp"
#include "cluster/redis_client.hpp"

#include <algorithm>
#include <memory>
#include <poll.h>
#include <stdexcept>
#include <thread>

namespace cluster_bench {

bool redis_start(const options& opt, const std::string& dir,
                 redis_cluster& rc) {
  rc.ports = free_ports(3);
  if (rc.ports.size() != 3)
    return false;
  for (size_t i = 0; i < 3; ++i) {
    auto p = std::to_string(rc.ports[i]);
    std::vector<std::string> argv{opt.redis, "--port", p, "--bind",
                                  "127.0.0.1", "--save", "", "--appendonly",
                                  opt.durable ? "yes" : "no", "--dir", dir,
                                  "--appendfilename", "redis-" + p + ".aof",
                                  "--appendfsync", "always", "--dbfilename",
                                  "redis-" + p + ".rdb", "--protected-mode",
                                  "no", "--daemonize", "no",
                                  "--repl-diskless-sync", "yes",
                                  "--repl-diskless-sync-delay", "0",
                                  "--loglevel", "warning"};
    if (i > 0) {
      argv.insert(argv.end(), {"--replicaof", "127.0.0.1",
                               std::to_string(rc.ports[0])});
    }
    auto name = i == 0 ? std::string{"redis-primary"}
                       : "redis-replica-" + std::to_string(i);
    auto pid = start_child(name, argv, dir + "/" + name + ".log");
    if (pid < 0)
      return false;
    rc.cpu[i == 0 ? 0 : 1].push_back(pid);
  }
  // Every server answers PING; then both replicas are online.
  auto deadline = clk::now() + std::chrono::seconds{20};
  for (auto port : rc.ports) {
    for (;;) {
      resp_conn c;
      resp_reply r;
      if (c.open(port) && c.command({"PING"}, r) && r.text == "PONG")
        break;
      if (clk::now() > deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  }
  resp_conn c;
  if (!c.open(rc.ports[0]))
    return false;
  for (;;) {
    resp_reply r;
    if (!c.command({"INFO", "replication"}, r))
      return false;
    size_t online = 0;
    for (size_t at = r.text.find("state=online"); at != std::string::npos;
         at = r.text.find("state=online", at + 1))
      ++online;
    if (r.text.find("connected_slaves:2") != std::string::npos && online == 2
        && c.command({"WAIT", "2", "1000"}, r) && r.integer == 2)
      break;
    if (clk::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  resp_reply r;
  if (c.command({"INFO", "server"}, r)) {
    auto at = r.text.find("redis_version:");
    if (at != std::string::npos)
      rc.version = r.text.substr(at + 14, r.text.find('\r', at) - at - 14);
  }
  rc.up = true;
  return true;
}

round_result redis_append_round(const redis_cluster& rc, uint32_t k,
                                uint32_t in_flight, double secs) {
  std::string batch;
  auto payload = payload_text();
  for (uint32_t i = 0; i < k; ++i)
    resp_append_command(batch, {"XADD", "ap", "*", "m", payload});
  resp_append_command(batch, {"WAIT", "2", "0"});
  struct conn_state {
    resp_conn conn;
    uint32_t left = 0; ///< replies still expected
    clk::time_point sent;
    bool done = false;
  };
  std::vector<std::unique_ptr<conn_state>> conns;
  for (uint32_t i = 0; i < in_flight; ++i) {
    conns.push_back(std::make_unique<conn_state>());
    if (!conns.back()->conn.open(rc.ports[0]))
      throw std::runtime_error("cannot connect to the Redis primary");
  }
  std::vector<double> lat;
  lat.reserve(1 << 16);
  uint64_t entries = 0, short_waits = 0;
  auto t0 = clk::now();
  auto deadline = t0 + std::chrono::duration_cast<clk::duration>(
                         std::chrono::duration<double>(secs));
  auto launch = [&](conn_state& c) {
    c.left = k + 1;
    c.sent = clk::now();
    if (!c.conn.send_all(batch))
      throw std::runtime_error("Redis connection lost");
  };
  for (auto& c : conns)
    launch(*c);
  std::vector<pollfd> fds(conns.size());
  size_t active = conns.size();
  resp_reply r;
  while (active > 0) {
    for (size_t i = 0; i < conns.size(); ++i)
      fds[i] = {conns[i]->done ? -1 : conns[i]->conn.fd(), POLLIN, 0};
    if (::poll(fds.data(), fds.size(), 10'000) <= 0)
      throw std::runtime_error("Redis did not answer for 10 s");
    for (size_t i = 0; i < conns.size(); ++i) {
      if (fds[i].revents == 0)
        continue;
      auto& c = *conns[i];
      if (!c.conn.fill())
        throw std::runtime_error("Redis connection lost");
      while (c.left > 0 && c.conn.next(r)) {
        if (r.type == '-')
          throw std::runtime_error("Redis error: " + r.text);
        if (--c.left == 0) { // the WAIT reply
          if (r.integer < 2)
            ++short_waits;
          auto now = clk::now();
          lat.push_back(
            std::chrono::duration<double, std::micro>(now - c.sent).count());
          entries += k;
          if (now < deadline) {
            launch(c);
          } else {
            c.done = true;
            --active;
          }
        }
      }
    }
  }
  return summarize(entries, seconds_since(t0), lat, short_waits);
}

double redis_load_reads(const redis_cluster& rc, uint64_t n) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  auto payload = payload_text();
  auto t0 = clk::now();
  resp_reply r;
  constexpr uint64_t chunk = 1000;
  for (uint64_t first = 1; first <= n; first += chunk) {
    std::string out;
    auto last = std::min(n, first + chunk - 1);
    for (auto i = first; i <= last; ++i)
      resp_append_command(out, {"XADD", "rd", std::to_string(i) + "-0", "m",
                                payload});
    bool sync = last == n || (last / chunk) % 100 == 0;
    if (sync)
      resp_append_command(out, {"WAIT", "2", "0"});
    if (!c.send_all(out))
      throw std::runtime_error("Redis connection lost");
    for (auto i = first; i <= last + (sync ? 1 : 0); ++i) {
      while (!c.next(r))
        if (!c.fill())
          throw std::runtime_error("Redis connection lost");
      if (r.type == '-')
        throw std::runtime_error("Redis error: " + r.text);
    }
  }
  return seconds_since(t0);
}

round_result redis_read_round(const redis_cluster& rc, uint64_t n,
                              double secs, std::mt19937_64& rng) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  std::uniform_int_distribution<uint64_t> start{1, n - range_size + 1};
  std::vector<double> lat;
  uint64_t entries = 0, bad = 0;
  resp_reply r;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto s = start(rng);
    auto t = clk::now();
    if (!c.command({"XRANGE", "rd", std::to_string(s) + "-0", "+", "COUNT",
                    std::to_string(range_size)},
                   r))
      throw std::runtime_error("Redis connection lost");
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
    if (r.type == '*' && r.integer == range_size)
      entries += range_size;
    else
      ++bad;
  }
  return summarize(entries, seconds_since(t0), lat, bad);
}

double redis_ping_p50_us(const redis_cluster& rc, double secs) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  std::vector<double> lat;
  resp_reply r;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto t = clk::now();
    if (!c.command({"PING"}, r))
      throw std::runtime_error("Redis connection lost");
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
  }
  return percentile(lat, 50);
}

} // namespace cluster_bench
