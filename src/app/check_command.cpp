// logstore — `logstore check HISTORY.jsonl`: the simulator's checker over a
// history recorded anywhere (simulator run folder, or a real cluster's
// `append --history` + `read --final --history`).
// Layer: app. Exit codes: 0 every property held; 1 a violation; 2 the file
// could not be read or parsed.
#include "app/cluster_commands.hpp"

#include "core/history/checker.hpp"
#include "core/base/json_text.hpp"

#include <fstream>
#include <iostream>

namespace logstore::app {

int run_check(const check_args& args) {
  std::ifstream in{args.history};
  if (!in) {
    std::cerr << "error: cannot open " << args.history << "\n";
    return 2;
  }
  history h;
  std::string err;
  if (!history::read_jsonl(in, h, err)) {
    std::cerr << "error: " << args.history << ": " << err << "\n";
    return 2;
  }
  auto r = check_history(h);
  bool valid = true;
  for (auto& p : r.properties)
    valid = valid && p.held;
  if (args.output == "json") {
    std::string out = "{\"valid\":";
    out += valid ? "true" : "false";
    out += ",\"events\":" + std::to_string(h.size())
           + ",\"appends_ok\":" + std::to_string(r.appends_ok)
           + ",\"appends_failed\":" + std::to_string(r.appends_failed)
           + ",\"appends_indefinite\":" + std::to_string(r.appends_indefinite)
           + ",\"entries_acked\":" + std::to_string(r.entries_acked)
           + ",\"final_read\":" + (r.final_read_seen ? "true" : "false")
           + ",\"properties\":{";
    for (size_t i = 0; i < r.properties.size(); ++i) {
      auto& p = r.properties[i];
      out += i > 0 ? "," : "";
      append_json_string(out, p.name);
      out += ":{\"held\":";
      out += p.held ? "true" : "false";
      out += ",\"violations\":" + std::to_string(p.violations)
             + ",\"examples\":[";
      for (size_t k = 0; k < p.examples.size(); ++k) {
        out += k > 0 ? "," : "";
        append_json_string(out, p.examples[k]);
      }
      out += "]}";
    }
    out += "}}\n";
    std::cout << out;
  } else {
    std::cout << args.history << ": " << h.size() << " events; appends "
              << r.appends_invoked << " invoked, " << r.appends_ok << " ok, "
              << r.appends_failed << " failed, " << r.appends_indefinite
              << " indefinite; " << r.entries_acked << " entries acked; "
              << (r.final_read_seen ? "final read present"
                                    : "NO final read")
              << "\n";
    for (auto& p : r.properties) {
      std::cout << "  " << (p.held ? "ok  " : "FAIL") << " " << p.name;
      if (!p.held)
        std::cout << " (" << p.violations << " violations)";
      std::cout << "\n";
      for (auto& ex : p.examples)
        std::cout << "         " << ex << "\n";
    }
    if (!r.final_read_seen)
      std::cout << "hint: record a final read over the whole range with "
                   "`logstore read --final --history FILE`\n";
    std::cout << (valid ? "valid\n" : "INVALID\n");
  }
  return valid ? 0 : 1;
}

} // namespace logstore::app
