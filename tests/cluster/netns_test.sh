#!/usr/bin/env bash
# logstore — several "hosts": master and storage nodes in separate network
# namespaces with their own 10.x addresses, joined by veth pairs to a bridge
# that lives in a namespace of its own (the host's network is not touched).
# Cutting one node's link (no FIN, no RST: packets just vanish) must be
# detected by CAF's heartbeats and the master's failure detector; reads
# still return everything; after the link comes back the node is up again.
# Needs root and `ip netns`; otherwise prints SKIP and exits 77.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
  echo "SKIP: needs root and iproute2 (ip netns) to build the test network"
  exit 77
fi
TAG="lst$$"
NETNS=()
net_cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  { wait; } 2>/dev/null
  for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
  cleanup
}
trap net_cleanup EXIT
if ! ip netns add "$TAG-hub" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces here (ip netns add failed)"
  exit 77
fi
NETNS+=("$TAG-hub")
ip -n "$TAG-hub" link add br0 type bridge && ip -n "$TAG-hub" link set br0 up \
  || { echo "SKIP: cannot create a bridge in a namespace"; exit 77; }
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"

# host NAME IP: a namespace with eth0=IP/24, linked to the hub's bridge.
host() {
  local ns="$TAG-$1"
  ip netns add "$ns" || return 1
  NETNS+=("$ns")
  ip link add "v$TAG$1" type veth peer name "h$TAG$1" || return 1
  ip link set "v$TAG$1" netns "$ns" name eth0
  ip link set "h$TAG$1" netns "$TAG-hub"
  ip -n "$TAG-hub" link set "h$TAG$1" master br0 up
  ip -n "$ns" addr add "$2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}
host m "$NET.1" && host s1 "$NET.11" && host s2 "$NET.12" && host s3 "$NET.13" \
  || fail "could not build the test network"
in_ns() { local ns="$TAG-$1"; shift; ip netns exec "$ns" "$@"; }
ip -n "$TAG-hub" link set br0 type bridge forward_delay 0 2>/dev/null

M=$NET.1:7000
start_cmd master ip netns exec "$TAG-m" "$LOGSTORE" master --listen "$M" --insecure
for i in 1 2 3; do
  start_cmd "storage-$i" ip netns exec "$TAG-s$i" "$LOGSTORE" storage \
    --listen "$NET.1$i:7001" --master "$M" --name "storage-$i" --insecure
done
C=(--master "$M" --insecure)
wait_for 20 in_ns m "$LOGSTORE" status "${C[@]}" || fail "cluster across namespaces not healthy"
pass "master + 3 storage nodes in 4 namespaces on $NET.0/24"

entries 2000 > "$WORK/in.jsonl"
in_ns m "$LOGSTORE" append "${C[@]}" < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append across namespaces"
pass "2,000 entries appended"

ip -n "$TAG-hub" link set "h${TAG}s2" down   # cut storage-2's cable
dead() {
  in_ns m "$LOGSTORE" status "${C[@]}" > "$WORK/status.txt"
  grep -qE "^storage-2 .* dead " "$WORK/status.txt"
}
wait_for 20 dead || fail "the master never marked the cut node dead: $(cat "$WORK/status.txt")"
kill -0 "$(pid_of storage-2)" || fail "storage-2 should still be running"
wait_for 10 grep -q '"peer_down".*storage-2' "$WORK/master.err" \
  || fail "CAF heartbeats did not drop the silent connection"
pass "link cut: CAF heartbeat timeout + failure detector mark storage-2 dead"

in_ns m "$LOGSTORE" read "${C[@]}" --from 0 --to 9999999999999999 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err"
rc=$?; [ $rc -eq 0 ] || fail "read with a node cut off: exit $rc $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" || fail "read with a node cut off is not complete"
pass "reads still return all 2,000 entries, complete"

ip -n "$TAG-hub" link set "h${TAG}s2" up     # and plug it back in
wait_for 25 in_ns m "$LOGSTORE" status "${C[@]}" \
  || fail "storage-2 did not come back: $(cat "$WORK/status.txt")"
pass "link restored: storage-2 reconnects by itself, cluster healthy again"
