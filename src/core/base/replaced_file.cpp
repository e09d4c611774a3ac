// logstore — files replaced as a whole (replaced_file.hpp).
#include "core/base/replaced_file.hpp"

namespace logstore {

disk_status replace_file(disk& d, const std::string& name,
                         std::string_view text) {
  auto temp = name + ".new";
  d.remove(temp); // a leftover from a crash mid-replace; not_found is fine
  if (auto st = d.append(temp, text); st != disk_status::ok)
    return st;
  if (auto st = d.sync(temp); st != disk_status::ok)
    return st;
  if (auto st = d.remove(name);
      st != disk_status::ok && st != disk_status::not_found)
    return st;
  return d.rename(temp, name);
}

replaced_read read_replaced(
  disk& d, const std::string& name, std::string& text,
  const std::function<bool(const std::string&)>& valid) {
  uint64_t size = 0;
  auto st = d.size(name, size);
  if (st == disk_status::not_found) {
    auto temp = name + ".new";
    if (d.size(temp, size) == disk_status::ok
        && d.read(temp, 0, size, text) == disk_status::ok && valid(text)
        && d.rename(temp, name) == disk_status::ok)
      return replaced_read::found;
    text.clear();
    return replaced_read::absent;
  }
  if (st != disk_status::ok || d.read(name, 0, size, text) != disk_status::ok)
    return replaced_read::failed;
  return replaced_read::found;
}

} // namespace logstore
