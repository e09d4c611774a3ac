#!/usr/bin/env bash
# logstore — the master restarts (kill -9) with its --data-dir: it comes
# back with a higher epoch, rebuilds its batch index from the storage nodes'
# block reports, and every acknowledged entry is read back. Reads issued
# before the reports are in say "incomplete" (exit 1) rather than lie.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure --store-timeout 3s --data-dir "$WORK/m"
sleep 0.3
for i in 1 2 3; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure --data-dir "$WORK/s$i"
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"

entries 3000 > "$WORK/a.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 100 < "$WORK/a.jsonl" 2>"$WORK/a.err" \
  || fail "append: $(tail -3 "$WORK/a.err")"
pass "3,000 entries appended"

kill -9 "$(pid_of master)"; wait "$(pid_of master)" 2>/dev/null
start master-again master --listen "$M" --insecure --store-timeout 3s --data-dir "$WORK/m"
grep -q "logstore-master-state" "$WORK/m/master-state" || fail "no master-state file"

# Until every member has reported, a read must not claim completeness.
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000003000 \
  > "$WORK/early.jsonl" 2>"$WORK/early.err"
rc=$?
if [ $rc -eq 0 ]; then
  cmp -s "$WORK/a.jsonl" "$WORK/early.jsonl" \
    || fail "an early read claimed completeness with $(wc -l < "$WORK/early.jsonl") lines"
fi
pass "a read during the rebuild is honest (exit $rc)"

complete() {
  "$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000003000 \
    > "$WORK/out.jsonl" 2>/dev/null
}
wait_for 20 complete || fail "reads never became complete after the restart"
cmp -s "$WORK/a.jsonl" "$WORK/out.jsonl" || fail "entries differ after the restart"
pass "after kill -9 of the master: all 3,000 acknowledged entries read back"

"$LOGSTORE" status "${C[@]}" -o json > "$WORK/status.json"
grep -q '"epoch":2' "$WORK/status.json" || fail "epoch not bumped: $(cat "$WORK/status.json")"
pass "the restarted master runs epoch 2"

entries 4000 | tail -n 1000 > "$WORK/b.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 100 < "$WORK/b.jsonl" 2>"$WORK/b.err" \
  || fail "append after restart: $(tail -3 "$WORK/b.err")"
"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000004000 \
  > "$WORK/all.jsonl" 2>/dev/null || fail "read of everything"
cat "$WORK/a.jsonl" "$WORK/b.jsonl" | cmp -s - "$WORK/all.jsonl" \
  || fail "after the restart: $(wc -l < "$WORK/all.jsonl") entries, not 4,000"
pass "appends after the restart work; all 4,000 entries read back"
