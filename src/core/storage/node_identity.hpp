// logstore — who a storage node is, kept in its data directory.
// Layer: core. Pure encode/decode plus load/save through `disk`.
//
// A data directory belongs to one node. The first start writes "identity"
// (the node's name and an incarnation id drawn once); every later start
// reads it, so a restart without --name keeps the name, a different --name
// is refused, and a copy of another node's directory is recognizable (same
// name and incarnation at another address: the master refuses the join
// while the original is live; docs/protocol.md, "Rejoin").
//
// File "identity", text: a header line, "name<TAB>N", "incarnation<TAB>I",
// "end". Written to "identity.new", synced, then renamed (atomic).
#pragma once

#include "core/base/disk.hpp"
#include "core/base/node_names.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <string>

namespace logstore {

struct node_identity {
  node_name name;
  uint64_t incarnation = 0; ///< never 0 once created

  std::string encode() const;
  /// False (and `err` says where) on a malformed file.
  static bool decode(const std::string& text, node_identity& out,
                     std::string& err);
};

enum class identity_status : uint8_t {
  found,   ///< `out` holds the stored identity
  absent,  ///< no identity file: a new (or pre-identity) data directory
  damaged, ///< unreadable or malformed: `err` says why
};

identity_status load_identity(disk& d, node_identity& out, std::string& err);

/// Writes the identity durably. REQUIRES: no identity file exists yet.
disk_status save_identity(disk& d, const node_identity& id);

} // namespace logstore
