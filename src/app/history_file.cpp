// logstore — history files for the client commands.
#include "app/history_file.hpp"

#include <chrono>
#include <fstream>

namespace logstore::app {

std::string load_history(const std::string& path, history& h) {
  std::ifstream in{path};
  if (!in)
    return {}; // a new file
  std::string err;
  if (!history::read_jsonl(in, h, err))
    return path + ": " + err;
  return {};
}

std::string append_history(const std::string& path, const history& h,
                           size_t first) {
  std::ofstream out{path, std::ios::app};
  if (!out)
    return "cannot write " + path;
  auto& evs = h.events();
  for (size_t i = first; i < evs.size(); ++i) {
    history::write_event(out, evs[i]);
    out << '\n';
  }
  out.flush();
  return out ? std::string{} : "cannot write " + path;
}

time_us monotonic_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch())
    .count();
}

} // namespace logstore::app
