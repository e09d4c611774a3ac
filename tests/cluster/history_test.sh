#!/usr/bin/env bash
# logstore — the same checker judges the simulator and the real cluster
# (docs/operations.md, "Checking a real run"). The happy-path scenario runs
# in the simulator and writes its history; a real 3-node cluster runs a
# comparable workload (pipelined appends from two client processes, a read
# in the middle, a final read) recorded with --history; `logstore check`
# accepts both. A history with one entry removed from the final read is
# rejected (exit 1), and an unreadable file gives exit 2.
source "$(dirname "$0")/lib.sh"
SCENARIO=$(cd "$(dirname "$0")/../.." && pwd)/scenarios/01-happy-path.toml

"$LOGSTORE" sim "$SCENARIO" --out "$WORK/sim" >"$WORK/sim.out" 2>&1
rc=$?; [ $rc -eq 0 ] || fail "simulator run: exit $rc $(tail -3 "$WORK/sim.out")"
SIM_HIST=$(ls "$WORK"/sim/*/history.jsonl | head -1)
"$LOGSTORE" check "$SIM_HIST" > "$WORK/sim-check.txt"; rc=$?
[ $rc -eq 0 ] || fail "checker on the simulator's history: exit $rc"
pass "simulator history: checker says valid"

M=127.0.0.1:$(free_port)
start master master --listen "$M" --insecure
sleep 0.3
for i in 1 2 3; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
H=$WORK/real.jsonl
entries 3000 | "$LOGSTORE" append "${C[@]}" --batch-size 10 --in-flight 8 \
  --history "$H" 2>"$WORK/a1.err" || fail "append 1"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000001000 \
  --history "$H" > /dev/null || fail "middle read"
seq 1 500 | "$LOGSTORE" append "${C[@]}" --source plain --batch-size 7 \
  --history "$H" 2>"$WORK/a2.err" || fail "append 2"
"$LOGSTORE" read "${C[@]}" --from 0 --to 9223372036854775807 --final \
  --history "$H" > "$WORK/final.jsonl" || fail "final read"
[ "$(wc -l < "$WORK/final.jsonl")" -eq 3500 ] || fail "final read size"
"$LOGSTORE" check "$H" > "$WORK/real-check.txt"; rc=$?
[ $rc -eq 0 ] || fail "checker on the real history: exit $rc $(cat "$WORK/real-check.txt")"
grep -q "final read present" "$WORK/real-check.txt" || fail "no final read seen"
"$LOGSTORE" check "$H" -o json | grep -q '"valid":true' || fail "json verdict"
pass "real-cluster history ($(wc -l < "$H") events): checker says valid"

# Negative control: drop the first entry from the final read.
sed '$ s/{"id":"[^"]*","ts":[0-9]*,"source":"[^"]*"},//' "$H" > "$WORK/lost.jsonl"
cmp -s "$H" "$WORK/lost.jsonl" && fail "could not tamper with the history"
"$LOGSTORE" check "$WORK/lost.jsonl" > "$WORK/lost-check.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "FAIL no-lost-acked-writes" "$WORK/lost-check.txt" \
  || fail "a lost acknowledged write went unnoticed: exit $rc"
echo "not json" > "$WORK/garbage.jsonl"
"$LOGSTORE" check "$WORK/garbage.jsonl" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "unreadable history: exit $rc"
pass "tampered history rejected (exit 1); unreadable file exit 2"
