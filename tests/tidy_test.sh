#!/usr/bin/env bash
# logstore — the tidy check: the layer and determinism rules, enforced.
#  1. src/core includes no CAF header (the pure layer), and its rooms keep
#     to themselves: base (vocabulary) includes only base; storage, master
#     and history include base and their own room; client (the client
#     session) includes base, history and itself; src/scenario (the
#     scenario language) includes base, history and itself, never CAF.
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

hits=$(code '#include\s*[<"]caf/' "src/core src/scenario")
[ -z "$hits" ] || { echo "CAF header in src/core or src/scenario (pure layers):"; echo "$hits"; fail=1; }

# room ALLOWED-INCLUDE-PREFIXES: #include "x/..." lines of src/ROOM must
# start with one of them.
room() {
  local dir=$1; shift
  local allowed
  allowed=$(printf '%s|' "$@"); allowed=${allowed%|}
  local bad
  bad=$(code '#include\s*"' "src/$dir" | grep -vE "#include\s*\"($allowed)/")
  [ -z "$bad" ] || { echo "src/$dir includes outside its room ($*):"; echo "$bad"; fail=1; }
}
room core/base core/base
room core/storage core/base core/storage
room core/master core/base core/master
room core/history core/base core/history
room core/client core/base core/history core/client
room scenario core/base core/history scenario

banned='steady_clock::now|system_clock::now|high_resolution_clock::now|random_device|sleep_for|make_timestamp\(|std::rand\(|spawn<detached>|scoped_actor|\.receive\('
hits=$(code "$banned" "src/core src/scenario src/actors src/sim")
[ -z "$hits" ] || { echo "wall clock / unseeded randomness / blocking in simulated code:"; echo "$hits"; fail=1; }

hits=$(grep -rln 'CLI/CLI.hpp' src bench | grep -v '^src/app/main.cpp$')
[ -z "$hits" ] || { echo "CLI11 outside src/app/main.cpp: $hits"; fail=1; }
hits=$(grep -rln --include='*.cpp' 'DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN' tests | grep -v 'doctest_main.cpp$')
[ -z "$hits" ] || { echo "doctest main outside tests/doctest_main.cpp: $hits"; fail=1; }

[ $fail -eq 0 ] && echo "tidy: layer and determinism rules hold"
exit $fail
