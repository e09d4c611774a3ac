// logstore — simulated network and its per-link proxy actors.
#include "sim/network.hpp"

#include "sim/frame_damage.hpp"

#include "core/base/assert.hpp"

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/serializer_impl.hpp>

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

namespace logstore::sim {

namespace {

/// "Node `observer`'s view of actor `target`". It has no mailbox: enqueue()
/// runs in the sender's context and hands the message to the network.
class sim_link final : public caf::monitorable_actor {
public:
  sim_link(caf::actor_config& cfg, network* net, node_index observer,
           node_index target_node, uint32_t incarnation,
           caf::strong_actor_ptr target)
    : caf::monitorable_actor(cfg),
      net_(net),
      observer_(observer),
      target_node_(target_node),
      incarnation_(incarnation),
      target_(std::move(target)) {
    // nop
  }

  const char* name() const override {
    return "sim_link";
  }

  void enqueue(caf::mailbox_element_ptr m, caf::execution_unit*) override {
    if (getf(is_cleaned_up_flag)) {
      // A dead proxy loses messages silently, like a closed socket; still
      // counted, so the report shows traffic to crashed nodes.
      net_->count_lost_to_dead();
      return;
    }
    net_->transmit(observer_, target_node_, target_, incarnation_,
                   std::move(m));
  }

