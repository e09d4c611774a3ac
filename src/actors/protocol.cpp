// logstore — message type registration and error conversion.
#include "actors/protocol.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

#include <any>

namespace logstore {

caf::error make_error(errc code, std::string text) {
  if (text.empty())
    return caf::error{static_cast<uint8_t>(code), error_category};
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(text))};
}

errc to_errc(const caf::error& err) {
  if (err.category() == error_category)
    return static_cast<errc>(err.code());
  // Could not even connect: nothing was sent.
  if (err == caf::sec::cannot_connect_to_node
      || err == caf::sec::no_route_to_receiving_node)
    return errc::unreachable;
  // Everything else (timeouts, a receiver that went down with the request
  // in its mailbox, ...) may or may not have taken effect: when in doubt,
  // indefinite.
  return errc::timeout;
}

std::string describe_error(const caf::error& err, std::string fallback) {
  if (err.category() != error_category)
    return fallback;
  std::string out{to_string(static_cast<errc>(err.code()))};
  auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    out += ": " + ctx.get_as<std::string>(0);
  return out;
}

namespace {

struct message_encoder {
  caf::message operator()(const std::shared_ptr<const shared_store>& s) {
    if (!s->wire.has_value())
      s->wire = caf::make_message(s->req);
    return std::any_cast<caf::message>(s->wire);
  }
  caf::message operator()(const join_nudge&) {
    return caf::make_message(join_atom::value);
  }
  template <class T>
  caf::message operator()(const T& x) {
    return caf::make_message(x);
  }
};

} // namespace

caf::message to_message(const node_message& msg) {
  return std::visit(message_encoder{}, msg);
}

void register_protocol_types(caf::actor_system_config& cfg) {
  // Names are part of the wire protocol: never rename, only add.
  cfg.add_message_type<entry>("logstore::entry")
    .add_message_type<stored_entry>("logstore::stored_entry")
    .add_message_type<time_range>("logstore::time_range")
    .add_message_type<batch_info>("logstore::batch_info")
    .add_message_type<join_req>("logstore::join_req")
    .add_message_type<join_ack>("logstore::join_ack")
    .add_message_type<heartbeat_msg>("logstore::heartbeat_msg")
    .add_message_type<append_req>("logstore::append_req")
    .add_message_type<append_ack>("logstore::append_ack")
    .add_message_type<store_req>("logstore::store_req")
    .add_message_type<store_ack>("logstore::store_ack")
    .add_message_type<store_many_req>("logstore::store_many_req")
    .add_message_type<store_outcome>("logstore::store_outcome")
    .add_message_type<store_many_reply>("logstore::store_many_reply")
    .add_message_type<read_req>("logstore::read_req")
    .add_message_type<read_result>("logstore::read_result")
    .add_message_type<fetch_req>("logstore::fetch_req")
    .add_message_type<fetch_result>("logstore::fetch_result")
    .add_message_type<member_status>("logstore::member_status")
    .add_message_type<status_req>("logstore::status_req")
    .add_message_type<status_reply>("logstore::status_reply")
    .add_message_type<copy_req>("logstore::copy_req")
    .add_message_type<copy_ack>("logstore::copy_ack")
    .add_message_type<delete_req>("logstore::delete_req")
    .add_message_type<block_report_req>("logstore::block_report_req")
    .add_message_type<block_report>("logstore::block_report")
    .add_message_type<drain_req>("logstore::drain_req")
    .add_message_type<lost_ack>("logstore::lost_ack")
    .add_message_type<remove_req>("logstore::remove_req")
    .add_message_type<delete_ack>("logstore::delete_ack")
    .add_message_type<epoch_req>("logstore::epoch_req")
    .add_message_type<epoch_ack>("logstore::epoch_ack")
    .add_message_type<record_req>("logstore::record_req")
    .add_message_type<record_ack>("logstore::record_ack")
    .add_message_type<epoch_notice>("logstore::epoch_notice")
    .add_message_type<master_ping>("logstore::master_ping")
    .add_message_type<master_view>("logstore::master_view")
    .add_message_type<master_info>("logstore::master_info")
    .add_message_type<read_plan_req>("logstore::read_plan_req")
    .add_message_type<plan_node>("logstore::plan_node")
    .add_message_type<planned_batch>("logstore::planned_batch")
    .add_message_type<read_plan_reply>("logstore::read_plan_reply")
    .add_message_type<missing_copies>("logstore::missing_copies")
    .add_message_type<open_span>("logstore::open_span")
    .add_message_type<id_span>("logstore::id_span")
    .add_message_type<placement_req>("logstore::placement_req")
    .add_message_type<placement_reply>("logstore::placement_reply")
    .add_message_type<grant_req>("logstore::grant_req")
    .add_message_type<grant_ack>("logstore::grant_ack")
    .add_message_type<seal_req>("logstore::seal_req")
    .add_message_type<seal_ack>("logstore::seal_ack")
    .add_message_type<committed_batch>("logstore::committed_batch")
    .add_message_type<commit_req>("logstore::commit_req")
    .add_message_type<commit_ack>("logstore::commit_ack");
  cfg.add_error_category(error_category, [](uint8_t code, caf::atom_value,
                                            const caf::message& ctx) {
    std::string result{"logstore::"};
    result += to_string(static_cast<errc>(code));
    if (!ctx.empty())
      result += caf::to_string(ctx);
    return result;
  });
}

} // namespace logstore
