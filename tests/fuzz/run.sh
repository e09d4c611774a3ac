#!/usr/bin/env bash
# logstore — build the libFuzzer targets with clang and run the frame fuzzer.
# Usage: tests/fuzz/run.sh [seconds=30] [build-dir=build-fuzz]
# Exit code: 0 when no crash was found in the time given, else libFuzzer's.
# The corpus persists in <build-dir>/corpus/frame between runs; a crash
# leaves crash-* files in <build-dir>/artifacts (reproduce: frame_fuzz FILE).
set -euo pipefail

seconds="${1:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${2:-${root}/build-fuzz}"
cxx="${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}"

cmake -S "${root}" -B "${build}" -DCMAKE_CXX_COMPILER="${cxx}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOGSTORE_FUZZ=ON \
  -DLOGSTORE_TESTS=OFF -DLOGSTORE_BENCH=OFF >/dev/null
cmake --build "${build}" --target frame_fuzz -j2

mkdir -p "${build}/corpus/frame" "${build}/artifacts"
"${build}/frame_fuzz" "${build}/corpus/frame" \
  -max_total_time="${seconds}" -max_len=4096 -timeout=10 \
  -artifact_prefix="${build}/artifacts/" -print_final_stats=1
