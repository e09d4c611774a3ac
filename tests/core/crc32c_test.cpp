// Reference: docs/storage.md, "The frame" (CRC32C, masked CRCs), and
// src/core/base/crc32c.hpp. Checks the standard test vectors, that the SSE4.2
// and table paths agree on random data at every length and alignment, that
// extend() composes, and that mask/unmask are inverses.
#include "core/base/crc32c.hpp"

#include "core/base/prng.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace logstore;

namespace {

std::string random_bytes(prng& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng.below(256));
  return s;
}

} // namespace

TEST_CASE("standard vectors") {
  CHECK(crc32c::value("123456789", 9) == 0xE3069283u);
  CHECK(crc32c::extend_portable(0, "123456789", 9) == 0xE3069283u);
  CHECK(crc32c::value("", 0) == 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of 0xff, ascending.
  std::string zeros(32, '\0');
  std::string ones(32, '\xff');
  std::string ascending;
  for (int i = 0; i < 32; ++i)
    ascending.push_back(static_cast<char>(i));
  CHECK(crc32c::value(zeros) == 0x8a9136aau);
  CHECK(crc32c::value(ones) == 0x62a8ab43u);
  CHECK(crc32c::value(ascending) == 0x46dd794eu);
}

TEST_CASE("hardware and table paths agree on random data") {
  if (!crc32c::hardware_available()) {
    MESSAGE("no SSE4.2 on this CPU: only the table path is tested");
    return;
  }
  prng rng{7};
  auto data = random_bytes(rng, 4096 + 16);
  for (size_t align = 0; align < 8; ++align) {
    for (size_t n = 0; n <= 300; ++n) {
      auto p = data.data() + align;
      CHECK(crc32c::extend_hardware(0, p, n)
            == crc32c::extend_portable(0, p, n));
    }
  }
  for (int round = 0; round < 50; ++round) {
    auto n = static_cast<size_t>(rng.below(4096));
    auto init = static_cast<uint32_t>(rng.next());
    CHECK(crc32c::extend_hardware(init, data.data(), n)
          == crc32c::extend_portable(init, data.data(), n));
  }
}

TEST_CASE("extend composes: crc(a + b) == extend(crc(a), b)") {
  prng rng{11};
  auto data = random_bytes(rng, 1000);
  auto whole = crc32c::value(data);
  for (size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    auto first = crc32c::value(data.data(), cut);
    CHECK(crc32c::extend(first, data.data() + cut, data.size() - cut)
          == whole);
    CHECK(crc32c::extend_portable(first, data.data() + cut,
                                  data.size() - cut)
          == whole);
  }
}

TEST_CASE("mask and unmask are inverses; masking changes the value") {
  auto crc = crc32c::value("foo", 3);
  CHECK(crc32c::mask(crc) != crc);
  CHECK(crc32c::mask(crc32c::mask(crc)) != crc);
  CHECK(crc32c::unmask(crc32c::mask(crc)) == crc);
  CHECK(crc32c::unmask(crc32c::unmask(crc32c::mask(crc32c::mask(crc))))
        == crc);
  prng rng{3};
  for (int i = 0; i < 1000; ++i) {
    auto x = static_cast<uint32_t>(rng.next());
    CHECK(crc32c::unmask(crc32c::mask(x)) == x);
  }
}
