// logstore — cluster_bench: the targets and their verdicts.
#include "cluster/verdicts.hpp"

#include "cluster/stats.hpp"

#include <iostream>
#include <string>

namespace cluster_bench {

namespace {

/// `measured` false: the row was left out (--only); says so instead of a
/// verdict on figures that do not exist.
void verdict(const std::string& id, bool met, const std::string& text,
             bool measured = true) {
  if (!measured) {
    std::cout << pad_right(id, 4) << "-        "
              << text.substr(0, text.find(':'))
              << ": not measured in this run (--only)\n";
    return;
  }
  std::cout << pad_right(id, 4) << (met ? "met      " : "NOT MET  ") << text
            << "\n";
}

/// The targets of issue 11 ("the master off the data path"), A1-A8.
void print_off_master_verdicts(const options& opt, const results& res,
                               bool have_redis) {
  std::string peer = opt.durable ? "Redis appendfsync always + WAIT 2"
                                 : "Redis WAIT 2";
  bool apps = opt.only != "reads", reads = opt.only != "appends";
  std::cout << "\n== targets of issue 11 (the master off the data path"
            << (opt.durable ? "; --durable rows" : "") << ")\n";
  int n = 0;
  for (auto& c : append_configs()) {
    if (c.k < 100 && c.in_flight < 8)
      continue;
    auto& a = res.ls(c.k, c.in_flight);
    auto& b = res.rd(c.k, c.in_flight);
    auto x = ratio(a, b);
    verdict("A" + std::to_string(++n), have_redis && a.valid() && x >= 1.0,
            "append " + c.label() + ": logstore " + thousands(a.rate())
              + "/s = " + fixed(x, 2) + "x " + peer + " ("
              + thousands(b.rate()) + "/s; need >= 1x)", apps);
  }
  {
    auto x = ratio(res.ls_read, res.rd_read);
    verdict("A" + std::to_string(++n), have_redis && x >= 1.0,
            "1000-entry range reads: logstore "
              + thousands(res.ls_read.rate()) + "/s = " + fixed(x, 2)
              + "x Redis XRANGE (" + thousands(res.rd_read.rate())
              + "/s; need >= 1x)", reads);
  }
  {
    auto& a = res.ls(1, 1);
    auto x = ratio(a, res.caf_echo);
    verdict("A" + std::to_string(++n),
            a.valid() && res.caf_echo.valid() && x >= 0.8,
            "K=1, 1 in flight: logstore " + thousands(a.rate())
              + " appends/s = " + fixed(x, 2)
              + "x CAF's bare request/response rate between two processes ("
              + thousands(res.caf_echo.rate()) + "/s; need >= 0.8x)", apps);
  }
  {
    auto x = ratio(res.ls_four, res.rd_four);
    std::cout << "    reported " << four_clients << " clients x (K="
              << four_clients_k << ", " << four_clients_in_flight
              << " in flight), aggregate: logstore "
              << thousands(res.ls_four.rate()) << "/s = " << fixed(x, 2)
              << "x Redis (" << thousands(res.rd_four.rate())
              << "/s); no threshold\n";
  }
}

} // namespace

void print_verdicts(const options& opt, const results& res, bool have_redis) {
  bool apps = opt.only != "reads", reads = opt.only != "appends";
  std::cout << "\n== targets (measured in this run; ratios are against this "
               "run's Redis)\n";
  {
    auto& a = res.ls(100, 1);
    auto& b = res.rd(100, 1);
    auto x = ratio(a, b);
    verdict("T1", have_redis && x >= 0.5,
            "K=100 stop-and-wait: logstore " + thousands(a.rate())
              + "/s = " + fixed(x, 2) + "x Redis WAIT 2 (" + thousands(b.rate())
              + "/s; need >= 0.5x)", apps);
  }
  {
    auto& a = res.ls(1000, 1);
    auto& b = res.rd(1000, 1);
    auto x = ratio(a, b);
    verdict("T2", have_redis && x >= 0.5,
            "K=1000 stop-and-wait: logstore " + thousands(a.rate()) + "/s = "
              + fixed(x, 2) + "x Redis WAIT 2 (" + thousands(b.rate())
              + "/s; need >= 0.5x)", apps);
  }
  {
    auto& a = res.ls(1, 1);
    verdict("T3", a.valid() && a.p50() <= 1.0,
            "K=1 stop-and-wait: batch p50 " + fixed(a.p50(), 3)
              + " ms (need <= 1 ms); p99 " + fixed(a.p99(), 3) + " ms", apps);
  }
  {
    auto& a = res.ls(100, 8);
    auto& b = res.rd(100, 1);
    auto& b8 = res.rd(100, 8);
    auto x = ratio(a, b);
    verdict("T4", have_redis && x >= 1.0,
            "K=100, 8 in flight: logstore " + thousands(a.rate()) + "/s = "
              + fixed(x, 2) + "x Redis WAIT 2 K=100 (" + thousands(b.rate())
              + "/s; need >= 1x); vs Redis with 8 connections in flight ("
              + thousands(b8.rate()) + "/s): " + fixed(ratio(a, b8), 2) + "x",
            apps);
  }
  {
    auto x = ratio(res.ls_read, res.rd_read);
    verdict("T8", have_redis && x >= 0.25,
            "1000-entry range reads: logstore " + thousands(res.ls_read.rate())
              + "/s = " + fixed(x, 2) + "x Redis XRANGE ("
              + thousands(res.rd_read.rate())
              + "/s; need >= 0.25x, stretch 0.5x: "
              + (x >= 0.5 ? "met" : "not met") + ")", reads);
  }
  {
    auto& a = res.ls(100, 1);
    auto& a8 = res.ls(100, 8);
    verdict("T9", a.valid() && a.p99() <= 5.0,
            "K=100 in memory: batch p99 " + fixed(a.p99(), 3)
              + " ms stop-and-wait (need <= 5 ms); " + fixed(a8.p99(), 3)
              + " ms with 8 in flight",
            apps);
  }
  print_off_master_verdicts(opt, res, have_redis);
  if (opt.durable) {
    // T5: durable (fsync before ack, group commit) vs Redis appendfsync
    // always + WAIT 2, stop-and-wait batches.
    auto k100 = ratio(res.ls(100, 1), res.rd(100, 1));
    auto k1000 = ratio(res.ls(1000, 1), res.rd(1000, 1));
    verdict("T5", have_redis && k100 >= 0.7 && k1000 >= 1.0,
            "durable, stop-and-wait: K=100 " + fixed(k100, 2)
              + "x Redis appendfsync always + WAIT 2 (need >= 0.7x), "
                "K=1000 "
              + fixed(k1000, 2) + "x (need >= 1x)");
    std::cout << "(this was the --durable run: T1-T4, T8, T9 above compare "
                 "durable figures against the in-memory targets; T6, T7, "
                 "T10 not measured here)\n";
  } else {
    std::cout << "(T5 needs --durable; T6, T7, T10: not measured here)\n";
  }
}

} // namespace cluster_bench
