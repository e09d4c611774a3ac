#!/usr/bin/env bash
# logstore — one checksummed frame end to end, on real processes (issue 11,
# "One checksummed frame end to end"). The client encodes each batch once as
# the frame every replica stores (src/core/base/frame.hpp) and sends it to
# them itself (docs/protocol.md, "Direct writes"); storage nodes verify it
# on arrival and keep the bytes as received; readers get the same frames
# back and verify them again before decoding.
#
# storage-2 runs with the test hook --test-corrupt-stores 6: one byte of
# each of the first six store frames it receives is flipped on arrival, as
# if damaged in transit. Each is refused (corrupt_frame, logged and counted
# in /metrics), the client stores its intact copy again (under a new id, in
# a new placement: with three nodes and RF 3 it includes storage-2 again),
# and every append is acknowledged on all three nodes; the read returns
# every entry unchanged.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure
sleep 0.3
XP=$(free_port)
for i in 1 2 3; do
  extra=()
  if [ "$i" = 2 ]; then extra=(--test-corrupt-stores 6 --metrics "127.0.0.1:$XP"); fi
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" --insecure "${extra[@]}"
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"

entries 1000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append: $(tail -3 "$WORK/append.err")"
grep -q "1000 entries acknowledged, 0 not stored, 0 maybe stored" "$WORK/append.err" \
  || fail "append summary: $(cat "$WORK/append.err")"

refused=$(grep -c '"event":"corrupt_frame"' "$WORK/storage-2.err")
[ "$refused" -eq 6 ] || fail "storage-2 refused $refused damaged frames, expected 6"
grep -q "failed verification on arrival" "$WORK/storage-2.err" || fail "no clear refusal text"
http_get 127.0.0.1 "$XP" /metrics > "$WORK/metrics.txt"
grep -q '^logstore_corrupt_frames_total 6$' "$WORK/metrics.txt" \
  || fail "metrics: $(grep corrupt "$WORK/metrics.txt")"
pass "6 frames damaged on the way to storage-2: each refused with corrupt_frame, logged, counted in /metrics"

all_on_three() {
  "$LOGSTORE" status "${C[@]}" > "$WORK/status.txt" 2>&1 || return 1
  grep -q "^storage-2 .* up  *20 " "$WORK/status.txt" \
    && grep -q " 0 under-replicated" "$WORK/status.txt"
}
wait_for 10 all_on_three || fail "storage-2 should hold all 20 batches: $(cat "$WORK/status.txt")"
pass "the client stored its intact copy again: all 20 batches on 3 nodes, 0 under-replicated"

"$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000001000 \
  > "$WORK/out.jsonl" 2>"$WORK/read.err" || fail "read: $(cat "$WORK/read.err")"
cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl" \
  || fail "read: $(wc -l < "$WORK/out.jsonl") lines differ from the 1,000 appended"
pass "every entry read back from verified frames, unchanged"
