// logstore — `logstore segment verify|dump` (exit codes in the header).
// Layer: app: plain functions over core's verify_segments(); main.cpp maps
// the flags onto them.
#include "app/segment_command.hpp"

#include "core/base/json_text.hpp"
#include "core/storage/posix_disk.hpp"
#include "core/storage/segment_store.hpp"
#include "core/storage/segment_verify.hpp"

#include <functional>

namespace logstore::app {

namespace {

constexpr int exit_clean = 0;
constexpr int exit_corrupt = 1;
constexpr int exit_bad_input = 2;

std::string id_list(const std::vector<batch_id>& ids, const char* sep) {
  std::string out;
  for (auto id : ids)
    out += (out.empty() ? "" : sep) + std::to_string(id);
  return out;
}

// Scans `dir`; prints errors for bad input. Returns the exit code so far
// (exit_clean when the report is usable).
int scan(const std::string& dir, std::ostream& out, verify_report& report,
         const verify_frame_callback& on_frame) {
  posix_disk d{dir};
  if (auto st = d.check(); st != disk_status::ok) {
    out << "error: cannot open directory " << dir << " (" << to_string(st)
        << ")\n";
    return exit_bad_input;
  }
  report = verify_segments(d, segment_store_options{}.frame_bytes_max,
                           on_frame);
  if (report.status != disk_status::ok) {
    out << "error: reading " << dir << " failed (" << to_string(report.status)
        << ")\n";
    return exit_bad_input;
  }
  if (report.segments.empty() && !report.other_files.empty()) {
    out << "error: " << dir << " is not a segment directory ("
        << report.other_files.size() << " other files, no seg-*.log)\n";
    return exit_bad_input;
  }
  return exit_clean;
}

void print_problem_text(const segment_verdict& v, std::ostream& out) {
  if (v.file.quarantined && !v.bad_offset)
    out << "corrupt  file=" << v.file.name
        << " quarantined by an earlier recovery\n";
  if (!v.bad_offset)
    return;
  out << (v.torn_tail ? "torn     " : "corrupt  ") << "file=" << v.file.name
      << " offset=" << *v.bad_offset
      << " bytes=" << v.bytes - *v.bad_offset << " batches="
      << (v.damaged_ids.empty() ? "unknown" : id_list(v.damaged_ids, ","))
      << " what=\"" << v.what << "\""
      << (v.torn_tail ? " (recovery truncates it)" : "") << "\n";
}

void print_problem_json(const segment_verdict& v, std::ostream& out) {
  if (!v.bad_offset && !v.file.quarantined)
    return;
  out << "{\"problem\":" << json_string(v.torn_tail ? "torn_tail" : "corrupt")
      << ",\"file\":" << json_string(v.file.name)
      << ",\"quarantined\":" << (v.file.quarantined ? "true" : "false");
  if (v.bad_offset)
    out << ",\"offset\":" << *v.bad_offset
        << ",\"bytes\":" << v.bytes - *v.bad_offset
        << ",\"what\":" << json_string(v.what);
  out << ",\"batches\":[" << id_list(v.damaged_ids, ",") << "]}\n";
}

void print_frame_text(const segment_file& f, const scanned_frame& x,
                      std::ostream& out) {
  const auto& h = x.header;
  out << f.name << " " << x.offset << " "
      << (h.type == frame_type::batch ? "batch" : "tombstone") << " id=" << h.id
      << " client=" << h.client << " seq=" << h.seq << " ts=[" << h.min_ts
      << "," << h.max_ts << "] entries=" << h.count
      << " bytes=" << h.frame_bytes << "\n";
}

void print_frame_json(const segment_file& f, const scanned_frame& x,
                      std::ostream& out) {
  const auto& h = x.header;
  out << "{\"file\":" << json_string(f.name) << ",\"offset\":" << x.offset
      << ",\"type\":"
      << json_string(h.type == frame_type::batch ? "batch" : "tombstone")
      << ",\"batch\":" << h.id << ",\"client\":" << h.client
      << ",\"seq\":" << h.seq << ",\"min_ts\":" << h.min_ts
      << ",\"max_ts\":" << h.max_ts << ",\"entries\":" << h.count
      << ",\"bytes\":" << h.frame_bytes << "}\n";
}

} // namespace

int run_segment_verify(const std::string& dir, std::ostream& out) {
  verify_report report;
  if (auto code = scan(dir, out, report, {}); code != exit_clean)
    return code;
  uint64_t frames = 0;
  for (const auto& v : report.segments) {
    frames += v.frames;
    out << (v.corrupt() ? "CORRUPT  " : v.torn_tail ? "torn     " : "ok       ")
        << v.file.name << " bytes=" << v.bytes << " batches=" << v.batches
        << " tombstones=" << v.tombstones << "\n";
  }
  for (const auto& v : report.segments)
    print_problem_text(v, out);
  for (const auto& name : report.other_files)
    out << "note     not a segment file, ignored: " << name << "\n";
  out << report.segments.size() << " segments, " << frames
      << " verified frames: "
      << (report.corrupt() ? "CORRUPTION FOUND" : "clean")
      << "\n";
  return report.corrupt() ? exit_corrupt : exit_clean;
}

int run_segment_dump(const std::string& dir, std::ostream& out, bool json) {
  verify_report report;
  verify_frame_callback print
    = [&out, json](const segment_file& f, const scanned_frame& x) {
        if (json)
          print_frame_json(f, x, out);
        else
          print_frame_text(f, x, out);
      };
  if (auto code = scan(dir, out, report, print); code != exit_clean)
    return code;
  for (const auto& v : report.segments) {
    if (json)
      print_problem_json(v, out);
    else
      print_problem_text(v, out);
  }
  return report.corrupt() ? exit_corrupt : exit_clean;
}

} // namespace logstore::app