  void on_cleanup(const caf::error& reason) override {
    target_.reset();
    caf::monitorable_actor::on_cleanup(reason);
  }

private:
  network* net_;
  node_index observer_;
  node_index target_node_;
  uint32_t incarnation_;
  caf::strong_actor_ptr target_;
};

/// A "container" for caf::serializer_impl that keeps only the count of
/// bytes written: the binary serializer's own code decides every length
/// (varbyte sizes, strings, type names), so the count is exact, without a
/// byte being copied. serializer_impl only appends at the end (we never
/// seek), so data() is never needed.
struct byte_counter {
  using value_type = char;
  struct iterator {};
  size_t bytes = 0;
  size_t size() const {
    return bytes;
  }
  iterator end() {
    return {};
  }
  void insert(iterator, const value_type* first, const value_type* last) {
    bytes += static_cast<size_t>(last - first);
  }
  void insert(iterator, size_t n, value_type) {
    bytes += n;
  }
  value_type* data() {
    LOGSTORE_ASSERT_MSG(false, "byte_counter holds no bytes");
    return nullptr;
  }
};

std::string short_name(const std::string& portable) {
  constexpr std::string_view prefix = "logstore::";
  if (portable.compare(0, prefix.size(), prefix) == 0)
    return portable.substr(prefix.size());
  return portable;
}

} // namespace

network::network(caf::actor_system& sys, std::vector<std::string> node_names,
                 link_profile defaults, prng rng)
  : sys_(sys), defaults_(defaults), rng_(rng) {
  for (auto& name : node_names)
    nodes_.push_back({std::move(name), true, false, 0, 0, nullptr, -1});
}

network::~network() {
  for (auto& [key, proxy] : proxies_)
    if (auto* ptr = dynamic_cast<sim_link*>(proxy->get()))
      ptr->cleanup(caf::exit_reason::user_shutdown, nullptr);
}

node_index network::index_of(const std::string& name) const {
  for (node_index i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name)
      return i;
  LOGSTORE_ASSERT_MSG(false, name.c_str());
  return 0;
}

void network::bind(node_index n, const caf::actor& main_actor) {
  nodes_[n].main = caf::actor_cast<caf::strong_actor_ptr>(main_actor);
  register_actor(n, main_actor.id());
}

void network::register_actor(node_index n, caf::actor_id id) {
  actor_nodes_[id] = n;
  actor_incarnations_[id] = nodes_[n].incarnation;
}

int64_t network::node_of(caf::actor_id id) const {
  auto i = actor_nodes_.find(id);
  return i == actor_nodes_.end() ? -1 : static_cast<int64_t>(i->second);
}

caf::actor network::resolve(node_index observer, node_index target) {
  auto& t = nodes_[target];
  if (!t.alive || !t.main)
    return {};
  return caf::actor_cast<caf::actor>(proxy_for(observer, t.main));
}

caf::strong_actor_ptr
network::proxy_for(node_index observer, const caf::strong_actor_ptr& target) {
  auto key = std::make_pair(observer, target->id());
  if (auto i = proxies_.find(key); i != proxies_.end())
    return i->second;
  auto tn = node_of(target->id());
  LOGSTORE_ASSERT(tn >= 0);
  auto target_node = static_cast<node_index>(tn);
  caf::actor_config cfg;
  cfg.add_flag(caf::abstract_channel::is_hidden_flag);
  auto proxy = caf::make_actor<sim_link, caf::strong_actor_ptr>(
    sys_.next_actor_id(), sys_.node(), &sys_, cfg, this, observer,
    target_node, actor_incarnations_[target->id()], target);
  proxies_.emplace(key, proxy);
  return proxy;
}

void network::crash(node_index n) {
  auto& node = nodes_[n];
  node.disturbed = now_;
  node.alive = false;
  if (node.paused) {
    node.paused = false;
    --paused_count_;
  }
  node.main.reset();
  // Proxies of the dead incarnation's actors die too: monitors learn it, as
  // they would from a closed TCP connection.
  for (auto i = proxies_.begin(); i != proxies_.end();) {
    auto owner = node_of(i->first.second);
    if (owner == static_cast<int64_t>(n)) {
      if (auto* ptr = dynamic_cast<sim_link*>(i->second->get()))
        ptr->cleanup(caf::exit_reason::remote_link_unreachable, nullptr);
      i = proxies_.erase(i);
    } else {
      ++i;
    }
  }
}

void network::revive(node_index n) {
  auto& node = nodes_[n];
  node.alive = true;
  node.disturbed = now_;
  ++node.incarnation;
}

void network::pause(node_index n) {
  nodes_[n].disturbed = now_;
  if (!nodes_[n].paused) {
    nodes_[n].paused = true;
    ++paused_count_;
  }
}

void network::resume(node_index n) {
  if (nodes_[n].paused) {
    nodes_[n].disturbed = now_;
    nodes_[n].paused = false;
    --paused_count_;
  }
}

void network::set_slow(node_index n, time_us extra) {
  nodes_[n].slow = extra;
}

void network::cut(node_index from, node_index to) {
  cuts_.emplace(from, to);
  nodes_[from].disturbed = nodes_[to].disturbed = now_;
}

void network::uncut(node_index from, node_index to) {
  if (cuts_.erase({from, to}) > 0)
    nodes_[from].disturbed = nodes_[to].disturbed = now_;
}

void network::set_link(node_index a, node_index b, const link_profile& p) {
  overrides_[{a, b}] = p;
  overrides_[{b, a}] = p;
}

void network::clear_link(node_index a, node_index b) {
  overrides_.erase({a, b});
  overrides_.erase({b, a});
}

void network::heal_all() {
  for (auto& [from, to] : cuts_)
    nodes_[from].disturbed = nodes_[to].disturbed = now_;
  cuts_.clear();
  overrides_.clear();
  for (auto& node : nodes_)
    node.slow = 0;
}

const link_profile& network::profile(node_index from, node_index to) const {
  if (overrides_.empty())
    return defaults_;
  auto i = overrides_.find({from, to});
  return i == overrides_.end() ? defaults_ : i->second;
}

time_us network::sample_latency(const link_profile& p) {
  double mean = static_cast<double>(p.latency);
  double jitter = static_cast<double>(p.jitter);
  double x = mean;
  switch (p.distribution) {
    case latency_distribution::constant:
      break;
    case latency_distribution::uniform:
      x = rng_.uniform(mean - jitter, mean + jitter);
      break;
    case latency_distribution::normal:
      x = rng_.normal(mean, jitter);
      break;
    case latency_distribution::pareto:
      // Shape 2.5, scaled so the mean is `latency`: a heavy tail.
      x = std::min(rng_.pareto(mean * 0.6, 2.5), 50.0 * (mean + 1));
      break;
  }
  return std::max<time_us>(static_cast<time_us>(x), 1);
}

void network::mix(uint64_t x) {
  trace_ = XXH64(&x, sizeof(x), trace_);
}

uint64_t network::type_hash(const caf::mailbox_element& m) {
  auto& content = m.content();
  if (content.size() == 0)
    return 0;
  auto rtti = content.type(0);
  auto i = types_.find(rtti.second);
  if (i == types_.end()) {
    auto name = short_name(sys_.types().portable_name(rtti));
    auto h = XXH64(name.data(), name.size(), 0);
    i = types_.emplace(rtti.second, std::make_pair(h, name)).first;
  }
  return i->second.first;
}

void network::check_wire(const caf::mailbox_element& m) {
  // Every message type must survive CAF's serializer, as on the real wire.
  // Checked once per type: an unannounced type fails on first use.
  auto token = m.content().type_token();
  auto name_hash = type_hash(m);
  auto key = static_cast<uint32_t>(token ^ name_hash);
  if (!wire_checked_.insert(key).second)
    return;
  auto original = m.copy_content_to_message();
  std::vector<char> buf;
  caf::binary_serializer sink{sys_, buf};
  auto err = inspect(sink, original);
  caf::message copy;
  caf::binary_deserializer source{sys_, buf};
  if (!err)
    err = inspect(source, copy);
  if (err || copy.type_token() != original.type_token()
      || copy.size() != original.size()) {
    std::fprintf(stderr,
                 "logstore: message %s does not survive the wire: is its type "
                 "announced in register_protocol_types()?\n",
                 caf::to_string(original).c_str());
    std::abort();
  }
}

size_t network::record(node_index from, node_index to,
                       const caf::mailbox_element& m, time_us due) {
  if (recorded_.size() >= record_max_ || from == hidden_ || to == hidden_)
    return SIZE_MAX;
  message_event ev;
  ev.sent_at = now_;
  ev.due = due;
  ev.from = from;
  ev.to = to;
  type_hash(m);
  auto& content = m.content();
  ev.what = content.size() == 0 ? "(empty)"
                                : types_[content.type(0).second].second;
  ev.response = m.mid.is_response();
  ev.outcome = message_event::fate::delivered;
  recorded_.push_back(std::move(ev));
  return recorded_.size() - 1;
}

void network::set_fate(size_t rec, message_event::fate f) {
  if (rec != SIZE_MAX)
    recorded_[rec].outcome = f;
}

void network::count(node_index from, node_index to,
                    const caf::mailbox_element& m) {
  if ((counted_.count(from) == 0 && counted_.count(to) == 0)
      || from == hidden_ || to == hidden_)
    return; // the oracle's probes are not the cluster's traffic
  auto& content = m.content();
  type_hash(m);
  auto name = content.size() == 0 ? std::string{"(empty)"}
                                  : types_[content.type(0).second].second;
  auto& t = stats_.counted[name];
  ++t.messages;
  // The size CAF's binary serializer gives the content (as inspect() of a
  // copied message), counted without copying or writing any byte.
  byte_counter counter;
  caf::serializer_impl<byte_counter> sink{sys_, counter};
  if (!caf::message::save(sink, m.content()))
    t.bytes += counter.bytes;
}

void network::transmit(node_index from, node_index to,
                       caf::strong_actor_ptr target, uint32_t incarnation,
                       caf::mailbox_element_ptr msg) {
  ++stats_.sent;
  check_wire(*msg);
  count(from, to, *msg);
  auto th = type_hash(*msg);
  mix(static_cast<uint64_t>(now_));
  mix((static_cast<uint64_t>(from) << 32) | to);
  mix(th);
  auto rec = record(from, to, *msg, now_);
  auto& p = profile(from, to);
  if (cuts_.count({from, to}) > 0) {
    ++stats_.cut;
    set_fate(rec, message_event::fate::cut);
    mix(1);
    return;
  }
  if (rng_.chance(p.loss)) {
    ++stats_.lost;
    set_fate(rec, message_event::fate::lost);
    mix(2);
    return;
  }
  // The receiver must see the sender through its own proxy, so that the
  // reply crosses the network too.
  if (msg->sender) {
    auto sn = node_of(msg->sender->id());
    if (sn >= 0)
      msg->sender = proxy_for(to, msg->sender);
  }
  // Damage in transit: one bit of one frame. Drawn only when the profile
  // asks for it, so scenarios without it keep their traces.
  if (p.corrupt > 0 && rng_.chance(p.corrupt))
    if (auto damaged = damage_frame(msg->content(), rng_)) {
      ++stats_.corrupted;
      mix(6);
      msg = caf::make_mailbox_element(msg->sender, msg->mid,
                                      std::move(msg->stages),
                                      std::move(*damaged));
    }
  if (rng_.chance(p.duplicate)) {
    ++stats_.duplicated;
    auto copy = caf::make_mailbox_element(msg->sender, msg->mid, msg->stages,
                                          msg->copy_content_to_message());
    schedule({0, 0, from, to, incarnation, target, std::move(copy), SIZE_MAX},
             p);
  }
  schedule({0, 0, from, to, incarnation, std::move(target), std::move(msg),
            rec},
           p);
}

void network::schedule(flight f, const link_profile& p) {
  auto due = now_ + sample_latency(p) + nodes_[f.from].slow + nodes_[f.to].slow;
  auto& last = last_due_[{f.from, f.to}];
  if (rng_.chance(p.reorder))
    ++stats_.reordered; // this one may overtake earlier messages
  else
    due = std::max(due, last); // per-link FIFO, like one TCP connection
  last = std::max(last, due);
  f.due = due;
  f.order = next_order_++;
  mix(static_cast<uint64_t>(due));
  if (f.record != SIZE_MAX)
    recorded_[f.record].due = due;
  in_flight_.push_back(std::move(f));
  std::push_heap(in_flight_.begin(), in_flight_.end(), flight_later{});
}

time_us network::next_due() const {
  return in_flight_.empty() ? -1 : in_flight_.front().due;
}

void network::deliver_due(time_us now) {
  now_ = now;
  while (!in_flight_.empty() && in_flight_.front().due <= now) {
    std::pop_heap(in_flight_.begin(), in_flight_.end(), flight_later{});
    auto f = std::move(in_flight_.back());
    in_flight_.pop_back();
    auto& dst = nodes_[f.to];
    if (!dst.alive || dst.incarnation != f.incarnation) {
      ++stats_.to_dead;
      set_fate(f.record, message_event::fate::dead);
      mix(3);
      continue;
    }
    if (cuts_.count({f.from, f.to}) > 0) {
      ++stats_.cut;
      set_fate(f.record, message_event::fate::cut);
      mix(4);
      continue;
    }
    ++stats_.delivered;
    mix(f.order);
    // A paused node's mailbox still fills (the kernel buffers), it just
    // does not run: the world's scheduler loop skips its actors.
    f.target->get()->enqueue(std::move(f.msg), nullptr);
  }
}

} // namespace logstore::sim
