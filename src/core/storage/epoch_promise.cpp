// logstore — a storage node's promise file (epoch_promise.hpp).
#include "core/storage/epoch_promise.hpp"

#include "core/base/replaced_file.hpp"
#include "core/base/crc32c.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace logstore {

namespace {

constexpr const char* legacy_name = "promise"; // version 1: one file
constexpr const char* magic = "logstore-promise 1";
constexpr const char* slot_magic = "logstore-promise 2";
constexpr const char* slot_names[2] = {"promise.0", "promise.1"};
constexpr size_t slot_bytes = 512; // a slot's size: a multiple of this

/// One slot: "logstore-promise 2 GEN LENGTH CRC\n", the version 1 text of
/// the promise (LENGTH bytes; CRC32C over "GEN LENGTH\n" and it), then
/// zeros up to a multiple of slot_bytes.
std::string encode_slot(uint64_t gen, const std::string& text) {
  auto covered = std::to_string(gen) + " " + std::to_string(text.size())
                 + "\n" + text;
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc32c::value(covered));
  auto out = std::string{slot_magic} + " " + std::to_string(gen) + " "
             + std::to_string(text.size()) + " " + crc + "\n" + text;
  out.resize((out.size() + slot_bytes - 1) / slot_bytes * slot_bytes, '\0');
  return out;
}

struct slot {
  bool present = false; ///< the file exists
  bool valid = false;   ///< and holds a whole, undamaged promise
  uint64_t gen = 0;
  epoch_promise value;
  std::string why;      ///< when present but not valid
};

slot read_slot(disk& d, const std::string& name) {
  slot out;
  uint64_t size = 0;
  auto st = d.size(name, size);
  if (st == disk_status::not_found)
    return out;
  out.present = true;
  std::string bytes;
  if (st != disk_status::ok || d.read(name, 0, size, bytes) != disk_status::ok) {
    out.why = name + ": cannot be read";
    return out;
  }
  auto eol = bytes.find('\n');
  std::istringstream head{bytes.substr(0, eol == std::string::npos ? 0 : eol)};
  std::string m1, m2, crc_text;
  uint64_t len = 0;
  if (!(head >> m1 >> m2 >> out.gen >> len >> crc_text)
      || m1 + " " + m2 != slot_magic || eol + 1 + len > bytes.size()) {
    out.why = name + ": torn or not a promise slot";
    return out;
  }
  auto text = bytes.substr(eol + 1, len);
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x",
                crc32c::value(std::to_string(out.gen) + " "
                              + std::to_string(len) + "\n" + text));
  if (crc_text != crc) {
    out.why = name + ": damaged (checksum)";
    return out;
  }
  std::string err;
  if (!epoch_promise::decode(text, out.value, err)) {
    out.why = name + ": " + err;
    return out;
  }
  out.valid = true;
  return out;
}

/// Rewrites one slot in place: truncated first, so a rewrite of the same
/// size needs no free space (a full disk still takes promises).
disk_status write_slot(disk& d, const std::string& name,
                       const std::string& bytes) {
  if (auto st = d.truncate(name, 0);
      st != disk_status::ok && st != disk_status::not_found)
    return st;
  if (auto st = d.append(name, bytes); st != disk_status::ok)
    return st;
  return d.sync(name);
}

} // namespace

bool is_promise_file(const std::string& name) {
  return name == legacy_name || name == std::string{legacy_name} + ".new"
         || name == slot_names[0] || name == slot_names[1];
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
  slot slots[2] = {read_slot(d, slot_names[0]), read_slot(d, slot_names[1])};
  if (slots[0].present || slots[1].present) {
    // Both slots hold the newest promise once a save returned; a slot
    // that is torn (a crash mid-save) or damaged leaves the other.
    auto best = slots[0].valid && (!slots[1].valid
                                   || slots[0].gen >= slots[1].gen)
                  ? 0
                  : 1;
    if (!slots[best].valid) {
      err = "both promise slots are unusable (" + slots[0].why + "; "
            + slots[1].why + ")";
      return false;
    }
    out = slots[best].value;
    err.clear();
    return true;
  }
  std::string text;
  auto got = read_replaced(d, legacy_name, text, [](const std::string& t) {
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
  // Two slots, each written whole and synced in turn: a crash tears at most
  // the one being written, and the other holds either this promise or the
  // previous one (never acknowledged, so either is right).
  uint64_t gen = 0;
  for (auto* name : slot_names)
    if (auto s = read_slot(d, name); s.valid)
      gen = std::max(gen, s.gen);
  auto bytes = encode_slot(gen + 1, p.encode());
  for (auto* name : slot_names)
    if (auto st = write_slot(d, name, bytes); st != disk_status::ok)
      return st;
  d.remove(legacy_name); // a version 1 file, now replaced; not_found is fine
  d.remove(std::string{legacy_name} + ".new");
  return disk_status::ok;
}

} // namespace logstore
