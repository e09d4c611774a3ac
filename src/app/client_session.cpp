// logstore — client-side session.
#include "app/client_session.hpp"

#include "app/master_list.hpp"
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
  auto list = parse_master_list(args_.master, err);
  if (!list)
    return "--master " + err;
  names_ = list->names;
  for (auto& a : list->addresses)
    addresses_.push_back(net::to_string(a));
  if (auto bad = net::validate(args_.transport); !bad.empty())
    return bad;
  net::configure(cfg_, args_.transport);
  tune_scheduler(cfg_);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  if (auto bad = net::verify(*sys_, args_.transport); !bad.empty())
    return bad;
  net::directory_options dopts;
  dopts.self = "client";
  // Reads fetch from the storage nodes a plan names (at the addresses it
  // gives): those are dialed too.
  dopts.dial_learned = true;
  dopts.peers = list->peers();
  dopts.tls = args_.transport.tls_enabled();
  dopts.log = &log_;
  dopts.connect_timeout = std::min<time_us>(
    args_.transport.connection_timeout,
    time_us{args_.connect_timeout_ms} * 1000);
  dopts.backoff_max = 1'000'000;
  directory_ = sys_->spawn(net::directory_actor, dopts);
  return {};
}

caf::actor client_session::resolve(const std::string& name,
                                   uint32_t deadline_ms, std::string& why) {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + milliseconds{deadline_ms};
  caf::scoped_actor self{*sys_};
  for (;;) {
    caf::actor result;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    self
      ->request(directory_, std::max(left, milliseconds{100}),
                resolve_atom::value, name)
      .receive([&](caf::actor& link) { result = std::move(link); },
               [&](caf::error& err) { why = sys_->render(err); });
    if (result)
      return result;
    if (steady_clock::now() + milliseconds{200} >= deadline)
      return nullptr;
    std::this_thread::sleep_for(milliseconds{200});
  }
}

caf::actor client_session::master(std::string& why) {
  if (names_.size() <= 1)
    return resolve("master", args_.connect_timeout_ms, why);
  // Several: ask each for its status until one says it is active.
  using namespace std::chrono;
  auto deadline = steady_clock::now() + milliseconds{args_.connect_timeout_ms};
  caf::scoped_actor self{*sys_};
  for (;;) {
    caf::actor best;
    uint64_t best_epoch = 0;
    std::string seen;
    for (size_t i = 0; i < names_.size(); ++i) {
      auto& name = names_[i];
      std::string err;
      // A master answers its status in a millisecond; one that is frozen
      // (SIGSTOP, a long pause) must not hold the search up for long.
      auto link = resolve(name, 300, err);
      if (!link) {
        seen += (seen.empty() ? "" : "; ") + name + " unreachable";
        continue;
      }
      self->request(link, milliseconds{300}, status_req{})
        .receive(
          [&](status_reply& st) {
            seen += (seen.empty() ? "" : "; ") + name + " " + st.role
                    + " at epoch " + std::to_string(st.epoch);
            if (st.role == "active" && (!best || st.epoch > best_epoch)) {
              best = link;
              best_epoch = st.epoch;
              active_ = i;
            }
          },
          [&](caf::error& e) {
            seen += (seen.empty() ? "" : "; ") + name + " did not answer ("
                    + sys_->render(e) + ")";
          });
    }
    if (best)
      return best;
    why = "no master is active (" + seen + ")";
    if (steady_clock::now() + milliseconds{300} >= deadline)
      return nullptr;
    std::this_thread::sleep_for(milliseconds{300});
  }
}

std::vector<std::string> client_session::names_active_first() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < names_.size(); ++i)
    out.push_back(names_[(active_ + i) % names_.size()]);
  return out;
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
