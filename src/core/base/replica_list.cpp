// logstore — replica lists.
#include "core/base/replica_list.hpp"

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

bool replica_list::contains(node_number n) const {
  LOGSTORE_ASSERT(count <= replicas_max);
  return std::find(begin(), end(), n) != end();
}

bool replica_list::add(node_number n) {
  if (count == replicas_max || contains(n))
    return false;
  nodes[count++] = n;
  LOGSTORE_ASSERT(count <= replicas_max);
  return true;
}

bool replica_list::remove(node_number n) {
  LOGSTORE_ASSERT(count <= replicas_max);
  auto last = nodes.begin() + count;
  auto pos = std::find(nodes.begin(), last, n);
  if (pos == last)
    return false;
  // Keep the remaining order (the first replica may be preferred by readers)
  // and zero the freed slot so equal lists compare equal bytewise.
  std::copy(pos + 1, last, pos);
  nodes[--count] = 0;
  LOGSTORE_ASSERT(!contains(n));
  return true;
}

} // namespace logstore
