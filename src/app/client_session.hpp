// logstore — what the client commands (append, read, status) share: a small
// actor system with the middleman, a directory that knows only "master",
// and a blocking way to get the master's link with a deadline.
// Layer: app. Blocking (scoped_actor) is allowed here, never in src/actors.
#pragma once

#include "app/cluster_commands.hpp"
#include "net/json_log.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <memory>
#include <string>
#include <vector>

namespace logstore::app {

class client_session {
public:
  explicit client_session(const client_args& args);
  ~client_session();

  /// Validates the options and starts CAF. Empty on success; otherwise an
  /// error sentence (the caller exits with 2).
  std::string start();

  /// The master's link, connecting if needed, retrying until the connect
  /// deadline. With several masters: the one that answers as active (a
  /// standby names nobody for long: a failover takes seconds). Null +
  /// `why` when no (active) master can be reached.
  caf::actor master(std::string& why);

  /// The masters' names ("master", "master-2", ...) and addresses, in the
  /// order of --master.
  const std::vector<std::string>& master_names() const {
    return names_;
  }
  const std::vector<std::string>& master_addresses() const {
    return addresses_;
  }
  /// The names again, the one master() last found active first.
  std::vector<std::string> names_active_first() const;

  /// The link of master `name`, or null (+ `why`) before `deadline_ms`.
  caf::actor resolve(const std::string& name, uint32_t deadline_ms,
                     std::string& why);

  /// The node directory (it resolves master names to links).
  const caf::actor& directory() const {
    return directory_;
  }

  caf::actor_system& system() {
    return *sys_;
  }

  /// Per-request timeout as a CAF duration.
  caf::timespan request_timeout() const;

  /// Kills `a` at shutdown (before the system goes away).
  void own(caf::actor a) {
    owned_.push_back(std::move(a));
  }

private:
  client_args args_;
  net::json_log log_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::actor directory_;
  std::vector<caf::actor> owned_;
  std::vector<std::string> names_;
  std::vector<std::string> addresses_;
  size_t active_ = 0; ///< index in names_ of the master last found active
};

/// A random client id (64 bits from std::random_device): two runs of
/// `logstore append` must never share (client, seq) pairs.
uint64_t random_client_id();

} // namespace logstore::app
