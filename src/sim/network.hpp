// logstore — the simulated network: every cross-node message passes through a
// per-link proxy (sim_link) into this object, which decides its fate with the
// seeded generator — latency (with jitter and a distribution), loss,
// duplication, reordering, partitions — and delivers it at its virtual due
// time. Crashed and paused nodes are modelled here too.
// Layer: sim. Same shape as CAF's own remote proxies: the receiver sees a
// proxy of the sender, so replies and errors cross the network as well.
//
// Invariants:
//  1. a message is delivered only to the incarnation it was sent to.
//  2. nothing crosses a cut link: checked at send and again at arrival.
//  3. in_flight_ is a min-heap on (due, order); order is unique and
//     increasing, so equal due times keep sending order (deterministic).
#pragma once

#include "core/base/prng.hpp"
#include "core/base/types.hpp"
#include "scenario/scenario.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/mailbox_element.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace logstore::sim {

using node_index = uint32_t;

struct network_stats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;        ///< random loss
  uint64_t cut = 0;         ///< dropped by a partition
  uint64_t to_dead = 0;     ///< arrived at a crashed node / old incarnation
  uint64_t duplicated = 0;
  uint64_t reordered = 0;
  uint64_t corrupted = 0;   ///< a frame damaged in transit ([network] corrupt)
  /// Messages to or from the nodes marked with count_traffic (the
  /// masters), by short type name: how much of the cluster's traffic the
  /// master carries (docs/simulation.md, "Traffic through the master").
  struct traffic {
    uint64_t messages = 0;
    uint64_t bytes = 0; ///< as CAF's binary serializer writes the content
  };
  std::map<std::string, traffic> counted;
};

/// One observed message, for diagrams (Mermaid, Perfetto) and the trace.
struct message_event {
  time_us sent_at = 0;
  time_us due = 0;
  node_index from = 0;
  node_index to = 0;
  std::string what;   ///< short type name, e.g. "store_req"
  bool response = false;
  enum class fate : uint8_t { delivered, lost, cut, dead } outcome;
};

class network {
public:
  network(caf::actor_system& sys, std::vector<std::string> node_names,
          link_profile defaults, prng rng);
  ~network();

  // --- topology -----------------------------------------------------------
  node_index index_of(const std::string& name) const;
  const std::string& name_of(node_index n) const {
    return nodes_[n].name;
  }
  size_t node_count() const {
    return nodes_.size();
  }

  /// Binds a freshly spawned actor to node n (its current incarnation).
  void bind(node_index n, const caf::actor& main_actor);
  /// Registers any further actor that lives on node n.
  void register_actor(node_index n, caf::actor_id id);
  /// The node an actor lives on, or -1 if unknown.
  int64_t node_of(caf::actor_id id) const;

  /// Proxy of node `target`'s current main actor as seen from `observer`;
  /// invalid handle if the target is crashed.
  caf::actor resolve(node_index observer, node_index target);

  // --- faults -------------------------------------------------------------
  void crash(node_index n);   ///< marks dead; caller kills the actors
  void revive(node_index n);  ///< new incarnation; caller spawns & binds
  bool alive(node_index n) const {
    return nodes_[n].alive;
  }
  void pause(node_index n);
  void resume(node_index n);
  bool paused(node_index n) const {
    return nodes_[n].paused;
  }
  bool any_paused() const {
    return paused_count_ > 0;
  }
  void set_slow(node_index n, time_us extra);
  void cut(node_index from, node_index to);
  bool is_cut(node_index from, node_index to) const {
    return cuts_.count({from, to}) > 0;
  }
  /// Last virtual time node n's reachability changed (crash, restart,
  /// pause, resume, cut or heal of one of its links); -1 = never.
  time_us last_disturbed(node_index n) const {
    return nodes_[n].disturbed;
  }
  /// Messages from or to node n are not kept for diagrams (the oracle).
  void hide_from_diagrams(node_index n) {
    hidden_ = n;
  }
  /// Messages from or to node n are counted by type and size in
  /// network_stats::counted. Counting changes nothing that is sent.
  void count_traffic(node_index n) {
    counted_.insert(n);
  }
  void uncut(node_index from, node_index to);
  void set_link(node_index a, node_index b, const link_profile& p);
  void clear_link(node_index a, node_index b);
  /// Removes every partition, link override and slowness.
  void heal_all();

