#!/usr/bin/env bash
# logstore — direct writes on real processes (issue 11, "No entry bytes
# through the master"; docs/protocol.md, "Direct writes"). The master hands
# `logstore append` a placement; the client stores every batch at the
# placement's replicas itself and commits them in the background. Shown:
#  - every entry is acknowledged and read back, every batch with RF copies;
#  - a forged store_req (a valid frame, but no placement the master
#    granted) is refused by the storage node with not_granted, logged, and
#    nothing is stored;
#  - a master started with --write-path master refuses placements, and
#    `logstore append` falls back to writing through it.
source "$(dirname "$0")/lib.sh"
FORGE=${2:?usage: $0 path/to/logstore path/to/forge_store}

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure
sleep 0.3
S1P=$(free_port)
XP=$(free_port)
start storage-1 storage --listen "127.0.0.1:$S1P" --master "$M" --name storage-1 --insecure \
  --metrics "127.0.0.1:$XP"
XPS=("$XP")
for i in 2 3 4; do
  XPS+=("$(free_port)")
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure --metrics "127.0.0.1:${XPS[-1]}"
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"

entries 2000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append: $(tail -3 "$WORK/append.err")"
grep -q "2000 entries acknowledged, 0 not stored, 0 maybe stored" "$WORK/append.err" \
  || fail "append summary: $(cat "$WORK/append.err")"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000002000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err" || fail "read: $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" || fail "read differs from the 2,000 appended"
"$LOGSTORE" status "${C[@]}" > "$WORK/status.txt" 2>&1 || fail "status: $(cat "$WORK/status.txt")"
grep -q " 40 batches, 0 under-replicated" "$WORK/status.txt" || fail "status: $(cat "$WORK/status.txt")"
pass "2,000 entries written straight to the storage nodes in 40 batches, all read back, 0 under-replicated"

out=$("$FORGE" "127.0.0.1:$S1P" 987654 --insecure 2>&1); rc=$?
[ $rc -eq 0 ] || fail "forged store: exit $rc: $out"
echo "$out" | grep -q "not_granted" || fail "forged store answer: $out"
wait_for 5 grep -q '"event":"store_not_granted"' "$WORK/storage-1.err" \
  || fail "storage-1 did not log the refusal"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000002000 \
  > "$WORK/out2.jsonl" 2>/dev/null && cmp -s "$WORK/in.jsonl" "$WORK/out2.jsonl" \
  || fail "read after the forged write differs"
http_get 127.0.0.1 "$XP" /metrics > "$WORK/metrics.txt"
grep -q '^logstore_stores_not_granted_total 1$' "$WORK/metrics.txt" \
  || fail "metrics: $(grep not_granted "$WORK/metrics.txt")"
pass "forged store_req refused by storage-1, logged and counted in /metrics: $out"

# One entry per batch, 8 in flight: the stores that wait for a node while
# its previous message is out go together in one store_many_req.
sum_metric() { # NAME: the sum over the four storage nodes
  local total=0 v
  for p in "${XPS[@]}"; do
    v=$(http_get 127.0.0.1 "$p" /metrics | awk -v n="$1" '$1 == n { print $2 }')
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
msgs0=$(sum_metric logstore_store_messages_total)
stores0=$(sum_metric logstore_stores_received_total)
entries 600 | sed 's/17000000000/17000000010/' > "$WORK/small.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 1 --in-flight 8 < "$WORK/small.jsonl" \
  2>"$WORK/small.err" || fail "append K=1: $(tail -3 "$WORK/small.err")"
grep -q "600 entries acknowledged, 0 not stored, 0 maybe stored" "$WORK/small.err" \
  || fail "append K=1 summary: $(cat "$WORK/small.err")"
"$LOGSTORE" read "${C[@]}" --from 1700000001000001 --to 1700000001000600 \
  > "$WORK/small.out" 2>"$WORK/small_read.err" || fail "read: $(cat "$WORK/small_read.err")"
cmp -s "$WORK/small.jsonl" "$WORK/small.out" || fail "read differs from the 600 appended one by one"
msgs=$(( $(sum_metric logstore_store_messages_total) - msgs0 ))
stores=$(( $(sum_metric logstore_stores_received_total) - stores0 ))
[ "$stores" -ge 1800 ] || fail "stores received: $stores (need >= 3 x 600)"
[ "$msgs" -lt "$stores" ] || fail "no store was coalesced: $msgs messages for $stores stores"
pass "600 one-entry batches, 8 in flight: $stores stores in $msgs messages (coalesced), all read back"

BP=$(free_port)
B=127.0.0.1:$BP
start bmaster master --listen "$B" --insecure --write-path master
sleep 0.3
for i in 1 2 3; do
  start "b$i" storage --listen "127.0.0.1:$(free_port)" --master "$B" --name "b-$i" --insecure
done
CB=(--master "$B" --insecure)
wait_for 15 "$LOGSTORE" status "${CB[@]}" || fail "cluster B did not become healthy"
"$LOGSTORE" append "${CB[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/bappend.err" \
  || fail "append to B: $(tail -3 "$WORK/bappend.err")"
grep -q "2000 entries acknowledged" "$WORK/bappend.err" || fail "append to B: $(cat "$WORK/bappend.err")"
pass "a master with --write-path master: append falls back to writing through it, 2,000 acknowledged"
