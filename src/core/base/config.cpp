// logstore — cluster_config validation and enum names.
#include "core/base/config.hpp"

namespace logstore {

std::string_view to_string(placement_policy x) {
  switch (x) {
    case placement_policy::random: return "random";
    case placement_policy::least_loaded: return "least-loaded";
  }
  return "unknown";
}

std::string_view to_string(write_path_kind x) {
  return x == write_path_kind::direct ? "direct" : "master";
}

bool from_string(std::string_view str, write_path_kind& x) {
  if (str == "master") {
    x = write_path_kind::via_master;
    return true;
  }
  if (str == "direct") {
    x = write_path_kind::direct;
    return true;
  }
  return false;
}

bool from_string(std::string_view str, placement_policy& x) {
  if (str == "random") {
    x = placement_policy::random;
    return true;
  }
  if (str == "least-loaded" || str == "least_loaded") {
    x = placement_policy::least_loaded;
    return true;
  }
  return false;
}

std::string cluster_config::validate() const {
  if (replication_factor < 1 || replication_factor > 8)
    return "replication_factor must be between 1 and 8";
  if (write_quorum > replication_factor)
    return "write_quorum (" + std::to_string(write_quorum)
           + ") must not exceed replication_factor ("
           + std::to_string(replication_factor) + ")";
  if (store_timeout <= 0 || fetch_timeout <= 0)
    return "store_timeout and fetch_timeout must be positive";
  if (heartbeat_interval <= 0)
    return "heartbeat_interval must be positive";
  if (suspect_after_misses < 1 || dead_after_misses <= suspect_after_misses)
    return "need 1 <= suspect_after_misses < dead_after_misses";
  if (batch_entries_max < 1)
    return "batch_entries_max must be at least 1";
  if (dedup_window < 1)
    return "dedup_window must be at least 1";
  if (repair_grace < 0)
    return "repair_grace must not be negative";
  if (repair_inflight_max < 1)
    return "repair_inflight_max must be at least 1";
  if (copy_timeout <= 0)
    return "copy_timeout must be positive";
  if (rebalance_threshold < 0 || rebalance_threshold >= 1)
    return "rebalance_threshold must be in [0, 1)";
  if (retention_time < 0)
    return "retention_time must not be negative";
  if (masters.size() > 7)
    return "at most 7 masters";
  for (size_t i = 0; i < masters.size(); ++i)
    for (size_t j = i + 1; j < masters.size(); ++j)
      if (masters[i] == masters[j])
        return "master " + masters[i] + " is listed twice";
  if (master_timeout < 0 || master_backoff < 0)
    return "master_timeout and master_backoff must not be negative";
  return {};
}

} // namespace logstore
