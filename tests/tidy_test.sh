#!/usr/bin/env bash
# logstore — the tidy check: the layer and determinism rules, enforced.
#  1. src/core includes no CAF header (the pure layer).
#  2. Code the simulator runs (src/core, src/actors, src/sim) reads no wall
#     clock, no unseeded randomness, and never blocks: use the actor clock
#     (self->clock().now(), delayed_send), logstore::prng, and the directory.
#     posix_disk.cpp (real files only) is the one I/O exception in core.
#  3. CLI11 appears only in src/app/main.cpp; doctest's main only in
#     tests/doctest_main.cpp (compile time on 2 cores).
# Comments and README files are not code and are skipped.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root" || exit 2
fail=0
code() { grep -rnE "$1" $2 --include='*.cpp' --include='*.hpp' \
           | grep -vE '^[^:]+:[0-9]+:\s*//' ; }

hits=$(code '#include\s*[<"]caf/' src/core)
[ -z "$hits" ] || { echo "CAF header in src/core (the pure layer):"; echo "$hits"; fail=1; }

banned='steady_clock::now|system_clock::now|high_resolution_clock::now|random_device|sleep_for|make_timestamp\(|std::rand\(|spawn<detached>|scoped_actor|\.receive\('
hits=$(code "$banned" "src/core src/actors src/sim")
[ -z "$hits" ] || { echo "wall clock / unseeded randomness / blocking in simulated code:"; echo "$hits"; fail=1; }

hits=$(grep -rln 'CLI/CLI.hpp' src bench | grep -v '^src/app/main.cpp$')
[ -z "$hits" ] || { echo "CLI11 outside src/app/main.cpp: $hits"; fail=1; }
hits=$(grep -rln --include='*.cpp' 'DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN' tests | grep -v 'doctest_main.cpp$')
[ -z "$hits" ] || { echo "doctest main outside tests/doctest_main.cpp: $hits"; fail=1; }

[ $fail -eq 0 ] && echo "tidy: layer and determinism rules hold"
exit $fail
