// logstore — parsing the list of masters (master_list.hpp).
#include "app/master_list.hpp"

#include "core/base/node_role.hpp"

namespace logstore::app {

std::map<std::string, std::string> master_list::peers() const {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < names.size(); ++i)
    out[names[i]] = net::to_string(addresses[i]);
  return out;
}

std::optional<master_list> parse_master_list(const std::string& text,
                                             std::string& err) {
  master_list out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos
                                     ? std::string::npos
                                     : comma - start);
    std::string why;
    auto ep = net::parse_endpoint(item, why);
    if (!ep) {
      err = "'" + item + "': " + why
            + " (give every master as HOST:PORT, separated by commas, in "
              "the same order everywhere)";
      return std::nullopt;
    }
    for (auto& other : out.addresses)
      if (net::to_string(other) == net::to_string(*ep)) {
        err = net::to_string(*ep) + " is listed twice";
        return std::nullopt;
      }
    out.addresses.push_back(*ep);
    out.names.push_back(to_string(
      node_id{node_role::master, static_cast<uint32_t>(out.names.size() + 1)}));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (out.names.size() > 7) {
    err = "at most 7 masters";
    return std::nullopt;
  }
  return out;
}

} // namespace logstore::app
