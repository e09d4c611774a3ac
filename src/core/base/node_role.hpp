// logstore — the roles of a simulated cluster's nodes, as a type: the
// simulator and the scenario language name their nodes "master",
// "storage-N", "client-N" and "oracle" (src/scenario/scenario.cpp,
// node_names), and classify them with parse_node_id, never by string
// prefix. Layer: core/base (vocabulary).
//
// A real cluster's storage nodes may have any valid name
// (node_names.hpp); this type is only for the names the simulator gives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logstore {

enum class node_role : uint8_t {
  master,
  storage,
  client,
  oracle,
  other, ///< not a name the simulator gives
};

/// A simulated node: its role and, for storage nodes and clients, its
/// number (1, 2, ...; 0 for master and oracle).
struct node_id {
  node_role role = node_role::other;
  uint32_t number = 0;

  bool is(node_role r) const {
    return role == r;
  }
};

/// "master", "oracle", "storage-N" and "client-N" (N = 1, 2, ... in
/// decimal, no leading zero, at most 9 digits), and "master-N" (N >= 2:
/// the further masters of a cluster with several); anything else is
/// `other`. "master" has number 0.
node_id parse_node_id(std::string_view name);

/// The name of a simulated node: "storage-3", "master", ...
std::string to_string(node_id id);

/// Shorthands for parse_node_id(name).role == ...
inline bool is_storage_name(std::string_view name) {
  return parse_node_id(name).is(node_role::storage);
}
inline bool is_client_name(std::string_view name) {
  return parse_node_id(name).is(node_role::client);
}
inline bool is_master_name(std::string_view name) {
  return parse_node_id(name).is(node_role::master);
}

/// "storage-", "client-" or "master-": the prefix of a numbered role;
/// empty otherwise.
std::string_view numbered_prefix(node_role role);

} // namespace logstore
