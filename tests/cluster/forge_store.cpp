// logstore — a stray or forged direct write, for tests/cluster/direct_test.sh:
// connects to a storage node as a client would and sends it a store_req of
// a well-formed frame (a valid CRC) that no master granted. A correct node
// refuses it with not_granted and stores nothing (docs/protocol.md, "Direct
// writes").
//
//   forge_store HOST:PORT BATCH_ID [--insecure]
//   exit 0: refused with not_granted (the text on stdout)
//   exit 1: stored, or refused for another reason
//   exit 2: could not connect / bad arguments
#include "actors/protocol.hpp"
#include "app/client_session.hpp"
#include "core/base/frame.hpp"

#include <caf/all.hpp>

#include <iostream>
#include <string>

using namespace logstore;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: forge_store HOST:PORT BATCH_ID [--insecure]\n";
    return 2;
  }
  app::client_args args;
  args.master = argv[1];
  args.connect_timeout_ms = 3000;
  for (int i = 3; i < argc; ++i)
    if (std::string{argv[i]} == "--insecure")
      args.transport.insecure = true;
  app::client_session session{args};
  if (auto err = session.start(); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 2;
  }
  std::string why;
  auto node = session.master(why); // the node listening at that address
  if (!node) {
    std::cerr << "cannot reach " << argv[1] << ": " << why << "\n";
    return 2;
  }
  store_req req;
  req.epoch = 1;
  req.batch = std::stoull(argv[2]);
  std::vector<stored_entry> entries{
    {1'700'000'000'000'001, "forger", "not granted", 4242, 1, 0}};
  encode_batch_frame(req.batch, 4242, 1, entries[0].ts, entries[0].ts,
                     entries, req.frame);
  caf::scoped_actor self{session.system()};
  int rc = 1;
  self->request(node, std::chrono::seconds{5}, req)
    .receive(
      [&](store_ack&) { std::cout << "STORED (the node took a forged write)\n"; },
      [&](caf::error& err) {
        std::cout << describe_error(err, session.system().render(err)) << "\n";
        rc = to_errc(err) == errc::not_granted ? 0 : 1;
      });
  return rc;
}
