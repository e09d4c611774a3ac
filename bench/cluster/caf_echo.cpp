// logstore — cluster_bench: CAF's bare request/response rate.
#include "cluster/caf_echo.hpp"

#include "app/scheduler_tuning.hpp"
#include "cluster/common.hpp"
#include "net/runtime.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace cluster_bench {

namespace {

caf::behavior echo_actor() {
  return {[](uint64_t x) { return x; }};
}

} // namespace

int run_echo_server(uint16_t port) {
  caf::actor_system_config cfg;
  logstore::net::transport_options transport;
  transport.insecure = true;
  logstore::net::configure(cfg, transport);
  logstore::app::tune_scheduler(cfg);
  caf::actor_system sys{cfg};
  auto echo = sys.spawn(echo_actor);
  auto bound = sys.middleman().publish(echo, port, "127.0.0.1", true);
  if (!bound) {
    std::cerr << "echo server: cannot publish on 127.0.0.1:" << port << ": "
              << sys.render(bound.error()) << "\n";
    return 1;
  }
  std::cerr << "echo server on 127.0.0.1:" << *bound << "\n";
  for (;;)
    ::pause(); // until cluster_bench stops it (SIGTERM / PR_SET_PDEATHSIG)
}

round_result caf_echo_round(caf::actor_system& sys, uint16_t port,
                            double secs) {
  auto echo = sys.middleman().remote_actor("127.0.0.1", port);
  if (!echo)
    throw std::runtime_error("cannot connect to the CAF echo server: "
                             + sys.render(echo.error()));
  caf::scoped_actor self{sys};
  std::vector<double> lat;
  lat.reserve(1 << 16);
  uint64_t ok = 0, bad = 0;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto t = clk::now();
    self->request(*echo, std::chrono::seconds{5}, ok)
      .receive([&](uint64_t) { ++ok; }, [&](caf::error&) { ++bad; });
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
  }
  return summarize(ok, seconds_since(t0), lat, bad);
}

} // namespace cluster_bench
