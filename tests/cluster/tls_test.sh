#!/usr/bin/env bash
# logstore — mutual TLS with a cluster CA (docs/operations.md, "TLS").
# CA and node certificates made with the openssl command; a TLS cluster
# works end to end; a storage node and a client with certificates from
# ANOTHER CA are rejected (and do not disturb the members: CAF 0.17.6 needs
# src/net/openssl_fix.cpp for that); a plain-TCP client is rejected; a start
# without TLS options and without --insecure is refused with exit 2, and so
# is a partial or mismatched TLS configuration.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl command"; exit 77; }

cd "$WORK"
mkca() { # DIR NAMES...: a CA in DIR and a key + certificate per name
  local dir=$1; shift; mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" \
    -out "$dir/ca.pem" -days 2 -subj "/CN=test CA $dir" 2>/dev/null || return 1
  for n in "$@"; do
    openssl req -newkey rsa:2048 -nodes -keyout "$dir/$n.key" -out "$dir/$n.csr" \
      -subj "/CN=$n" 2>/dev/null || return 1
    openssl x509 -req -in "$dir/$n.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
      -CAcreateserial -out "$dir/$n.pem" -days 2 2>/dev/null || return 1
  done
}
mkca good master storage-1 storage-2 storage-3 client || fail "openssl could not make certificates"
mkca evil intruder client || fail "openssl could not make the second CA"
tls() { echo --tls-cert "$1/$2.pem" --tls-key "$1/$2.key" --tls-ca "$1/ca.pem"; }

M=127.0.0.1:$(free_port)
"$LOGSTORE" master --listen "$M" 2>"$WORK/refused.err"; rc=$?
[ $rc -eq 2 ] && grep -q "refusing to start without TLS" "$WORK/refused.err" \
  || fail "start without TLS and without --insecure: exit $rc"
"$LOGSTORE" master --listen "$M" --tls-cert good/master.pem --tls-ca good/ca.pem 2>/dev/null
rc=$?; [ $rc -eq 2 ] || fail "partial TLS options: exit $rc"
"$LOGSTORE" master --listen "$M" --tls-cert good/master.pem --tls-key good/storage-1.key \
  --tls-ca good/ca.pem 2>"$WORK/mismatch.err"; rc=$?
[ $rc -eq 2 ] && grep -q "does not belong" "$WORK/mismatch.err" || fail "key mismatch: exit $rc"
"$LOGSTORE" master --listen "$M" $(tls evil intruder | sed 's|evil/ca.pem|good/ca.pem|') \
  2>"$WORK/foreign.err"; rc=$?
[ $rc -eq 2 ] && grep -q "not signed by" "$WORK/foreign.err" || fail "foreign cert: exit $rc"
pass "refused: no TLS and no --insecure, partial options, wrong key, foreign cert (exit 2)"

start master master --listen "$M" $(tls good master)
sleep 0.3
for i in 1 2 3; do
  start "storage-$i" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name "storage-$i" $(tls good storage-$i)
done
C=(--master "$M" $(tls good client))
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "TLS cluster did not become healthy"
pass "mutual TLS cluster healthy"

start intruder storage --listen "127.0.0.1:$(free_port)" --master "$M" \
  --name intruder $(tls evil intruder)
wait_for 10 grep -q connect_failed "$WORK/intruder.err" \
  || fail "the intruder was not rejected"
"$LOGSTORE" status "${C[@]}" -o json > "$WORK/status.json"
grep -q intruder "$WORK/status.json" && fail "the intruder became a member"
"$LOGSTORE" status --master "$M" $(tls evil client) --connect-timeout-ms 1500 2>/dev/null
rc=$?; [ $rc -eq 2 ] || fail "client with a foreign certificate: exit $rc"
"$LOGSTORE" status --master "$M" --insecure --connect-timeout-ms 1500 2>/dev/null
rc=$?; [ $rc -eq 2 ] || fail "plain-TCP client: exit $rc"
pass "storage node and client with another CA's certificates rejected; plain TCP rejected"

entries 2000 > in.jsonl
"$LOGSTORE" append "${C[@]}" < in.jsonl 2>"$WORK/append.err" || fail "append over TLS"
"$LOGSTORE" read "${C[@]}" --from 0 --to 9999999999999999 > out.jsonl || fail "read over TLS"
cmp -s in.jsonl out.jsonl || fail "read back differs"
grep -q peer_down "$WORK/master.err" && fail "a member lost its connection during the test"
"$LOGSTORE" status "${C[@]}" >/dev/null || fail "members disturbed by the rejected peers"
pass "2,000 entries through the TLS cluster; members undisturbed by rejected peers"

kill -TERM "$(pid_of master)"
stopped_within 1 "$(pid_of master)" || fail "TLS master took > 1 s to stop"
pass "TLS master stops within 1 s"
