#!/usr/bin/env bash
# logstore — removing a member for good (`logstore remove`), and a drain
# verdict that is true. Cluster A: a master with --data-dir and --metrics,
# RF 3, 4 durable storage nodes, 2,000 entries:
#  - remove of a member that is up is refused (exit 1, "stop it first");
#  - drain storage-4 until safe, stop it: status is unhealthy (it is dead)
#    and /metrics shows logstore_node_up{node="storage-4"} 0;
#  - remove storage-4: exit 0; status healthy (exit 0), storage-4 gone from
#    status and /metrics; every entry read back complete;
#  - the master restarts (kill -9): storage-4 stays gone, status healthy;
#  - remove of an unknown member: exit 2.
# Cluster B: RF 1, 2 storage nodes; one is killed, so it holds the only
# copy of its batches:
#  - drain of the dead member says NOT safe and why (exit 1);
#  - remove is refused (exit 1, "only copy"); with --force it is removed
#    (exit 0) and reads then name the lost ranges (exit 1), never lie.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
XP=$(free_port)
master_args=(--listen "$M" --insecure --data-dir "$WORK/m" --metrics "127.0.0.1:$XP"
             --heartbeat-interval 200ms --dead-after 5 --repair-grace 1s)
start master master "${master_args[@]}"
sleep 0.3
for i in 1 2 3 4; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure --data-dir "$WORK/s$i"
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
entries 2000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append: $(tail -3 "$WORK/append.err")"
pass "cluster A: 4 storage nodes, RF 3, 2,000 entries"

"$LOGSTORE" remove storage-4 "${C[@]}" > /dev/null 2>"$WORK/rm-up.err"; rc=$?
[ $rc -eq 1 ] || fail "remove of a live member: exit $rc, expected 1"
grep -q "storage-4 is up: stop it first" "$WORK/rm-up.err" || fail "remove of a live member: $(cat "$WORK/rm-up.err")"
pass "remove of a member that is up: refused (exit 1): $(cut -c1-100 "$WORK/rm-up.err")..."

wait_for 30 "$LOGSTORE" drain storage-4 "${C[@]}" \
  || fail "storage-4 never safe to remove: $("$LOGSTORE" drain storage-4 "${C[@]}" 2>&1)"
"$LOGSTORE" drain storage-4 "${C[@]}" > "$WORK/drain.txt"
grep -q "SAFE to remove now (stop it, then: logstore remove storage-4)" "$WORK/drain.txt" \
  || fail "drain verdict: $(cat "$WORK/drain.txt")"
kill -TERM "$(pid_of storage-4)"; wait "$(pid_of storage-4)" 2>/dev/null
status_is() { "$LOGSTORE" status "${C[@]}" > "$WORK/status.txt" 2>&1; [ $? -eq "$1" ]; }
dead4() { status_is 1 && grep -q "^storage-4 .* dead" "$WORK/status.txt"; }
wait_for 10 dead4 || fail "storage-4 not dead after stop: $(cat "$WORK/status.txt")"
http_get 127.0.0.1 "$XP" /metrics > "$WORK/metrics1.txt"
grep -q 'logstore_node_up{node="storage-4"} 0' "$WORK/metrics1.txt" \
  || fail "metrics before remove: $(grep node_up "$WORK/metrics1.txt")"
pass "drained and stopped: status unhealthy (exit 1), logstore_node_up{storage-4} 0"

"$LOGSTORE" remove storage-4 "${C[@]}" > "$WORK/rm.txt" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "remove storage-4: exit $rc $(cat "$WORK/rm.txt")"
status_is 0 || fail "status after remove: $(cat "$WORK/status.txt")"
grep -q "storage-4" "$WORK/status.txt" && fail "storage-4 still listed: $(cat "$WORK/status.txt")"
http_get 127.0.0.1 "$XP" /metrics > "$WORK/metrics2.txt"
grep -q 'node="storage-4"' "$WORK/metrics2.txt" && fail "storage-4 still in /metrics"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000002000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err" || fail "read after remove: $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" || fail "entries differ after remove"
pass "remove storage-4: $(cat "$WORK/rm.txt"); status healthy (exit 0); gone from /metrics; reads complete"

kill9 master
start master-again master "${master_args[@]}"
wait_for 20 status_is 0 || fail "status after the master restart: $(cat "$WORK/status.txt")"
grep -q "storage-4" "$WORK/status.txt" && fail "storage-4 came back with the master: $(cat "$WORK/status.txt")"
pass "after kill -9 of the master: storage-4 stays removed, status healthy"

"$LOGSTORE" remove storage-9 "${C[@]}" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "remove of an unknown member: exit $rc, expected 2"
pass "remove of an unknown member: exit 2"

