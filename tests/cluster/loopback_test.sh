#!/usr/bin/env bash
# logstore — multi-process cluster on loopback (docs/operations.md).
# A master and 3 storage nodes as separate processes (--insecure); 10,000
# entries through `logstore append`; kill -9 one storage node; `logstore
# read` still returns all of them, sorted and complete; `status` shows the
# node dead once the heartbeat detector gives up on it. Malformed input, an
# inverted range and an unreachable master give the documented errors and
# exit codes, and nothing stored is lost. SIGTERM stops a node within 1 s.
source "$(dirname "$0")/lib.sh"

MP=$(free_port); MX=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure --metrics "127.0.0.1:$MX"
sleep 0.3
for i in 1 2 3; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
pass "master + 3 storage nodes healthy"

entries 10000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 100 < "$WORK/in.jsonl" 2>"$WORK/append.err"
rc=$?; [ $rc -eq 0 ] || fail "append exit $rc: $(tail -3 "$WORK/append.err")"
grep -q "10000 entries acknowledged" "$WORK/append.err" || fail "append summary"
pass "10,000 entries appended (exit 0)"

# Malformed lines are reported with their numbers; the good ones are stored.
printf 'good line one\n{"ts":"soon","msg":"x"}\n{not json\n{"ts":5,"source":"s","msg":"good json"}\n' \
  | "$LOGSTORE" append "${C[@]}" --source mixed 2>"$WORK/bad.err"
rc=$?; [ $rc -eq 1 ] || fail "malformed input: exit $rc, expected 1"
grep -q "line 2: malformed" "$WORK/bad.err" || fail "line 2 not reported"
grep -q "line 3: malformed" "$WORK/bad.err" || fail "line 3 not reported"
grep -q "2 entries acknowledged" "$WORK/bad.err" || fail "good lines lost"
pass "malformed lines 2 and 3 reported, exit 1, good lines stored"

kill -9 "$(pid_of storage-2)"; wait "$(pid_of storage-2)" 2>/dev/null
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000010000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err"
rc=$?; [ $rc -eq 0 ] || fail "read after kill -9: exit $rc $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" \
  || fail "read returned $(wc -l < "$WORK/out.jsonl") lines, not the 10,000 written, in order"
pass "after kill -9 storage-2: read returns all 10,000, sorted, complete"

dead() {
  "$LOGSTORE" status "${C[@]}" > "$WORK/status.txt"
  grep -qE "^storage-2 .* dead " "$WORK/status.txt"
}
wait_for 15 dead || fail "status never showed storage-2 dead"
"$LOGSTORE" status "${C[@]}" > "$WORK/status.txt"; rc=$?
[ $rc -eq 1 ] || fail "status of an unhealthy cluster: exit $rc, expected 1"
"$LOGSTORE" status "${C[@]}" -o json > "$WORK/status.json"
grep -q '"healthy":false' "$WORK/status.json" || fail "json status"
pass "status shows storage-2 dead, exit 1"

http_get 127.0.0.1 "$MX" /metrics > "$WORK/metrics.txt"
grep -q 'logstore_node_up{node="storage-2"} 0' "$WORK/metrics.txt" || fail "metrics node_up"
grep -q 'logstore_appends_total{result="ok"} 10[0-9]' "$WORK/metrics.txt" || fail "metrics appends"
grep -q '^# TYPE logstore_under_replicated_batches gauge' "$WORK/metrics.txt" || fail "metrics types"
http_get 127.0.0.1 "$MX" /healthz > "$WORK/healthz.txt"
grep -q ok "$WORK/healthz.txt" || fail "healthz"
pass "/metrics and /healthz"

# With one of three nodes dead and RF 3, appends fail DEFINITELY.
echo "late line" | "$LOGSTORE" append "${C[@]}" --retries 0 2>"$WORK/late.err"
rc=$?; [ $rc -eq 1 ] || fail "append with RF unreachable: exit $rc"
grep -q "lines 1: NOT stored (definite: not_enough_nodes)" "$WORK/late.err" \
  || fail "definite failure not reported: $(cat "$WORK/late.err")"
pass "append with too few nodes: line 1 NOT stored (definite), exit 1"

"$LOGSTORE" read "${C[@]}" --from 10 --to 5 2>"$WORK/inv.err"; rc=$?
[ $rc -eq 2 ] && grep -q "inverted range" "$WORK/inv.err" || fail "inverted range: exit $rc"
pass "inverted range: clear error, exit 2"

NOPE=127.0.0.1:$(free_port)
U=(--master "$NOPE" --insecure --connect-timeout-ms 800)
echo "x" | "$LOGSTORE" append "${U[@]}" 2>"$WORK/u1.err"; rc=$?
[ $rc -eq 1 ] && grep -q "unreachable" "$WORK/u1.err" && grep -q "NOT stored" "$WORK/u1.err" \
  || fail "append to unreachable master: exit $rc"
"$LOGSTORE" read "${U[@]}" --from 0 --to 1 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "read from unreachable master: exit $rc"
"$LOGSTORE" status "${U[@]}" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "status of unreachable master: exit $rc"
pass "unreachable master: append exit 1 (NOT stored), read 2, status 2"

"$LOGSTORE" read "${C[@]}" --from 0 --to 9999999999999999 > "$WORK/all.jsonl" \
  || fail "final read"
[ "$(wc -l < "$WORK/all.jsonl")" -eq 10002 ] || fail "nothing lost: $(wc -l < "$WORK/all.jsonl") lines"
pass "nothing stored was lost (10,002 entries)"

kill -TERM "$(pid_of storage-3)"
stopped_within 1 "$(pid_of storage-3)" || fail "storage-3 took > 1 s to stop"
kill -TERM "$(pid_of master)"
stopped_within 1 "$(pid_of master)" || fail "master took > 1 s to stop"
grep -q '"event":"stopped"' "$WORK/master.err" || fail "no clean shutdown line"
pass "SIGTERM: master and storage stop cleanly within 1 s"
