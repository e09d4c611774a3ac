#!/usr/bin/env bash
# logstore — a storage node's identity lives in its data directory
# (docs/operations.md, "Node identity"). A master and 3 durable storage
# nodes; after appending 2,000 entries:
#  - storage-2 restarted WITHOUT --name comes back as storage-2 (from
#    DATA_DIR/identity), with all its copies: nothing deleted, every entry
#    read back complete;
#  - restarted with a different --name it is refused (exit 2) with an error
#    that names the identity and what to do; nothing changes;
#  - a copy of storage-1's data directory started at another address while
#    storage-1 is live is refused by the master (exit 2, name_in_use) and
#    storage-1 keeps serving;
#  - with TLS, a node whose certificate is for another name is refused.
source "$(dirname "$0")/lib.sh"

MP=$(free_port)
M=127.0.0.1:$MP
start master master --listen "$M" --insecure --data-dir "$WORK/m" \
  --heartbeat-interval 200ms --dead-after 5 --repair-grace 30s
sleep 0.3
declare -A PORT
for i in 1 2 3; do
  PORT[$i]=$(free_port)
  start "storage-$i" storage --listen "127.0.0.1:${PORT[$i]}" --master "$M" \
    --name "storage-$i" --insecure --data-dir "$WORK/s$i"
done
C=(--master "$M" --insecure)
wait_for 15 "$LOGSTORE" status "${C[@]}" || fail "cluster did not become healthy"
grep -q "name	storage-2" "$WORK/s2/identity" || fail "no identity file: $(ls "$WORK/s2")"
pass "each data directory holds its node's identity"

entries 2000 > "$WORK/in.jsonl"
"$LOGSTORE" append "${C[@]}" --batch-size 50 < "$WORK/in.jsonl" 2>"$WORK/append.err" \
  || fail "append: $(tail -3 "$WORK/append.err")"
pass "2,000 entries appended (40 batches, RF 3)"

status_json() { "$LOGSTORE" status "${C[@]}" -o json > "$WORK/status.json"; true; }
member() { grep -o "{\"name\":\"$1\"[^}]*}" "$WORK/status.json"; }
field() { grep -o "\"$1\":[0-9a-z]*" | head -1 | cut -d: -f2; }
read_all() {
  "$LOGSTORE" read "${C[@]}" --from 1700000000000001 --to 1700000000002000 \
    > "$WORK/out.jsonl" 2>"$WORK/read.err" && cmp -s "$WORK/in.jsonl" "$WORK/out.jsonl"
}
status_json
before=$(member storage-2 | field batches)
[ "$before" = 40 ] || fail "storage-2 holds $before batches, expected 40"

# 1. A restart without --name keeps the name and every copy.
kill -TERM "$(pid_of storage-2)"; wait "$(pid_of storage-2)" 2>/dev/null
start storage-2b storage --listen "127.0.0.1:${PORT[2]}" --master "$M" \
  --insecure --data-dir "$WORK/s2"
back() {
  status_json
  member storage-2 | grep -q '"state":"up"' && [ "$(member storage-2 | field batches)" = 40 ]
}
wait_for 15 back || fail "storage-2 did not come back with its 40 batches: $(cat "$WORK/status.json")"
grep -q '"name":"storage-127' "$WORK/status.json" && fail "a derived name joined: $(cat "$WORK/status.json")"
[ "$(grep -o '"state":' "$WORK/status.json" | wc -l)" = 3 ] || fail "members: $(cat "$WORK/status.json")"
grep '"event":"deleted"' "$WORK/storage-2b.err" | grep -qv '"dropped 0 ' \
  && fail "storage-2 deleted copies after its restart: $(grep deleted "$WORK/storage-2b.err")"
read_all || fail "read after the restart: $(cat "$WORK/read.err")"
pass "restart without --name: still storage-2, 40 batches, nothing deleted, all entries read back"

# 2. A different --name for the same data directory is refused.
kill -TERM "$(pid_of storage-2b)"; wait "$(pid_of storage-2b)" 2>/dev/null
"$LOGSTORE" storage --listen "127.0.0.1:${PORT[2]}" --master "$M" --insecure \
  --data-dir "$WORK/s2" --name storage-7 > /dev/null 2>"$WORK/rename.err"
rc=$?
[ $rc -eq 2 ] || fail "a conflicting --name: exit $rc, expected 2"
grep -q "conflicts with .*identity.*belongs to storage-2" "$WORK/rename.err" \
  || fail "conflicting --name error: $(cat "$WORK/rename.err")"
pass "a conflicting --name is refused: $(head -c 160 "$WORK/rename.err")..."
start storage-2c storage --listen "127.0.0.1:${PORT[2]}" --master "$M" \
  --insecure --data-dir "$WORK/s2" --name storage-2
wait_for 15 back || fail "storage-2 did not come back with --name storage-2"

# 3. A copy of storage-1's data directory, while storage-1 is live.
cp -r "$WORK/s1" "$WORK/s1copy"
P4=$(free_port)
timeout 20 "$LOGSTORE" storage --listen "127.0.0.1:$P4" --master "$M" --insecure \
  --data-dir "$WORK/s1copy" > /dev/null 2>"$WORK/copy.err"
rc=$?
[ $rc -eq 2 ] || fail "a copied data directory: exit $rc, expected 2 ($(tail -3 "$WORK/copy.err"))"
grep -q '"event":"join_refused"' "$WORK/copy.err" || fail "no join_refused: $(tail -3 "$WORK/copy.err")"
grep -q "storage-1 is a live member at 127.0.0.1:${PORT[1]}" "$WORK/copy.err" \
  || fail "the refusal does not say who holds the name: $(grep join_refused "$WORK/copy.err")"
status_json
member storage-1 | grep -q "\"address\":\"127.0.0.1:${PORT[1]}\"" \
  || fail "storage-1 lost its address: $(cat "$WORK/status.json")"
member storage-1 | grep -q '"state":"up"' || fail "storage-1 not up: $(cat "$WORK/status.json")"
read_all || fail "read after the refused copy: $(cat "$WORK/read.err")"
pass "a copy of storage-1's data directory is refused while storage-1 is live (exit 2); storage-1 serves on"

# 4. TLS: the certificate must carry the node's name.
if command -v openssl >/dev/null; then
  "$LOGSTORE" certs "$WORK/tls" --names storage-5 > /dev/null 2>&1 || fail "certs"
  "$LOGSTORE" storage --listen "127.0.0.1:$(free_port)" --master "$M" \
    --name storage-6 --tls-cert "$WORK/tls/storage-5.pem" \
    --tls-key "$WORK/tls/storage-5.key" --tls-ca "$WORK/tls/ca.pem" \
    > /dev/null 2>"$WORK/cert.err"
  rc=$?
  [ $rc -eq 2 ] || fail "a certificate for another name: exit $rc, expected 2"
  grep -q "is for 'storage-5', but this node is storage-6" "$WORK/cert.err" \
    || fail "certificate error: $(cat "$WORK/cert.err")"
  pass "with TLS, a certificate for storage-5 cannot serve as storage-6 (exit 2)"
fi
