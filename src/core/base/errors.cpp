// logstore — error code names and the definite/indefinite split.
#include "core/base/errors.hpp"

namespace logstore {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::none: return "none";
    case errc::not_enough_nodes: return "not_enough_nodes";
    case errc::replication_failed: return "replication_failed";
    case errc::malformed_request: return "malformed_request";
    case errc::timeout: return "timeout";
    case errc::unavailable: return "unavailable";
    case errc::batch_not_found: return "batch_not_found";
    case errc::unreachable: return "unreachable";
    case errc::store_refused: return "store_refused";
    case errc::stale_epoch: return "stale_epoch";
    case errc::in_doubt: return "in_doubt";
    case errc::name_in_use: return "name_in_use";
    case errc::precondition_failed: return "precondition_failed";
    case errc::not_active: return "not_active";
    case errc::corrupt_frame: return "corrupt_frame";
    case errc::not_granted: return "not_granted";
  }
  return "unknown";
}

errc errc_from_wire(uint64_t code) {
  return code <= static_cast<uint64_t>(errc::not_granted)
           ? static_cast<errc>(code)
           : errc::timeout;
}

bool is_definite(errc code) {
  switch (code) {
    case errc::none:
    case errc::not_enough_nodes:
    case errc::replication_failed:
    case errc::malformed_request:
    case errc::unavailable:
    case errc::batch_not_found:
    case errc::unreachable:
    case errc::store_refused:
    case errc::stale_epoch:
    case errc::name_in_use:
    case errc::precondition_failed:
    case errc::corrupt_frame:
    case errc::not_granted:
      return true;
    case errc::timeout:
    case errc::in_doubt:
    case errc::not_active:
      return false;
  }
  return false;
}

} // namespace logstore
