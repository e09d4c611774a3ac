// logstore — `logstore append`: standard input -> batches -> the master.
// Layer: app. The pipeline and retries live in append_driver.cpp; this file
// reads and parses the input, batches it, and prints the summary.
//
// Exit codes: 0 every entry acknowledged by its write quorum; 1 some line
// was malformed, not stored, or maybe stored (each reported on stderr with
// its line numbers); 2 bad options (nothing read).
#include "app/append_driver.hpp"
#include "app/master_proxy.hpp"
#include "app/append_input.hpp"
#include "app/client_session.hpp"
#include "app/cluster_commands.hpp"
#include "app/history_file.hpp"

#include "net/endpoint.hpp"

#include <caf/all.hpp>

#include <iostream>
#include <unistd.h>

namespace logstore::app {

namespace {

struct batcher {
  caf::scoped_actor& self;
  driver_room room;
  caf::actor driver;
  uint64_t client = 0;
  sequence_nr next_seq = 1;
  append_req req;
  std::vector<uint32_t> lines;

  void add(entry e, uint32_t line) {
    req.entries.push_back(std::move(e));
    lines.push_back(line);
  }

  void flush() {
    if (req.entries.empty())
      return;
    req.client = client;
    req.seq = next_seq++;
    room.take(self); // back-pressure, then hand the batch over
    self->send(driver, std::move(req), std::move(lines));
    req = append_req{};
    lines.clear();
  }
};

} // namespace

int run_append(const append_args& args) {
  if (args.batch_size == 0 || args.in_flight == 0)
    return std::cerr << "error: --batch-size and --in-flight must be >= 1\n", 2;
  auto hist = std::make_shared<history>();
  if (!args.history.empty())
    if (auto err = load_history(args.history, *hist); !err.empty())
      return std::cerr << "error: --history " << err << "\n", 2;
  size_t first_new = hist->size();
  client_session session{args.client};
  if (auto err = session.start(); !err.empty())
    return std::cerr << "error: " << err << "\n", 2;
  std::string why;
  auto master = session.master(why);
  driver_options dopts;
  dopts.master = master;
  dopts.in_flight = args.in_flight;
  dopts.policy.retries = args.retries;
  dopts.timeout = session.request_timeout();
  dopts.hist = args.history.empty() ? nullptr : hist;
  auto client = random_client_id();
  dopts.process_base = (client & 0xFFFFFFFFull) << 16;
  if (!master) {
    std::cerr << "append: master " << args.client.master
              << " is unreachable (" << why
              << "); no line will be stored. Is the master running, and "
                 "are --master and the TLS options right?\n";
    dopts.master = caf::actor{}; // every batch fails definitely
  }
  if (master && session.master_names().size() > 1) {
    // Several masters: each attempt goes to the one taken for active, and
    // the next attempt to the next master after a failure (failover).
    auto proxy = session.system().spawn(master_proxy, session.directory(),
                                        session.names_active_first(),
                                        session.request_timeout());
    session.own(proxy);
    dopts.master = proxy;
  }
  if (master) {
    // Direct writes when the cluster takes them (the first placement_req
    // tells); the entries then never cross the master.
    dopts.directory = session.directory();
    dopts.masters = session.names_active_first();
    dopts.client = client;
  }
  auto driver = session.system().spawn(append_driver, dopts);
  session.own(driver);
  caf::scoped_actor self{session.system()};
  batcher b{self, driver_room{driver}, driver, client, 1, {}, {}};
  line_source input{STDIN_FILENO};
  std::string line, bad;
  uint32_t lineno = 0, malformed = 0;
  for (;;) {
    auto wait = b.req.entries.empty() ? -1 : int64_t{args.linger_ms} * 1000;
    auto got = input.next(line, wait);
    if (got == read_status::eof)
      break;
    if (got == read_status::idle) {
      b.flush();
      continue;
    }
    ++lineno;
    entry e;
    auto kind = parse_input_line(line, net::wall_now_us(), args.source, e, bad);
    if (kind == line_kind::malformed) {
      ++malformed;
      std::cerr << "append: line " << lineno << ": malformed, skipped: " << bad
                << "\n";
    } else if (kind == line_kind::entry) {
      b.add(std::move(e), lineno);
      if (b.req.entries.size() >= args.batch_size)
        b.flush();
    }
  }
  b.flush();
  auto [acked, not_stored, maybe] = b.room.drain(self);
  if (!args.history.empty())
    if (auto err = append_history(args.history, *hist, first_new); !err.empty())
      std::cerr << "append: " << err << "\n";
  std::cerr << "append: " << acked << " entries acknowledged, " << not_stored
            << " not stored, " << maybe << " maybe stored, " << malformed
            << " malformed lines skipped (" << lineno << " lines read)\n";
  return (not_stored == 0 && maybe == 0 && malformed == 0) ? 0 : 1;
}

} // namespace logstore::app