  // --- the clock's side ---------------------------------------------------
  /// Called by sim_link::enqueue in the sender's context.
  void transmit(node_index from, node_index to, caf::strong_actor_ptr target,
                uint32_t incarnation, caf::mailbox_element_ptr msg);

  /// A message sent through the proxy of a crashed incarnation.
  void count_lost_to_dead() {
    ++stats_.sent;
    ++stats_.to_dead;
    mix(5);
  }

  /// Due time of the earliest message in flight, or -1 if none.
  time_us next_due() const;

  /// Delivers every message due at or before `now`.
  void deliver_due(time_us now);

  void set_now(time_us now) {
    now_ = now;
  }

  const network_stats& stats() const {
    return stats_;
  }
  uint64_t trace_hash() const {
    return trace_;
  }

  /// Keep up to `n` message events for diagrams (0 = none).
  void record_messages(size_t n) {
    record_max_ = n;
  }
  const std::vector<message_event>& messages() const {
    return recorded_;
  }

private:
  struct node_info {
    std::string name;
    bool alive = true;
    bool paused = false;
    uint32_t incarnation = 0;
    time_us slow = 0;
    caf::strong_actor_ptr main;
    time_us disturbed = -1;
  };
  struct flight {
    time_us due;
    uint64_t order;
    node_index from;
    node_index to;
    uint32_t incarnation;
    caf::strong_actor_ptr target;
    caf::mailbox_element_ptr msg;
    size_t record = SIZE_MAX;
  };
  struct flight_later {
    bool operator()(const flight& x, const flight& y) const {
      return x.due != y.due ? x.due > y.due : x.order > y.order;
    }
  };

  const link_profile& profile(node_index from, node_index to) const;
  time_us sample_latency(const link_profile& p);
  void schedule(flight f, const link_profile& p);
  caf::strong_actor_ptr proxy_for(node_index observer,
                                  const caf::strong_actor_ptr& target);
  uint64_t type_hash(const caf::mailbox_element& m);
  void check_wire(const caf::mailbox_element& m);
  void mix(uint64_t x);
  void count(node_index from, node_index to, const caf::mailbox_element& m);
  size_t record(node_index from, node_index to, const caf::mailbox_element& m,
                time_us due);
  void set_fate(size_t rec, message_event::fate f);

  caf::actor_system& sys_;
  std::vector<node_info> nodes_;
  std::unordered_map<caf::actor_id, node_index> actor_nodes_;
  std::unordered_map<caf::actor_id, uint32_t> actor_incarnations_;
  std::map<std::pair<node_index, caf::actor_id>, caf::strong_actor_ptr>
    proxies_;
  link_profile defaults_;
  std::map<std::pair<node_index, node_index>, link_profile> overrides_;
  std::set<std::pair<node_index, node_index>> cuts_;
  std::map<std::pair<node_index, node_index>, time_us> last_due_;
  std::vector<flight> in_flight_;
  uint64_t next_order_ = 0;
  time_us now_ = 0;
  prng rng_;
  network_stats stats_;
  uint64_t trace_ = 0x6c6f6773746f7265ull;
  size_t paused_count_ = 0;
  std::unordered_map<const void*, std::pair<uint64_t, std::string>> types_;
  std::set<uint32_t> wire_checked_;
  size_t record_max_ = 0;
  node_index hidden_ = UINT32_MAX;
  std::set<node_index> counted_;
  std::vector<message_event> recorded_;
};

} // namespace logstore::sim
