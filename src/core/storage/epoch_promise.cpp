// logstore — a storage node's promise file (epoch_promise.hpp).
#include "core/storage/epoch_promise.hpp"

#include "core/base/replaced_file.hpp"
#include "core/storage/crc32c.hpp"

#include <cstdio>
#include <sstream>

namespace logstore {

namespace {

constexpr const char* file_name = "promise";
constexpr const char* magic = "logstore-promise 1";

} // namespace

bool is_promise_file(const std::string& name) {
  return name == file_name || name == std::string{file_name} + ".new";
}

std::string epoch_promise::encode() const {
  std::string body = std::to_string(epoch) + " " + std::to_string(record_epoch)
                     + " " + std::to_string(record_version) + " "
                     + std::to_string(record.size()) + "\n" + master + "\n"
                     + record;
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc32c::value(body));
  return std::string{magic} + "\n" + crc + "\n" + body;
}

bool epoch_promise::decode(const std::string& text, epoch_promise& out,
                           std::string& err) {
  auto first = text.find('\n');
  if (first == std::string::npos || text.substr(0, first) != magic) {
    err = "not a promise file";
    return false;
  }
  auto second = text.find('\n', first + 1);
  if (second == std::string::npos) {
    err = "promise file truncated";
    return false;
  }
  auto crc_text = text.substr(first + 1, second - first - 1);
  auto body = text.substr(second + 1);
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc32c::value(body));
  if (crc_text != crc) {
    err = "promise file damaged (checksum)";
    return false;
  }
  std::istringstream in{body};
  epoch_promise p;
  uint64_t len = 0;
  std::string name;
  if (!(in >> p.epoch >> p.record_epoch >> p.record_version >> len)) {
    err = "promise file malformed";
    return false;
  }
  in.get(); // the newline
  if (!std::getline(in, name)) {
    err = "promise file malformed (master)";
    return false;
  }
  p.master = name;
  auto at = static_cast<size_t>(in.tellg());
  if (at > body.size() || body.size() - at != len) {
    err = "promise file malformed (record length)";
    return false;
  }
  p.record = body.substr(at);
  out = std::move(p);
  return true;
}

bool load_epoch_promise(disk& d, epoch_promise& out, std::string& err) {
  std::string text;
  auto got = read_replaced(d, file_name, text, [](const std::string& t) {
    epoch_promise p;
    std::string why;
    return epoch_promise::decode(t, p, why);
  });
  switch (got) {
    case replaced_read::absent:
      err.clear();
      out = epoch_promise{};
      return true;
    case replaced_read::failed:
      err = "cannot read the promise file";
      return false;
    case replaced_read::found:
      break;
  }
  return epoch_promise::decode(text, out, err);
}

disk_status save_epoch_promise(disk& d, const epoch_promise& p) {
  return replace_file(d, file_name, p.encode());
}

} // namespace logstore