# A member that dies for good, with every batch still on an up member, is
# recorded as redundant: after a master restart it is not waited for, so
# reads stay complete without it.
kill9 storage-3
redundant3() { grep -q "member	storage-3	.*redundant" "$WORK/m/master-state"; }
wait_for 20 redundant3 || fail "storage-3 never recorded redundant: $(grep member "$WORK/m/master-state")"
kill9 master-again
start master-third master "${master_args[@]}"
read_complete() {
  "$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000002000 \
    > "$WORK/out3.jsonl" 2>"$WORK/read3.err" && cmp -s "$WORK/in.jsonl" "$WORK/out3.jsonl"
}
wait_for 20 read_complete || fail "reads incomplete after the restart: $(cat "$WORK/read3.err")"
status_is 1
grep -q "^storage-3 .* dead" "$WORK/status.txt" || fail "storage-3 should be dead, not unreported: $(cat "$WORK/status.txt")"
"$LOGSTORE" remove storage-3 "${C[@]}" > /dev/null 2>&1 || fail "remove of the redundant storage-3"
pass "a dead member with every batch elsewhere is redundant: after a master restart reads are complete without it, and it can be removed"

# Cluster B: RF 1, so a dead member holds the only copy of its batches.
BP=$(free_port)
B=127.0.0.1:$BP
start bmaster master --listen "$B" --insecure --replication-factor 1 \
  --heartbeat-interval 200ms --dead-after 5 --repair-grace 1s
sleep 0.3
for i in 1 2; do
  start "b$i" storage --listen "127.0.0.1:$(free_port)" --master "$B" \
    --name "b-$i" --insecure
done
CB=(--master "$B" --insecure)
wait_for 15 "$LOGSTORE" status "${CB[@]}" || fail "cluster B did not become healthy"
"$LOGSTORE" append "${CB[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/bappend.err" \
  || fail "append to B: $(tail -3 "$WORK/bappend.err")"
# A client's run writes into one placement (docs/protocol.md, "Direct
# writes"): the member that took it holds every batch. That one dies.
"$LOGSTORE" status "${CB[@]}" > "$WORK/bstatus0.txt" 2>&1
V=$(awk '$1 ~ /^b-/ && $5 > 0 { print $1; exit }' "$WORK/bstatus0.txt")
[ -n "$V" ] || fail "no member of cluster B holds a batch: $(cat "$WORK/bstatus0.txt")"
kill9 "b${V#b-}"
deadv() { "$LOGSTORE" status "${CB[@]}" > "$WORK/bstatus.txt" 2>&1; grep -q "^$V .* dead" "$WORK/bstatus.txt"; }
wait_for 10 deadv || fail "$V not dead: $(cat "$WORK/bstatus.txt")"
"$LOGSTORE" drain "$V" "${CB[@]}" > "$WORK/bdrain.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "drain of a dead member holding sole copies: exit $rc"
grep -q "$V (dead) is draining: .*have no other live copy: NOT safe to remove; start it again" "$WORK/bdrain.txt" \
  || fail "drain verdict for a dead member: $(cat "$WORK/bdrain.txt")"
pass "drain of a dead member with the only copies: $(cat "$WORK/bdrain.txt") (exit 1)"
"$LOGSTORE" remove "$V" "${CB[@]}" > /dev/null 2>"$WORK/brm.err"; rc=$?
[ $rc -eq 1 ] || fail "remove of a member with sole copies: exit $rc, expected 1"
grep -q "$V holds the only copy of [0-9]* batch(es)" "$WORK/brm.err" || fail "refusal: $(cat "$WORK/brm.err")"
pass "remove refused while it holds the only copies: $(cut -c1-110 "$WORK/brm.err")..."
"$LOGSTORE" remove "$V" --force "${CB[@]}" > "$WORK/brm.txt" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "remove --force: exit $rc $(cat "$WORK/brm.txt")"
grep -q "batch(es) given up" "$WORK/brm.txt" || fail "remove --force output: $(cat "$WORK/brm.txt")"
"$LOGSTORE" read "${CB[@]}" --from 1700000000000001 --to 1700000000002000 \
  > "$WORK/bout.jsonl" 2>"$WORK/bread.err"; rc=$?
[ $rc -eq 1 ] || fail "read after giving up batches: exit $rc (should be incomplete)"
grep -q "INCOMPLETE" "$WORK/bread.err" || fail "read does not name the lost ranges: $(cat "$WORK/bread.err")"
pass "remove --force: $(cat "$WORK/brm.txt"); reads then say INCOMPLETE (exit 1)"
