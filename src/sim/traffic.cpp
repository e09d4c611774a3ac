// logstore — the traffic through the master (traffic.hpp).
#include "sim/traffic.hpp"

namespace logstore::sim {

const char* path_of(const std::string& type) {
  static const char* write_types[]
    = {"append_req",      "append_ack", "store_req",  "store_ack",
       "placement_req",   "placement_reply", "grant_req", "grant_ack",
       "commit_req",      "commit_ack", "store_many_req", "store_many_reply"};
  static const char* read_types[]
    = {"read_req",      "read_result",     "fetch_req",     "fetch_result",
       "read_plan_req", "read_plan_reply", "missing_copies"};
  for (auto* t : write_types)
    if (type == t)
      return "write";
  for (auto* t : read_types)
    if (type == t)
      return "read";
  return "other";
}

master_traffic master_traffic_of(const run_result& r) {
  master_traffic out;
  for (auto& [type, t] : r.net.counted) {
    std::string path = path_of(type);
    if (path == "write") {
      out.write_messages += t.messages;
      out.write_bytes += t.bytes;
    } else if (path == "read") {
      out.read_messages += t.messages;
      out.read_bytes += t.bytes;
    }
  }
  out.appends = r.check.appends_invoked;
  out.reads = r.check.reads_invoked;
  return out;
}

} // namespace logstore::sim
