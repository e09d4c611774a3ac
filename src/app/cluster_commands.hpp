// logstore — the real-cluster commands: master, storage, append, read,
// status, local, check, certs. Plain option structs (filled by main.cpp, the
// only CLI11 translation unit) and one function per command returning the
// process exit code.
// Layer: app. Exit codes are documented in docs/operations.md.
#pragma once

#include "net/runtime.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore::app {

/// Options every server process shares.
struct server_args {
  std::string listen;          ///< HOST:PORT to publish on
  std::string data_dir;        ///< created if missing; holds the node name
  std::string metrics;         ///< HOST:PORT for /metrics and /healthz
  std::string log_level = "info";
  net::transport_options transport;
};

struct master_args {
  server_args server;
  uint32_t replication_factor = 3;
  uint32_t write_quorum = 0; ///< 0 = all copies
  std::string placement = "random";
  std::string write_path = "direct";
  // Failure detection and repair; empty / 0 = cluster_config's default.
  std::string heartbeat_interval; ///< e.g. "200ms"
  uint32_t suspect_after = 0;     ///< missed heartbeats
  uint32_t dead_after = 0;        ///< missed heartbeats
  std::string store_timeout;      ///< e.g. "2s": wait for a store ack
  std::string repair_grace;       ///< e.g. "2s"
  /// Every master, "HOST:PORT,HOST:PORT,..." (the same list on each; this
  /// one's --listen among them); empty = a single master.
  std::string masters;
  std::string master_timeout; ///< e.g. "3s"; empty = the dead time
};

struct storage_args {
  server_args server;
  std::string master;    ///< HOST:PORT of the master (or every master, a,b,c)
  std::string master_timeout; ///< the masters' --master-timeout; empty = 3 s
  std::string advertise; ///< HOST:PORT others use; default: --listen
  std::string name;      ///< default: from --data-dir, else from the address
  std::string zone;
  std::string fsync = "always"; ///< always | interval | never (with --data-dir)
  uint32_t fsync_interval_ms = 100;
  uint64_t segment_mb = 64;     ///< segment roll size
  /// Test hook (hidden): damage the first N store frames on arrival.
  uint32_t test_corrupt_stores = 0;
};

/// Options every client command shares.
struct client_args {
  std::string master;
  uint32_t timeout_ms = 5000;  ///< per request
  uint32_t connect_timeout_ms = 5000;
  bool verbose = false;        ///< print the transport's JSON log lines
  net::transport_options transport;
};

struct append_args {
  client_args client;
  std::string source = "stdin";
  uint32_t batch_size = 100;
  uint32_t in_flight = 8;
  uint32_t retries = 5;
  uint32_t linger_ms = 100; ///< flush a partial batch after this idle time
  std::string history;      ///< record operations (JSON lines), appending
};

struct read_args {
  client_args client;
  std::string from;
  std::string to;
  std::string output = "jsonl";
  std::string history;
  bool final_read = false; ///< record as the history's final read
};

struct status_args {
  client_args client;
  std::string output = "table";
};

struct drain_args {
  client_args client;
  std::string node;            ///< member to drain
  std::string output = "text"; ///< text or json
};

struct remove_args {
  client_args client;
  std::string node;            ///< member to remove
  bool force = false;          ///< even if copies are lost with it
  std::string output = "text"; ///< text or json
};

struct local_args {
  uint32_t storage_nodes = 3;
  uint32_t masters = 1; ///< 2 or 3: standbys that take over
  uint16_t base_port = 7000;
  uint32_t replication_factor = 0; ///< 0 = min(3, storage_nodes)
  bool metrics = false;            ///< also serve metrics on base+100+i
};

struct check_args {
  std::string history;
  std::string output = "text";
};

struct certs_args {
  std::string dir;
  std::vector<std::string> names{"node"};
  uint32_t days = 365;
};

int run_master(const master_args& args);
int run_storage(const storage_args& args);
int run_append(const append_args& args);
int run_read(const read_args& args);
int run_status(const status_args& args);
int run_drain(const drain_args& args);
int run_remove(const remove_args& args);
int run_local(const local_args& args, const std::string& self_exe);
int run_check(const check_args& args);
int run_certs(const certs_args& args);

} // namespace logstore::app
