// logstore — the roles of a simulated cluster's nodes (node_role.hpp).
#include "core/base/node_role.hpp"

namespace logstore {

namespace {

/// N of "PREFIXN", or 0 when the rest is not 1..999999999 without a
/// leading zero.
uint32_t number_after(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix)
    return 0;
  auto digits = name.substr(prefix.size());
  if (digits.empty() || digits.size() > 9 || digits[0] == '0')
    return 0;
  uint32_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return 0;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  return n;
}

} // namespace

std::string_view numbered_prefix(node_role role) {
  switch (role) {
    case node_role::storage: return "storage-";
    case node_role::client: return "client-";
    case node_role::master: return "master-";
    default: return {};
  }
}

node_id parse_node_id(std::string_view name) {
  if (name == "master")
    return {node_role::master, 0};
  if (name == "oracle")
    return {node_role::oracle, 0};
  if (auto n = number_after(name, "master-"); n >= 2)
    return {node_role::master, n}; // "master" is the first, "master-2" ...
  for (auto role : {node_role::storage, node_role::client})
    if (auto n = number_after(name, numbered_prefix(role)); n > 0)
      return {role, n};
  return {};
}

std::string to_string(node_id id) {
  switch (id.role) {
    case node_role::master:
      return id.number >= 2 ? "master-" + std::to_string(id.number)
                            : std::string{"master"};
    case node_role::oracle: return "oracle";
    case node_role::storage:
    case node_role::client:
      return std::string{numbered_prefix(id.role)} + std::to_string(id.number);
    case node_role::other: break;
  }
  return "?";
}

} // namespace logstore
