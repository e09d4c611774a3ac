#!/usr/bin/env bash
# logstore — repair, rejoin, rebalance and drain on a real cluster.
# A master (RF 3, heartbeat 200 ms, dead after 5 misses, repair grace 1 s)
# and 4 memory-only storage nodes as separate processes. After appending
# 3,000 entries: kill -9 a node V that holds batches; `status -o json`
# shows it dead and, once the grace has passed and the master has
# re-replicated its batches, nothing under-replicated; every entry is
# still readable. V is restarted (empty: memory only), rejoins with an
# empty block report (status shows it up) and the master rebalances
# batches onto it. `logstore drain D` (another node holding batches)
# answers "not yet" (exit 1) until every batch of D has 3 copies
# elsewhere, then "safe to remove" (exit 0); D is then stopped, and a read
# is still complete.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure --replication-factor 3 \
  --heartbeat-interval 200ms --dead-after 5 --repair-grace 1s
sleep 0.3
declare -A PORT
for i in 1 2 3 4; do
  PORT[$i]=$(free_port)
  start "storage-$i" storage --listen "127.0.0.1:${PORT[$i]}" --master "$M" \
    --name "storage-$i" --insecure
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
pass "master + 4 storage nodes healthy (RF 3)"

entries 3000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/append.err"
rc=$?; [ $rc -eq 0 ] || fail "append exit $rc: $(tail -3 "$WORK/append.err")"
pass "3,000 entries appended in 60 batches"

# member NAME: that member's JSON object from the last status.json
member() { grep -o "{\"name\":\"$1\"[^}]*}" "$WORK/status.json"; }
status_json() { "$LOGSTORE" status "${C[@]}" -o json > "$WORK/status.json"; true; }
field() { grep -o "\"$1\":[0-9a-z]*" | head -1 | cut -d: -f2; }

# A run's batches share placements (64 ids each, one replica set), so 60
# batches may all lie on 3 of the 4 nodes: the victim V and the node D to
# drain are members that hold batches.
status_json
holders=()
for i in 1 2 3 4; do
  [ "$(member "storage-$i" | field batches)" -gt 0 ] && holders+=("$i")
done
[ ${#holders[@]} -ge 2 ] || fail "fewer than 2 members hold batches: $(cat "$WORK/status.json")"
V=${holders[0]}; D=${holders[1]}

kill -9 "$(pid_of storage-$V)"; wait "$(pid_of storage-$V)" 2>/dev/null
T0=$(date +%s%N)
dead_and_repaired() {
  status_json
  member storage-$V | grep -q '"state":"dead"' || return 1
  [ "$(field under_replicated < "$WORK/status.json")" = 0 ] || return 1
  [ "$(field repairs_done < "$WORK/status.json")" -gt 0 ]
}
wait_for 20 dead_and_repaired \
  || fail "storage-$V not dead and repaired: $(cat "$WORK/status.json")"
T1=$(date +%s%N)
pass "kill -9 storage-$V: declared dead, $(field repairs_done < "$WORK/status.json") repair copies, 0 under-replicated after $(( (T1 - T0) / 1000000 )) ms"

"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000003000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err"
rc=$?; [ $rc -eq 0 ] || fail "read after repair: exit $rc $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" || fail "read after repair differs"
pass "every entry readable and complete after the repair"

# Restart storage-$V: memory only, so it comes back empty and rejoins.
start storage-$V storage --listen "127.0.0.1:${PORT[$V]}" --master "$M" \
  --name storage-$V --insecure
rejoined() {
  status_json
  member storage-$V | grep -q '"state":"up"' || return 1
  [ "$(field under_replicated < "$WORK/status.json")" = 0 ]
}
wait_for 20 rejoined || fail "storage-$V did not rejoin: $(cat "$WORK/status.json")"
grep -q '"event":"reconciled"' "$WORK/master.err" \
  || fail "no reconciliation logged by the master"
pass "storage-$V restarted empty, rejoined (up), reconciled"

# It is empty and the others hold 60 batches each: the master moves some
# batches onto it (copy first, delete after; never below RF).
rebalanced() {
  status_json
  [ "$(member storage-$V | field batches)" -gt 0 ] || return 1
  [ "$(field moves_done < "$WORK/status.json")" -gt 0 ]
}
wait_for 30 rebalanced || fail "no rebalance onto storage-$V: $(cat "$WORK/status.json")"
pass "rebalanced: storage-$V holds $(member storage-$V | field batches) batches ($(field moves_done < "$WORK/status.json") moves)"

"$LOGSTORE" drain storage-$D "${C[@]}" > "$WORK/drain1.txt" 2>&1
rc=$?; [ $rc -le 1 ] || fail "drain storage-$D: exit $rc $(cat "$WORK/drain1.txt")"
grep -q "storage-$D (up) is draining" "$WORK/drain1.txt" || fail "drain output: $(cat "$WORK/drain1.txt")"
pass "logstore drain storage-$D: $(cat "$WORK/drain1.txt") (exit $rc)"
wait_for 30 "$LOGSTORE" drain storage-$D "${C[@]}" \
  || fail "storage-$D never safe to remove: $("$LOGSTORE" drain storage-$D "${C[@]}" 2>&1)"
"$LOGSTORE" drain storage-$D "${C[@]}" -o json > "$WORK/drain.json"
grep -q '"batches":0' "$WORK/drain.json" && grep -q '"safe_to_remove":true' "$WORK/drain.json" \
  || fail "drain json: $(cat "$WORK/drain.json")"
status_json
member storage-$D | grep -q '"draining":true' || fail "status does not show the drain"
pass "storage-$D drained: 0 batches, safe to remove (exit 0)"

"$LOGSTORE" drain storage-9 "${C[@]}" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "drain of an unknown node: exit $rc, expected 2"
pass "drain of an unknown node: exit 2"

kill -TERM "$(pid_of storage-$D)"
stopped_within 2 "$(pid_of storage-$D)" || fail "storage-$D did not stop"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000003000 \
  > "$WORK/out2.jsonl" 2>"$WORK/read2.err"
rc=$?; [ $rc -eq 0 ] || fail "read after removing storage-$D: exit $rc $(cat "$WORK/read2.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out2.jsonl" || fail "read after removal differs"
pass "storage-$D removed: every entry still readable, complete"
