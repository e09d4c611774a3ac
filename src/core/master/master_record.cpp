// logstore — the master's durable record.
#include "core/master/master_record.hpp"

#include "core/base/replaced_file.hpp"

#include <sstream>

namespace logstore {

namespace {

constexpr const char* file_name = "master-state";

/// Fields are separated by a single tab; names and addresses never hold one.
std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (auto c : line) {
    if (c == '\t') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

bool to_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s.size() > 20)
    return false;
  out = 0;
  for (auto c : s) {
    if (c < '0' || c > '9')
      return false;
    auto digit = static_cast<uint64_t>(c - '0');
    if (out > (UINT64_MAX - digit) / 10)
      return false; // does not fit in 64 bits
    out = out * 10 + digit;
  }
  return true;
}

/// "none" (INT64_MIN) or a signed decimal.
bool to_i64(const std::string& s, int64_t& out) {
  if (s == "none") {
    out = INT64_MIN;
    return true;
  }
  bool negative = !s.empty() && s[0] == '-';
  uint64_t magnitude = 0;
  if (!to_u64(negative ? s.substr(1) : s, magnitude))
    return false;
  if (negative ? magnitude > uint64_t{1} << 63 : magnitude > INT64_MAX)
    return false;
  out = negative ? static_cast<int64_t>(0 - magnitude)
                 : static_cast<int64_t>(magnitude);
  return true;
}

/// "-" or a comma-separated list of "draining" and "redundant".
bool parse_flags(const std::string& text, bool& draining, bool& redundant) {
  if (text == "-")
    return true;
  std::string cur;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',') {
      cur += text[i];
      continue;
    }
    if (cur == "draining")
      draining = true;
    else if (cur == "redundant")
      redundant = true;
    else
      return false;
    cur.clear();
  }
  return true;
}

} // namespace

std::string master_record::encode() const {
  std::ostringstream out;
  out << "logstore-master-state\t2\n";
  out << "epoch\t" << epoch << "\n";
  out << "reserved_until\t" << reserved_until << "\n";
  out << "expired_before\t";
  if (expired_before == INT64_MIN)
    out << "none";
  else
    out << expired_before;
  out << "\n";
  for (auto& m : members) {
    std::string flags;
    if (m.draining)
      flags += "draining";
    if (m.redundant)
      flags += flags.empty() ? "redundant" : ",redundant";
    out << "member\t" << m.name << "\t" << m.address << "\t" << m.zone
        << "\t" << m.incarnation << "\t" << (flags.empty() ? "-" : flags)
        << "\n";
  }
  for (auto id : failed)
    out << "failed\t" << id << "\n";
  out << "end\n";
  return out.str();
}

bool master_record::decode(const std::string& text, master_record& out,
                           std::string& err) {
  std::istringstream in{text};
  std::string line;
  size_t n = 0;
  bool ended = false;
  master_record rec;
  while (std::getline(in, line)) {
    ++n;
    auto f = split_tabs(line);
    auto bad = [&](const char* what) {
      err = "master-state line " + std::to_string(n) + ": " + what;
      return false;
    };
    if (n == 1) {
      if (f.size() != 2 || f[0] != "logstore-master-state"
          || (f[1] != "1" && f[1] != "2"))
        return bad("not a logstore master state file (version 1 or 2)");
      continue;
    }
    if (f[0] == "epoch" && f.size() == 2) {
      if (!to_u64(f[1], rec.epoch))
        return bad("bad epoch");
    } else if (f[0] == "reserved_until" && f.size() == 2) {
      if (!to_u64(f[1], rec.reserved_until))
        return bad("bad reserved_until");
    } else if (f[0] == "expired_before" && f.size() == 2) {
      if (!to_i64(f[1], rec.expired_before))
        return bad("bad expired_before");
    } else if (f[0] == "member" && (f.size() == 4 || f.size() == 6)) {
      uint64_t incarnation = 0;
      if (f.size() == 6 && !to_u64(f[4], incarnation))
        return bad("bad member incarnation");
      bool draining = false;
      bool redundant = false;
      if (f.size() == 6 && !parse_flags(f[5], draining, redundant))
        return bad("bad member flags (expected '-', draining, redundant)");
      if (f[1].empty())
        return bad("member without a name");
      for (auto& m : rec.members)
        if (m.name == f[1])
          return bad("member listed twice");
      rec.members.push_back({f[1], f[2], f[3], incarnation, draining,
                             redundant});
    } else if (f[0] == "failed" && f.size() == 2) {
      uint64_t id = 0;
      if (!to_u64(f[1], id))
        return bad("bad failed batch id");
      rec.failed.push_back(id);
    } else if (f[0] == "end" && f.size() == 1) {
      ended = true;
      break;
    } else {
      return bad("unknown record");
    }
  }
  if (!ended) {
    err = "master-state is truncated (no end line)";
    return false;
  }
  out = std::move(rec);
  return true;
}

bool load_master_record(disk& d, master_record& out, std::string& err) {
  std::string text;
  auto got = read_replaced(d, file_name, text, [](const std::string& t) {
    master_record rec;
    std::string why;
    return master_record::decode(t, rec, why);
  });
  switch (got) {
    case replaced_read::absent:
      err.clear();
      out = master_record{};
      return true;
    case replaced_read::failed:
      err = "cannot read master-state";
      return false;
    case replaced_read::found:
      break;
  }
  return master_record::decode(text, out, err);
}

disk_status save_master_record(disk& d, const master_record& rec) {
  return replace_file(d, file_name, rec.encode());
}

} // namespace logstore
