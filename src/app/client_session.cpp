// logstore — client-side session.
#include "app/client_session.hpp"

#include "app/scheduler_tuning.hpp"

#include "actors/protocol.hpp"
#include "net/directory_actor.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <random>
#include <thread>

namespace logstore::app {

client_session::client_session(const client_args& args)
  : args_(args), log_(args.verbose ? log_level::info : log_level::error) {
  // nop
}

client_session::~client_session() {
  if (!sys_)
    return;
  for (auto& a : owned_)
    caf::anon_send_exit(a, caf::exit_reason::kill);
  owned_.clear();
  if (directory_)
    caf::anon_send_exit(directory_, caf::exit_reason::kill);
  directory_ = nullptr;
  sys_.reset();
}

std::string client_session::start() {
  std::string err;
  auto ep = net::parse_endpoint(args_.master, err);
  if (!ep)
    return "--master " + err;
  if (auto bad = net::validate(args_.transport); !bad.empty())
    return bad;
  net::configure(cfg_, args_.transport);
  tune_scheduler(cfg_);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  if (auto bad = net::verify(*sys_, args_.transport); !bad.empty())
    return bad;
  net::directory_options dopts;
  dopts.self = "client";
  dopts.peers["master"] = net::to_string(*ep);
  dopts.tls = args_.transport.tls_enabled();
  dopts.log = &log_;
  dopts.connect_timeout = std::min<time_us>(
    args_.transport.connection_timeout,
    time_us{args_.connect_timeout_ms} * 1000);
  dopts.backoff_max = 1'000'000;
  directory_ = sys_->spawn(net::directory_actor, dopts);
  return {};
}

caf::actor client_session::master(std::string& why) {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + milliseconds{args_.connect_timeout_ms};
  caf::scoped_actor self{*sys_};
  for (;;) {
    caf::actor result;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    self
      ->request(directory_, std::max(left, milliseconds{100}),
                resolve_atom::value, std::string{"master"})
      .receive([&](caf::actor& link) { result = std::move(link); },
               [&](caf::error& err) { why = sys_->render(err); });
    if (result)
      return result;
    if (steady_clock::now() + milliseconds{200} >= deadline)
      return nullptr;
    std::this_thread::sleep_for(milliseconds{200});
  }
}

caf::timespan client_session::request_timeout() const {
  return std::chrono::milliseconds{args_.timeout_ms};
}

uint64_t random_client_id() {
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0)
    id = (uint64_t{rd()} << 32) ^ rd();
  return id;
}

} // namespace logstore::app
