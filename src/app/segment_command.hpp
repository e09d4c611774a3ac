// logstore — `logstore segment verify DIR` and `logstore segment dump DIR`:
// offline checks of a storage node's data directory, for operators.
// Layer: app. No CLI11 here (main.cpp is the only CLI11 translation unit);
// the work is core's verify_segments() over a posix_disk.
//
// Exit codes (both commands):
//   0  clean (a torn tail, which recovery truncates, is reported but clean)
//   1  corruption found: each is listed with file, offset, batches, what
//   2  bad input: the directory is missing or unreadable, or holds files
//      but no segment file
#pragma once

#include <ostream>
#include <string>

namespace logstore::app {

/// Verifies every frame of every segment in `dir`; prints a summary line
/// per segment and one line per problem.
int run_segment_verify(const std::string& dir, std::ostream& out);

/// Prints every verified frame (file, offset, type, batch, client, seq,
/// times, entries, bytes) and every problem; JSON Lines when `json`.
int run_segment_dump(const std::string& dir, std::ostream& out, bool json);

} // namespace logstore::app
