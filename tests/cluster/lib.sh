#!/usr/bin/env bash
# logstore — helpers for the multi-process cluster tests (sourced).
# Every test gets the logstore binary as $1, works in its own temp dir,
# starts real processes on real sockets, and kills them all on exit.
set -uo pipefail

LOGSTORE=${1:?usage: $0 path/to/logstore}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/logstore-test.XXXXXX")
PIDS=()
FAILED=0

cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  { wait; } 2>/dev/null
  if [ "$FAILED" -ne 0 ]; then
    echo "--- logs in $WORK (kept for inspection)"
    for f in "$WORK"/*.err; do
      [ -f "$f" ] && { echo "== $f"; tail -n 15 "$f"; }
    done
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILED=1; exit 1; }
pass() { echo "ok: $*"; }

# A TCP port nobody listens on (random, checked), below the kernel's range
# for outgoing connections: a port from that range can be taken by some
# process's connect() between this check and the listen.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$EPHEMERAL_LOW" -gt 12000 ] 2>/dev/null || EPHEMERAL_LOW=32768
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}

# start NAME ARGS...: runs logstore ARGS in the background, stderr to NAME.err
start() {
  local name=$1; shift
  "$LOGSTORE" "$@" 2>"$WORK/$name.err" >"$WORK/$name.out" &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

# start_cmd NAME CMD...: like start, for a command that is not logstore
# itself (e.g. `ip netns exec NS logstore ...`).
start_cmd() {
  local name=$1; shift
  "$@" 2>"$WORK/$name.err" >"$WORK/$name.out" &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

pid_of() { local v="PID_${1//-/_}"; echo "${!v}"; }

# kill9 NAME: kill -9 a node this test started, and reap it. A node that
# had already exited is a failure of its own, shown with its exit status
# and the end of its stderr: a crash must not hide behind the kill.
kill9() {
  local pid rc
  pid=$(pid_of "$1")
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; rc=$?
    fail "$1 had already exited (status $rc) before the test killed it: $(tail -5 "$WORK/$1.err" 2>/dev/null)"
  fi
  kill -9 "$pid"; wait "$pid" 2>/dev/null
  return 0
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# http_get HOST PORT PATH: prints the body (bash /dev/tcp, no curl needed).
http_get() {
  exec 5<>"/dev/tcp/$1/$2" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$3" "$1" >&5
  sed '1,/^\r$/d' <&5
  exec 5<&-
}

# entries N: N JSON input lines with distinct, increasing timestamps.
entries() {
  # (mawk's %d is 32-bit: build the 16-digit timestamp from two halves)
  seq 1 "$1" | awk '{printf "{\"ts\":17000000%08d,\"source\":\"src-%d\",\"msg\":\"entry-%d\"}\n", $1, $1%5, $1}'
}

# stopped_within SECONDS PID: true if PID is gone within SECONDS.
stopped_within() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
  while kill -0 "$2" 2>/dev/null; do
    [ "$(date +%s%N)" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}
