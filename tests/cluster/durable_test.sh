#!/usr/bin/env bash
# logstore — durable storage on real files (issue "Durable storage").
# Three storage nodes with --data-dir (fsync always, group commit) hold
# 5,000 entries. Every storage process is killed with kill -9 — one of them
# while an append is still running — and restarted from its data
# directory: each recovers its segment files, rejoins with a block report,
# and `logstore read` returns every acknowledged entry, sorted, complete.
# `logstore segment verify` then checks every frame's CRC on disk.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure --store-timeout 3s
sleep 0.3
declare -A PORT
for i in 1 2 3; do
  PORT[$i]=$(free_port)
  start "storage-$i" storage --listen "127.0.0.1:${PORT[$i]}" --master "$M" \
    --name "storage-$i" --insecure --data-dir "$WORK/s$i" --fsync always
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"

entries 5000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 100 < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append: $(tail -3 "$WORK/append.err")"
pass "5,000 entries appended to durable nodes"

# A second append is running while storage-1 dies mid-write.
entries 20000 | tail -n 15000 > "$WORK/more.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/more.jsonl" \
  > /dev/null 2>"$WORK/more.err" &
APPENDER=$!
sleep 0.3
kill -9 "$(pid_of storage-1)"
wait "$APPENDER"
# Then power loss everywhere: every storage process dies at once.
for i in 2 3; do kill -9 "$(pid_of storage-$i)"; done
for i in 1 2 3; do wait "$(pid_of storage-$i)" 2>/dev/null; done
pass "kill -9 of every storage node (one mid-append)"

for i in 1 2 3; do
  start "storage-$i-again" storage --listen "127.0.0.1:${PORT[$i]}" \
    --master "$M" --name "storage-$i" --insecure --data-dir "$WORK/s$i"
done
# The master may still list the killed nodes as up (it has not timed out
# their heartbeats yet), so "three up" alone proves nothing: each restarted
# node must have logged its recovery and the master its re-join first.
up3() {
  for i in 1 2 3; do
    grep -q '"recovered"' "$WORK/storage-$i-again.err" || return 1
    grep -q "storage-$i joined again" "$WORK/master.err" || return 1
  done
  "$LOGSTORE" status "${C[@]}" -o json > "$WORK/st.json" 2>/dev/null || return 1
  [ "$(grep -o '"state":"up"' "$WORK/st.json" | wc -l)" -ge 3 ]
}
wait_for 20 up3 || fail "restarted nodes did not rejoin: $(cat "$WORK/st.json")"
grep -q '"recovered"' "$WORK/storage-1-again.err" || fail "no recovery log line"
pass "restarted nodes recovered their segments and rejoined"

"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000005000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err" || fail "read: $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" \
  || fail "read after restart: $(wc -l < "$WORK/out.jsonl") lines, not the 5,000 acknowledged"
pass "all 5,000 acknowledged entries read back after kill -9 of every node"

# Every line the second append acknowledged must be there too.
ACKED=$(grep -c "" "$WORK/more.jsonl")
if grep -q "entries acknowledged" "$WORK/more.err"; then
  N=$(grep -o "[0-9]* entries acknowledged" "$WORK/more.err" | grep -o "^[0-9]*")
  "$LOGSTORE" read "${C[@]}" --from 1700000000005001 --to 1700000000020000 \
    > "$WORK/more.out" 2>/dev/null || true
  GOT=$(wc -l < "$WORK/more.out")
  [ "$GOT" -ge "$N" ] || fail "second append acknowledged $N, read finds $GOT"
  pass "second append: $N of $ACKED acknowledged, all $N found"
fi

for i in 1 2 3; do
  "$LOGSTORE" segment verify "$WORK/s$i/segments" > "$WORK/verify$i.txt" 2>&1 \
    || fail "segment verify s$i: $(tail -3 "$WORK/verify$i.txt")"
done
pass "segment verify: every frame's CRC checks out on all three nodes"
