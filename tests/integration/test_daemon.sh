#!/usr/bin/env bash
# cpshared as an admin runs it: data dir layout, migrations, envelope for every
# error, TLS, refusal of clear-text non-loopback listening, clean SIGTERM.
# [R-API-STD] [R-API-DOC] [R-SEC-2]
source "$(dirname "$0")/lib.sh"

step "a non-loopback address without TLS is refused"
rc=0
"$CPSHARED" --data-dir "$T/x" --listen 0.0.0.0:0 2>"$T/err" || rc=$?
[ $rc = 2 ] || fail "expected exit 2, got $rc"
grep -q -- "--tls-cert" "$T/err" || fail "the refusal does not say how to fix it: $(cat "$T/err")"

step "start: data dir, key, WAL database, migrations"
start_daemon
[ "$(stat -c %a "$DATA")" = 700 ] || fail "data dir mode $(stat -c %a "$DATA")"
[ "$(stat -c %a "$DATA/secret.key")" = 600 ] || fail "secret.key mode"
[ "$(stat -c %s "$DATA/secret.key")" = 32 ] || fail "secret.key size"
[ -d "$DATA/outbox" ] || fail "no outbox"
[ "$(db 'PRAGMA journal_mode')" = wal ] || fail "not WAL"
[ "$(db 'SELECT MAX(version) FROM schema_migrations')" -ge 1 ] || fail "no migrations"

step "health and the served OpenAPI document"
curl -sf "$URL/api/v1/health" | jq -e '.data.status == "ok" and (.data.version | length > 0)' >/dev/null
curl -sf "$URL/api/v1/openapi.yaml" | cmp - "$CPSHARE_SOURCE_DIR/docs/openapi.yaml" || fail "served openapi.yaml differs from docs/"

step "every error comes in the envelope with a stable code"
check() { # METHOD PATH STATUS CODE [curl args]
  local m=$1 p=$2 st=$3 code=$4; shift 4
  local out status
  out=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$URL$p" "$@")
  status=$out
  [ "$status" = "$st" ] || fail "$m $p: HTTP $status, expected $st ($(cat "$T/body"))"
  jq -e --arg c "$code" '.error.code == $c and (.error.message | length > 0)' "$T/body" >/dev/null ||
    fail "$m $p: body $(cat "$T/body")"
}
check GET /api/v1/nope 404 NOT_FOUND
check POST /api/v1/users 400 MALFORMED_REQUEST -H 'Content-Type: application/json' -d '{not json'
check POST /api/v1/users 422 VALIDATION_FAILED -H 'Content-Type: application/json' -d '[]'
check GET /api/v1/me 401 UNAUTHENTICATED
check GET /api/v1/me 401 UNAUTHENTICATED -H 'Authorization: Bearer not-a-token'
check GET /api/v1/admin/audit 401 UNAUTHENTICATED
# A POST without a body (no Content-Length: curl -X POST) has an empty body and
# is answered at once, not after the read timeout.
check POST /api/v1/activate/resend 422 VALIDATION_FAILED --max-time 5
head -c 9000000 /dev/zero | tr '\0' 'a' >"$T/big"
check POST /api/v1/users 413 PAYLOAD_TOO_LARGE --data-binary @"$T/big"

make_admin root
step "query and path text: an unknown enum name and bytes that are not UTF-8 are refused before any handler"
ADMIN=$(jq -r '.servers[].token' "$T/cfg/root/hosts.json")
check GET '/api/v1/admin/audit?event=bogus' 422 VALIDATION_FAILED -H "Authorization: Bearer $ADMIN"
jq -e '.error.fields[0].field == "event"' "$T/body" >/dev/null || fail "the unknown event is not named: $(cat "$T/body")"
check GET '/api/v1/admin/audit?event=%ff' 400 MALFORMED_REQUEST -H "Authorization: Bearer $ADMIN"
check GET '/api/v1/clusters/%ff%fe' 400 MALFORMED_REQUEST
check POST /api/v1/leases 422 VALIDATION_FAILED -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '"x"'
[ "$(jq '.error.fields | length' "$T/body")" = 1 ] || fail "a non-object body lists more than itself: $(cat "$T/body")"

step "SIGTERM stops it cleanly; a restart keeps data and re-applies nothing"
# (Counted, not compared with MAX(version): numbers may have gaps while changes merge.)
applied=$(db 'SELECT COUNT(*) FROM schema_migrations')
stop_daemon || fail "cpshared did not exit 0 on SIGTERM"
[ ! -e "$DATA/cpshared.addr" ] || fail "address file left behind"
grep -q "shutting down" "$T/daemon.log" || fail "no shutdown in the log"
# Same address as before: the CLI keys its stored session by server URL.
LISTEN=${URL#http://} start_daemon
[ "$(db 'SELECT COUNT(*) FROM schema_migrations')" = "$applied" ] || fail "migrations applied twice"
as root whoami --json | jq -e '.account.role == "admin"' >/dev/null || fail "admin session lost across restart"
stop_daemon

step "HTTPS with --tls-cert/--tls-key, on a non-loopback address"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
"$CPSHARED" --data-dir "$DATA" --listen 0.0.0.0:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
  --log-file "$T/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 1 100); do [ -s "$DATA/cpshared.addr" ] && break; sleep 0.05; done
URL=$(cat "$DATA/cpshared.addr")
case $URL in https://*) ;; *) fail "not https: $URL" ;; esac
curl -sf --cacert "$T/cert.pem" "$URL/api/v1/health" >/dev/null || fail "TLS health failed"
curl -s "${URL/https/http}/api/v1/health" >/dev/null 2>&1 && fail "plain HTTP answered on the TLS port"
CPSHARE_SERVER=$URL as root --ca-file "$T/cert.pem" version --json | jq -e '.server_version | length > 0' >/dev/null ||
  fail "cpshare over TLS failed"
rc=0
CPSHARE_SERVER=$URL as nobody version --json >/dev/null 2>&1 || rc=$?
[ $rc = 6 ] || fail "an untrusted certificate must fail with exit 6, got $rc"
echo "PASS"
