// logstore — libFuzzer target for the frame decoder and segment recovery.
// Built only with -DLOGSTORE_FUZZ=ON and clang (CMakeLists.txt, last block),
// or by tests/fuzz/run.sh. Arbitrary bytes must never crash, over-read or
// trip an assertion; a frame that decodes ok must re-encode to the same
// bytes; recovery over arbitrary segment files must leave a store whose
// every served batch reads back verified.
//
// Input: byte 0 picks the mode, the rest is data.
//   bit 0  reseal: recompute hcrc and crc first, so the fuzzer reaches the
//          entry parser (it cannot forge a CRC32C by itself)
//   bit 1  split the data into two segment files at byte 1's position
#include "core/base/crc32c.hpp"
#include "core/base/frame.hpp"
#include "core/storage/segment_store.hpp"
#include "core/storage/segment_verify.hpp"
#include "core/storage/sim_disk.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace logstore;

namespace {

constexpr uint32_t fuzz_frame_bytes_max = 1u << 16;

void require(bool cond) {
  if (!cond)
    std::abort();
}

void put_u32(std::string& s, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    s[at + static_cast<size_t>(i)] = static_cast<char>((x >> (8 * i)) & 0xff);
}

void reseal(std::string& s) {
  if (s.size() < frame_header_bytes)
    return;
  put_u32(s, 8, static_cast<uint32_t>(s.size() - 12));
  put_u32(s, 60, crc32c::mask(crc32c::value(s.data() + 8, 52)));
  put_u32(s, 4, crc32c::mask(crc32c::value(s.data() + 8, s.size() - 8)));
}

std::string reencode(const frame_header& h,
                     const std::vector<stored_entry>& xs) {
  std::string out;
  if (h.type == frame_type::tombstone)
    encode_tombstone_frame(h.id, h.min_ts, h.max_ts, out);
  else
    encode_batch_frame(h.id, h.client, h.seq, h.min_ts, h.max_ts, xs, out);
  return out;
}

// Walks the data as a sequence of frames, checking each verdict.
void decode_all(std::string_view data) {
  while (!data.empty()) {
    frame_header h;
    std::vector<stored_entry> xs;
    auto r = decode_frame(data, fuzz_frame_bytes_max, h, &xs);
    if (r.status != decode_status::ok) {
      require(xs.empty());
      require(r.consumed == 0);
      require(r.status != decode_status::torn
              || r.bytes_needed <= fuzz_frame_bytes_max);
      return;
    }
    require(r.consumed >= frame_header_bytes && r.consumed <= data.size());
    require(xs.size() == h.count);
    require(reencode(h, xs) == data.substr(0, r.consumed));
    data.remove_prefix(r.consumed);
  }
}

// Recovers a store from the data as segment files, then uses it.
void recover_all(const std::string& first, const std::string& second) {
  sim_disk d{prng{1}};
  d.append("seg-000001.log", first);
  if (!second.empty())
    d.append("seg-000002.log", second);
  d.sync("seg-000001.log");
  d.sync("seg-000002.log");
  segment_store_options opts;
  opts.frame_bytes_max = fuzz_frame_bytes_max;
  opts.segment_bytes_max = 4096;
  verify_segments(d, opts.frame_bytes_max, {});
  segment_store store{d, opts};
  auto report = store.recover();
  require(report.status == disk_status::ok);
  for (auto id : store.ids()) {
    std::vector<stored_entry> out;
    auto r = store.slice(id, {INT64_MIN, INT64_MAX}, out);
    require(r == segment_store::read_result::ok);
  }
  std::vector<stored_entry> xs{{5, "s", "p", 1, 1, 0}};
  auto put = store.put(~batch_id{0}, 5, 5, xs);
  require(put == segment_store::put_result::stored
          || put == segment_store::put_result::duplicate);
  require(store.sync() == disk_status::ok);
  segment_store again{d, opts};
  require(again.recover().status == disk_status::ok);
  require(again.contains(~batch_id{0}));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2)
    return 0;
  auto mode = bytes[0];
  std::string data(reinterpret_cast<const char*>(bytes) + 2, size - 2);
  if ((mode & 1) != 0)
    reseal(data);
  decode_all(data);
  std::string second;
  if ((mode & 2) != 0 && !data.empty()) {
    auto cut = bytes[1] % data.size();
    second = data.substr(cut);
    data.resize(cut);
  }
  recover_all(data, second);
  return 0;
}
