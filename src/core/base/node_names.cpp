// logstore — node names.
#include "core/base/node_names.hpp"

#include <algorithm>

namespace logstore {

bool valid_node_name(const std::string& name) {
  return !name.empty() && name.size() <= 64
         && std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || c == '-' || c == '_'
                     || c == '.';
            });
}

} // namespace logstore
