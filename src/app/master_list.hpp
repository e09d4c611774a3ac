// logstore — the masters of a cluster as the command line gives them
// (`--masters A,B,C` on a master, `--master A,B,C` on storage nodes and
// clients): the same list everywhere, in the same order. The first address
// is "master", the second "master-2", and so on (the names the protocol
// uses, docs/protocol.md, "Master failover"). Layer: app.
#pragma once

#include "net/endpoint.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace logstore::app {

struct master_list {
  std::vector<std::string> names;        ///< "master", "master-2", ...
  std::vector<net::endpoint> addresses;  ///< in the same order

  bool several() const {
    return names.size() > 1;
  }
  /// name -> "host:port", for a node directory.
  std::map<std::string, std::string> peers() const;
};

/// "HOST:PORT[,HOST:PORT...]": at most 7, no address twice. nullopt with
/// `err` (what is wrong and how to write it) otherwise.
std::optional<master_list> parse_master_list(const std::string& text,
                                             std::string& err);

} // namespace logstore::app
