// logstore — `logstore read`, `logstore status` and `logstore drain`: one
// request each to the master through the directory, with a finite timeout.
// Layer: app.
//
// Exit codes. read: 0 complete; 1 incomplete (missing ranges on stderr);
// 2 bad options (inverted range, bad time) or the master unreachable / no
// answer. status: 0 healthy; 1 unhealthy; 2 master unreachable. drain: 0
// safe to remove; 1 not yet; 2 unknown node or master unreachable.
// remove: 0 removed; 1 refused (precondition); 2 unknown node or master
// unreachable.
#include "actors/direct_read.hpp"
#include "app/client_session.hpp"
#include "app/cluster_commands.hpp"
#include "app/history_file.hpp"

#include "actors/protocol.hpp"
#include "net/endpoint.hpp"
#include "core/base/json_text.hpp"

#include <caf/all.hpp>

#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <random>

namespace logstore::app {

namespace {

void print_entries(const read_result& res, const std::string& format) {
  std::string out;
  out.reserve(1 << 16);
  if (format == "table")
    out += "TIME                         SOURCE            MESSAGE\n";
  for (auto& e : res.entries) {
    if (format == "table") {
      auto when = net::format_rfc3339(e.ts);
      char head[96];
      std::snprintf(head, sizeof(head), "%-28s %-17s ", when.c_str(),
                    e.source.c_str());
      out += head;
      out += e.payload;
      out += '\n';
    } else {
      out += "{\"ts\":";
      out += std::to_string(e.ts);
      out += ",\"source\":";
      append_json_string(out, e.source);
      out += ",\"msg\":";
      append_json_string(out, e.payload);
      out += "}\n";
    }
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

history_event read_event(const history& h, uint64_t process, op_type type,
                         op_fn f, time_range range) {
  history_event ev;
  ev.time = std::max(monotonic_us(),
                     h.size() > 0 ? h.events().back().time : time_us{0});
  ev.process = process;
  ev.type = type;
  ev.f = f;
  ev.range = range;
  ev.node = "master";
  return ev;
}

std::string pad(std::string s, size_t n) {
  if (s.size() < n)
    s.resize(n, ' ');
  return s + " ";
}

/// One master as `logstore status` saw it.
struct master_row {
  std::string name;
  std::string address;
  std::string role; ///< "active", "standby" or "unreachable"
  uint64_t epoch = 0;
};

void print_masters_table(const std::vector<master_row>& masters) {
  std::cout << pad("MASTER", 24) << pad("ADDRESS", 22) << pad("ROLE", 12)
            << "EPOCH\n";
  for (auto& m : masters)
    std::cout << pad(m.name, 24) << pad(m.address, 22) << pad(m.role, 12)
              << (m.role == "unreachable" ? "-" : std::to_string(m.epoch))
              << "\n";
  std::cout << "\n";
}

void print_status_table(const status_reply& st, bool healthy) {
  std::cout << pad("NAME", 24) << pad("ADDRESS", 22) << pad("ZONE", 8)
            << pad("STATE", 10) << pad("BATCHES", 10) << pad("BYTES", 12)
            << "REMOVABLE\n";
  for (auto& m : st.members)
    std::cout << pad(m.name, 24) << pad(m.address, 22)
              << pad(m.zone.empty() ? "-" : m.zone, 8) << pad(m.state, 10)
              << pad(std::to_string(m.batches), 10)
              << pad(std::to_string(m.bytes), 12)
              << (m.safe_to_remove ? "yes" : "no")
              << (m.draining ? " (draining)" : "") << "\n";
  std::cout << "replication factor " << st.replication_factor
            << ", write quorum " << st.write_quorum << ", epoch " << st.epoch
            << ", " << st.batches << " batches, " << st.under_replicated
            << " under-replicated, " << st.lost_batches << " lost, "
            << st.repairs_pending
            << " repairs pending, " << st.repairs_done << " repair copies, "
            << st.moves_done << " moves\n"
            << (healthy ? "cluster is healthy\n" : "cluster is UNHEALTHY\n");
}

/// ,"batches":..,"bytes":..,"draining":..,"safe_to_remove":..,...
std::string member_fields_json(const member_status& m) {
  return ",\"batches\":" + std::to_string(m.batches)
         + ",\"bytes\":" + std::to_string(m.bytes) + ",\"draining\":"
         + (m.draining ? "true" : "false") + ",\"safe_to_remove\":"
         + (m.safe_to_remove ? "true" : "false")
         + ",\"needed\":" + std::to_string(m.needed)
         + ",\"sole\":" + std::to_string(m.sole);
}

/// {"name":..,"state":..,...}
std::string member_json(const member_status& m) {
  std::string out = "{\"name\":";
  append_json_string(out, m.name);
  out += ",\"state\":";
  append_json_string(out, m.state);
  return out + member_fields_json(m) + "}";
}

/// What a drain poll means, in words that are true for every state.
std::string drain_verdict(const member_status& m) {
  auto head = m.name + " (" + m.state + ") is draining: " + std::to_string(m.batches)
              + " batch(es) still list it";
  if (m.state == "unreported")
    return head + "; it has not reported since the master restarted, so "
                  "what it holds is unknown: NOT safe to remove yet (start "
                  "it so it reports)";
  if (m.safe_to_remove)
    return head + (m.batches > 0 ? ", each with enough copies elsewhere"
                                 : std::string{})
           + ": SAFE to remove now (stop it, then: logstore remove "
           + m.name + ")";
  auto out = head + "; " + std::to_string(m.needed)
             + " of them need it (fewer copies elsewhere than the "
               "replication factor)";
  if (m.sole > 0)
    out += ", " + std::to_string(m.sole) + " have no other live copy";
  if (m.sole > 0)
    return out + ": NOT safe to remove; start it again so they can be "
                 "copied (or give them up: logstore remove --force)";
  return out + (m.state == "dead" ? ": NOT safe to remove yet; repair "
                                    "copies them once its grace period "
                                    "has passed"
                                  : ": NOT safe to remove yet; copying");
}

void print_status_json(const status_reply& st, bool healthy,
                       const std::vector<master_row>& masters) {
  std::string out = "{\"healthy\":";
  out += healthy ? "true" : "false";
  out += ",\"masters\":[";
  for (size_t i = 0; i < masters.size(); ++i) {
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    append_json_string(out, masters[i].name);
    out += ",\"address\":";
    append_json_string(out, masters[i].address);
    out += ",\"role\":";
    append_json_string(out, masters[i].role);
    out += ",\"epoch\":" + std::to_string(masters[i].epoch) + "}";
  }
  out += "],\"failovers\":" + std::to_string(st.failovers);
  out += ",\"epoch\":" + std::to_string(st.epoch)
         + ",\"replication_factor\":" + std::to_string(st.replication_factor)
         + ",\"write_quorum\":" + std::to_string(st.write_quorum)
         + ",\"batches\":" + std::to_string(st.batches)
         + ",\"under_replicated\":" + std::to_string(st.under_replicated)
         + ",\"lost_batches\":" + std::to_string(st.lost_batches)
         + ",\"repairs_done\":" + std::to_string(st.repairs_done)
         + ",\"repairs_pending\":" + std::to_string(st.repairs_pending)
         + ",\"moves_done\":" + std::to_string(st.moves_done)
         + ",\"members\":[";
  for (size_t i = 0; i < st.members.size(); ++i) {
    auto& m = st.members[i];
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    append_json_string(out, m.name);
    out += ",\"address\":";
    append_json_string(out, m.address);
    out += ",\"zone\":";
    append_json_string(out, m.zone);
    out += ",\"state\":";
    append_json_string(out, m.state);
    out += member_fields_json(m) + "}";
  }
  out += "]}\n";
  std::cout << out;
}

/// Starts the session and resolves the master. On failure prints why and
/// returns an invalid handle (the caller exits with 2).
caf::actor reach_master(client_session& session, const client_args& client) {
  if (auto bad = session.start(); !bad.empty()) {
    std::cerr << "error: " << bad << "\n";
    return {};
  }
  std::string why;
  auto master = session.master(why);
  if (!master)
    std::cerr << "error: master " << client.master << " is unreachable ("
              << why << ")\n";
  return master;
}

} // namespace

int run_read(const read_args& args) {
  std::string err;
  auto from = net::parse_time_arg(args.from, err);
  if (!from)
    return std::cerr << "error: --from " << err << "\n", 2;
  auto to = net::parse_time_arg(args.to, err);
  if (!to)
    return std::cerr << "error: --to " << err << "\n", 2;
  if (*from > *to)
    return std::cerr << "error: inverted range: --from " << args.from
                     << " is after --to " << args.to
                     << " (both ends are inclusive; swap them)\n",
           2;
  history hist;
  if (!args.history.empty())
    if (auto bad = load_history(args.history, hist); !bad.empty())
      return std::cerr << "error: --history " << bad << "\n", 2;
  auto first_new = hist.size();
  client_session session{args.client};
  auto master = reach_master(session, args.client);
  if (!master)
    return 2;
  auto f = args.final_read ? op_fn::final_read : op_fn::read;
  time_range range{*from, *to};
  auto process = (uint64_t{std::random_device{}()} << 16) | 0xFFFF;
  hist.add(read_event(hist, process, op_type::invoke, f, range));
  int rc = 2;
  // The master gives the plan; the reader fetches from the storage nodes
  // and merges (actors/direct_read.hpp): no entry crosses the master.
  auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(
                   session.request_timeout())
                   .count();
  auto reader = session.system().spawn(reader_actor, session.directory(),
                                       session.names_active_first().front(),
                                       static_cast<time_us>(timeout));
  caf::scoped_actor self{session.system()};
  self->request(reader, session.request_timeout() + std::chrono::seconds{1},
                read_req{*from, *to})
    .receive(
      [&](read_result& res) {
        print_entries(res, args.output);
        auto ev = read_event(hist, process, op_type::ok, f, range);
        for (auto& e : res.entries)
          ev.entries.push_back({e.client, e.seq, e.index, e.ts, e.source});
        ev.complete = res.complete;
        ev.missing = res.missing;
        hist.add(std::move(ev));
        rc = res.complete ? 0 : 1;
        for (auto& m : res.missing)
          std::cerr << "read: INCOMPLETE: no live replica holds entries in ["
                    << m.from << ", " << m.to << "] ("
                    << net::format_rfc3339(m.from) << " .. "
                    << net::format_rfc3339(m.to) << ")\n";
      },
      [&](caf::error& e) {
        auto ev = read_event(hist, process, op_type::fail, f, range);
        ev.error = to_errc(e);
        hist.add(std::move(ev));
        std::cerr << "error: read failed: " << describe_error(e, session.system().render(e))
                  << "\n";
      });
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
  if (!args.history.empty())
    if (auto bad = append_history(args.history, hist, first_new); !bad.empty())
      std::cerr << "read: " << bad << "\n";
  return rc;
}

int run_status(const status_args& args) {
  client_session session{args.client};
  if (auto bad = session.start(); !bad.empty())
    return std::cerr << "error: " << bad << "\n", 2;
  // Every master's own answer (role, epoch); the active one's view of the
  // cluster.
  auto& names = session.master_names();
  std::vector<master_row> masters;
  std::optional<status_reply> view;
  std::string why;
  caf::scoped_actor self{session.system()};
  for (size_t i = 0; i < names.size(); ++i) {
    master_row row{names[i], session.master_addresses()[i], "unreachable", 0};
    std::string err;
    auto wait = names.size() > 1 ? std::min<uint32_t>(
                                     1000, args.client.connect_timeout_ms)
                                 : args.client.connect_timeout_ms;
    if (auto link = session.resolve(names[i], wait, err)) {
      self->request(link, session.request_timeout(), status_req{})
        .receive(
          [&](status_reply& st) {
            row.role = st.role;
            row.epoch = st.epoch;
            if (st.role == "active" && (!view || st.epoch > view->epoch))
              view = std::move(st);
          },
          [&](caf::error& e) {
            why = describe_error(e, session.system().render(e));
          });
    } else {
      why = err;
    }
    masters.push_back(std::move(row));
  }
  if (!view) {
    if (args.output == "json") {
      status_reply none;
      none.role = "standby";
      print_status_json(none, false, masters);
    } else {
      print_masters_table(masters);
    }
    std::cerr << "error: no active master answered"
              << (why.empty() ? std::string{} : " (" + why + ")") << "\n";
    return 2;
  }
  auto& st = *view;
  uint32_t up = 0;
  for (auto& m : st.members)
    up += m.state == "up" ? 1 : 0;
  bool healthy = up == st.members.size() && st.under_replicated == 0
                 && st.lost_batches == 0 && up >= st.replication_factor;
  if (args.output == "json") {
    print_status_json(st, healthy, masters);
  } else {
    if (masters.size() > 1)
      print_masters_table(masters);
    print_status_table(st, healthy);
  }
  return healthy ? 0 : 1;
}

int run_drain(const drain_args& args) {
  client_session session{args.client};
  auto master = reach_master(session, args.client);
  if (!master)
    return 2;
  int rc = 2;
  caf::scoped_actor self{session.system()};
  self->request(master, session.request_timeout(), drain_req{args.node})
    .receive(
      [&](member_status& m) {
        if (args.output == "json")
          std::cout << member_json(m) << "\n";
        else
          std::cout << drain_verdict(m) << "\n";
        rc = m.safe_to_remove ? 0 : 1;
      },
      [&](caf::error& e) {
        std::cerr << "error: drain " << args.node << " refused: "
                  << describe_error(e, session.system().render(e)) << "\n";
      });
  return rc;
}

} // namespace logstore::app

namespace logstore::app {

int run_remove(const remove_args& args) {
  client_session session{args.client};
  auto master = reach_master(session, args.client);
  if (!master)
    return 2;
  int rc = 2;
  caf::scoped_actor self{session.system()};
  self->request(master, session.request_timeout(),
                remove_req{args.node, args.force})
    .receive(
      [&](member_status& m) {
        if (args.output == "json")
          std::cout << member_json(m) << "\n";
        else
          std::cout << m.name << " removed: " << m.batches
                    << " copy(ies) forgotten"
                    << (m.sole > 0 ? ", " + std::to_string(m.sole)
                                       + " batch(es) given up (no other "
                                         "copy)"
                                   : std::string{})
                    << "\n";
        rc = 0;
      },
      [&](caf::error& e) {
        auto code = to_errc(e);
        std::cerr << "error: remove " << args.node << " refused: "
                  << describe_error(e, session.system().render(e)) << "\n";
        rc = code == errc::precondition_failed ? 1 : 2;
      });
  return rc;
}

} // namespace logstore::app
