// logstore — a storage node's identity file.
#include "core/storage/node_identity.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace logstore {

namespace {

constexpr const char* file_name = "identity";
constexpr const char* temp_name = "identity.new";
constexpr const char* header = "logstore-node-identity\t1";

} // namespace

std::string node_identity::encode() const {
  std::ostringstream out;
  out << header << "\nname\t" << name << "\nincarnation\t" << incarnation
      << "\nend\n";
  return out.str();
}

bool node_identity::decode(const std::string& text, node_identity& out,
                           std::string& err) {
  std::istringstream in{text};
  std::string line;
  node_identity id;
  bool ended = false;
  for (size_t n = 1; std::getline(in, line); ++n) {
    auto fail = [&](const char* what) {
      err = "identity line " + std::to_string(n) + ": " + what;
      return false;
    };
    auto tab = line.find('\t');
    auto key = line.substr(0, tab);
    auto value = tab == std::string::npos ? std::string{}
                                          : line.substr(tab + 1);
    if (n == 1) {
      if (line != header)
        return fail("not a logstore node identity file (version 1)");
    } else if (key == "name") {
      if (!valid_node_name(value))
        return fail("bad name");
      id.name = value;
    } else if (key == "incarnation") {
      if (value.empty() || value.size() > 20
          || !std::all_of(value.begin(), value.end(),
                          [](char c) { return c >= '0' && c <= '9'; }))
        return fail("bad incarnation");
      errno = 0;
      id.incarnation = std::strtoull(value.c_str(), nullptr, 10);
      if (errno != 0 || id.incarnation == 0)
        return fail("bad incarnation");
    } else if (line == "end") {
      ended = true;
      break;
    } else {
      return fail("unknown line");
    }
  }
  if (!ended || id.name.empty() || id.incarnation == 0) {
    err = "identity is incomplete (name, incarnation and end are needed)";
    return false;
  }
  out = std::move(id);
  return true;
}

identity_status load_identity(disk& d, node_identity& out, std::string& err) {
  uint64_t size = 0;
  auto st = d.size(file_name, size);
  if (st == disk_status::not_found)
    return identity_status::absent;
  if (st != disk_status::ok || size > 4096) {
    err = "cannot read identity (" + std::string{to_string(st)} + ")";
    return identity_status::damaged;
  }
  std::string text;
  if (d.read(file_name, 0, size, text) != disk_status::ok) {
    err = "cannot read identity";
    return identity_status::damaged;
  }
  return node_identity::decode(text, out, err) ? identity_status::found
                                               : identity_status::damaged;
}

disk_status save_identity(disk& d, const node_identity& id) {
  d.remove(temp_name); // a leftover from a crash mid-save; not_found is fine
  if (auto st = d.append(temp_name, id.encode()); st != disk_status::ok)
    return st;
  if (auto st = d.sync(temp_name); st != disk_status::ok)
    return st;
  return d.rename(temp_name, file_name);
}

} // namespace logstore
