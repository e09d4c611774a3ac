#!/usr/bin/env bash
# logstore — master failover in a real cluster (docs/protocol.md, "Master
# failover"): 3 masters and 4 durable storage nodes on loopback, appends
# running; kill -9 the active master, then SIGSTOP the next active one for
# 5 s and SIGCONT it. Every acknowledged entry is read back, none twice
# (`logstore check` on the recorded history); the time from each fault
# until an append succeeds again is printed. At the default settings the
# detection bound is the master timeout (3 s) plus the back-off bound
# (1 s): the target is that bound + 1 s = 5 s.
source "$(dirname "$0")/lib.sh"

MA=127.0.0.1:$(free_port); MB=127.0.0.1:$(free_port); MC=127.0.0.1:$(free_port)
ML="$MA,$MB,$MC"
start m1 master --listen "$MA" --masters "$ML" --insecure --data-dir "$WORK/m1"
start m2 master --listen "$MB" --masters "$ML" --insecure --data-dir "$WORK/m2"
start m3 master --listen "$MC" --masters "$ML" --insecure --data-dir "$WORK/m3"
for i in 1 2 3 4; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$ML" \
    --name "storage-$i" --insecure --data-dir "$WORK/s$i"
done
C=(--master "$ML" --insecure)
wait_for 20 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
"$LOGSTORE" status "${C[@]}" -o json > "$WORK/status0.json"
grep -q '"masters":\[{"name":"master","address":"'"$MA"'","role":"active","epoch":1}' \
  "$WORK/status0.json" || fail "status does not show master active at epoch 1: $(head -c 400 "$WORK/status0.json")"
[ "$(grep -o '"role":"standby"' "$WORK/status0.json" | wc -l)" -eq 2 ] \
  || fail "status does not show two standbys"
pass "3 masters: master active at epoch 1, two standbys (status -o json)"

# The active master's process, from status.
active_pid() {
  local addr
  addr=$("$LOGSTORE" status "${C[@]}" -o json 2>/dev/null \
         | grep -o '"address":"[^"]*","role":"active"' | head -1 \
         | sed 's/"address":"\([^"]*\)".*/\1/')
  case "$addr" in
    "$MA") pid_of m1 ;; "$MB") pid_of m2 ;; "$MC") pid_of m3 ;;
  esac
}

# Appends running: one entry every 4 ms (~20 s with the shell's overhead), recorded.
H=$WORK/history.jsonl
( for i in $(seq 1 5000); do
    printf '{"ts":17000000%08d,"source":"src-%d","msg":"entry-%d"}\n' "$i" $((i % 5)) "$i"
    sleep 0.004
  done ) | "$LOGSTORE" append "${C[@]}" --batch-size 10 --in-flight 4 \
    --retries 40 --timeout-ms 1500 --history "$H" 2>"$WORK/append.err" &
APPENDER=$!
PIDS+=($APPENDER)

# probe_until_ok LABEL: appends one probe entry per try until one is
# acknowledged; prints how long that took since $T0.
probe_n=0
probe_until_ok() {
  local deadline=$(( $(date +%s) + 30 ))
  while :; do
    probe_n=$((probe_n + 1))
    if printf '{"ts":17100000%08d,"msg":"probe-%d"}\n' "$probe_n" "$probe_n" \
       | "$LOGSTORE" append "${C[@]}" --retries 0 --timeout-ms 500 \
           --connect-timeout-ms 500 --history "$WORK/probes.jsonl" \
           >/dev/null 2>&1; then
      local ms=$(( ($(date +%s%N) - T0) / 1000000 ))
      echo "$1: appends succeed again $ms ms after the fault"
      echo "$ms"
      return 0
    fi
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}

sleep 3
victim=$(active_pid)
[ -n "$victim" ] || fail "no active master found"
T0=$(date +%s%N)
kill -9 "$victim"
out=$(probe_until_ok "kill -9 of the active master") || fail "appends never succeeded after kill -9"
echo "$out" | head -1
KILL_MS=$(echo "$out" | tail -1)
[ "$KILL_MS" -le 5000 ] || fail "failover after kill -9 took $KILL_MS ms (target 5000)"
pass "after kill -9 of the active master: appends again in $KILL_MS ms (target: 3 s master timeout + 1 s back-off + 1 s)"

sleep 2
next=$(active_pid)
[ -n "$next" ] && [ "$next" != "$victim" ] || fail "no new active master"
T0=$(date +%s%N)
kill -STOP "$next"
out=$(probe_until_ok "SIGSTOP of the new active master") || { kill -CONT "$next"; fail "appends never succeeded while the active master was stopped"; }
echo "$out" | head -1
STOP_MS=$(echo "$out" | tail -1)
sleep_left=$(( 5000 - STOP_MS )); [ $sleep_left -gt 0 ] && sleep "$(awk "BEGIN{print $sleep_left/1000}")"
kill -CONT "$next"
[ "$STOP_MS" -le 5000 ] || fail "failover after SIGSTOP took $STOP_MS ms (target 5000)"
pass "SIGSTOP of the next active master for 5 s: appends again in $STOP_MS ms; SIGCONT"

# The woken master must be a standby now (its epoch was fenced).
sleep 2
"$LOGSTORE" status "${C[@]}" -o json > "$WORK/status1.json"
[ "$(grep -o '"role":"active"' "$WORK/status1.json" | wc -l)" -eq 1 ] \
  || fail "not exactly one active master after SIGCONT: $(head -c 500 "$WORK/status1.json")"
grep -q '"failovers":[1-9]' "$WORK/status1.json" || fail "no failover counted"
pass "after SIGCONT: exactly one active master; $(grep -o '"epoch":[0-9]*' "$WORK/status1.json" | sort -u | tr '\n' ' ')"

wait "$APPENDER"; rc=$?
[ $rc -eq 0 ] || fail "the appender ended with exit $rc: $(tail -3 "$WORK/append.err")"
tail -1 "$WORK/append.err"
# The final read covers the appender's entries (the probes are elsewhere
# in time): once the index is whole again, recorded in the history.
R=(--from 1700000000000000 --to 1700000099999999)
wait_for 20 "$LOGSTORE" read "${C[@]}" "${R[@]}" || fail "reads never became complete"
"$LOGSTORE" read "${C[@]}" "${R[@]}" --final --history "$H" \
  > "$WORK/final.jsonl" 2>"$WORK/read.err" || fail "final read: $(tail -2 "$WORK/read.err")"
"$LOGSTORE" check "$H" > "$WORK/check.txt"; rc=$?
[ $rc -eq 0 ] || fail "checker: exit $rc $(grep -i fail "$WORK/check.txt" | head -5)"
acked=$(grep -c '"type":"ok","f":"append"' "$H")
pass "every acknowledged entry read back once ($acked acknowledged batches; logstore check: valid)"
