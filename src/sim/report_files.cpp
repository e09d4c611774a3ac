// logstore — the run folder: history, summary, node events, timeline and a
// Mermaid sequence diagram of the first messages (for students).
#include "sim/report.hpp"

#include <filesystem>
#include <fstream>

namespace logstore::sim {

namespace {

/// Mermaid participant ids must be simple words.
std::string mermaid_id(const std::string& name) {
  std::string out;
  for (auto c : name)
    out += (c == '-') ? '_' : c;
  return out;
}

void write_mermaid(std::ostream& out, const run_result& r) {
  out << "sequenceDiagram\n    autonumber\n";
  for (auto& n : r.node_names)
    out << "    participant " << mermaid_id(n) << " as " << n << "\n";
  size_t fault = 0;
  for (auto& m : r.messages) {
    while (fault < r.timeline.size() && r.timeline[fault].at <= m.sent_at) {
      out << "    Note over " << mermaid_id(r.node_names.front())
          << ": t=" << format_seconds(r.timeline[fault].at) << " "
          << r.timeline[fault].text << "\n";
      ++fault;
    }
    std::string arrow = m.response ? "-->>" : "->>";
    std::string note;
    switch (m.outcome) {
      case message_event::fate::delivered: break;
      case message_event::fate::lost:
        arrow = m.response ? "--x" : "-x";
        note = " (lost)";
        break;
      case message_event::fate::cut:
        arrow = m.response ? "--x" : "-x";
        note = " (cut by partition)";
        break;
      case message_event::fate::dead:
        arrow = m.response ? "--x" : "-x";
        note = " (receiver crashed)";
        break;
    }
    out << "    " << mermaid_id(r.node_names[m.from]) << arrow
        << mermaid_id(r.node_names[m.to]) << ": " << m.what << note
        << " t=" << format_seconds(m.sent_at) << "\n";
  }
}

} // namespace

std::string write_run_folder(const std::string& dir, const scenario& s,
                             const run_result& r, const invocation& inv) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return "cannot create " + dir + ": " + ec.message();
  auto open = [&](const char* name, std::ofstream& f) {
    f.open(fs::path{dir} / name, std::ios::binary);
    return f.good();
  };
  std::ofstream f;
  if (!open("history.jsonl", f))
    return "cannot write " + dir + "/history.jsonl";
  r.hist.write_jsonl(f);
  f.close();
  if (!open("summary.json", f))
    return "cannot write " + dir + "/summary.json";
  write_json_summary(f, s, r, inv);
  f.close();
  if (!open("events.jsonl", f))
    return "cannot write " + dir + "/events.jsonl";
  for (auto& e : r.events)
    f << "{\"sim_us\":" << e.at << ",\"level\":\"" << e.level
      << "\",\"node\":\"" << json_escape(e.node) << "\",\"event\":\""
      << json_escape(e.event) << "\",\"msg\":\"" << json_escape(e.text)
      << "\"}\n";
  f.close();
  if (!open("report.txt", f))
    return "cannot write " + dir + "/report.txt";
  write_text_report(f, s, r, inv);
  f.close();
  if (!open("messages.mmd", f))
    return "cannot write " + dir + "/messages.mmd";
  write_mermaid(f, r);
  return {};
}

} // namespace logstore::sim
