#!/usr/bin/env bash
# The front door bounds what one unauthenticated request costs and refuses what
# is not strict JSON (issue 9 points 1, 3 and 5), against a private daemon:
# - 7.9 MB of unknown keys → an answer of a few KB (20 fields + "(more)"), and
#   after seven such requests (six in parallel) the daemon's RSS is back near
#   its level before (both figures printed);
# - JSON nested 100 deep → 400; a duplicate key → 422 naming it; text/plain → 415;
# - a path with %0a and %00 → one escaped line in the log, no NUL byte;
# - a licence file name with `"` → no injected Content-Disposition parameter;
# - `Authorization: bearer …` in lower case is accepted.
# [R-SEC-1] [R-SEC-4] [R-API-STD]
source "$(dirname "$0")/lib.sh"
start_daemon
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"; }

# post PATH CONTENT_TYPE BODY_FILE: prints "STATUS SIZE"; the answer is in $T/resp.
post() {
  curl -s -o "$T/resp" -w '%{http_code} %{size_download}\n' -X POST "$URL$1" -H "Content-Type: $2" \
    --data-binary @"$3"
}

step "7.9 MB of unknown keys: a bounded answer, and the memory given back"
python3 - "$T/keys.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("{" + ",".join('"k%07d":1' % i for i in range(600000)) + "}")
PY
size=$(stat -c %s "$T/keys.json")
[ "$size" -gt 7000000 ] && [ "$size" -lt 8388608 ] || fail "keys.json is $size bytes"
# Warm up the daemon's threads and heap with ordinary requests, then take its level.
for _ in $(seq 1 20); do curl -s "$URL/api/v1/terms" >/dev/null; done
echo '{"username":"x"}' >"$T/small.json"
# (Each background job is waited for by its PID: a bare `wait` would wait for the daemon too.)
pids=()
for _ in $(seq 1 6); do post /api/v1/users application/json "$T/small.json" >/dev/null & pids+=($!); done
wait "${pids[@]}"
before=$(rss_kb)
read -r status bytes < <(post /api/v1/users application/json "$T/keys.json")
[ "$status" = 422 ] || fail "unknown keys: HTTP $status, expected 422"
[ "$bytes" -lt 4096 ] || fail "unknown keys: a $bytes-byte answer"
jq -e '.error.code == "VALIDATION_FAILED" and (.error.fields | length) == 21
       and .error.fields[20].field == "(more)"
       and (.error.fields[20].message | test("^and [0-9]+ more errors"))' "$T/resp" >/dev/null ||
  fail "unknown keys: $(head -c 600 "$T/resp")"
echo "answer to $size bytes of unknown keys: HTTP $status, $bytes bytes"
pids=()
for i in $(seq 1 6); do
  post /api/v1/users application/json "$T/keys.json" >"$T/par.$i" &
  pids+=($!)
done
wait "${pids[@]}"
for i in $(seq 1 6); do
  read -r status bytes <"$T/par.$i"
  [ "$status" = 422 ] && [ "$bytes" -lt 4096 ] || fail "parallel request $i: HTTP $status, $bytes bytes"
done
after=$(rss_kb)
echo "daemon RSS: before ${before} kB, after 7 attacks (6 in parallel) ${after} kB"
# Unbounded, one such request kept ~700 MB. Allow thread stacks and arena bookkeeping.
# Under AddressSanitizer freed memory waits in its quarantine (256 MB) and its
# allocator never hands it back, so the bound is the normal build's to prove.
if ldd "$CPSHARED" 2>/dev/null | grep libasan >/dev/null; then
  echo "RSS bound not checked: cpshared is an ASan build (its allocator keeps freed memory)"
else
  [ "$after" -lt $((before + 40 * 1024)) ] || fail "RSS grew from $before kB to $after kB"
fi

step "deep nesting, duplicate keys, non-JSON bodies"
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$T/deep.json"
read -r status _ < <(post /api/v1/users application/json "$T/deep.json")
[ "$status" = 400 ] || fail "deep nesting: HTTP $status"
jq -e '.error.code == "MALFORMED_REQUEST" and (.error.message | test("deeper than 32"))' "$T/resp" >/dev/null ||
  fail "deep nesting: $(cat "$T/resp")"
echo '{"username":"a","settlement":{"bank_name":"x","bank_name":"y"}}' >"$T/dup.json"
read -r status _ < <(post /api/v1/suppliers application/json "$T/dup.json")
[ "$status" = 422 ] || fail "duplicate key: HTTP $status"
jq -e '.error.code == "VALIDATION_FAILED" and .error.fields[0].field == "settlement.bank_name"' "$T/resp" \
  >/dev/null || fail "duplicate key: $(cat "$T/resp")"
read -r status _ < <(post /api/v1/users text/plain "$T/small.json")
[ "$status" = 415 ] || fail "text/plain: HTTP $status"
jq -e '.error.code == "UNSUPPORTED_MEDIA_TYPE"' "$T/resp" >/dev/null || fail "text/plain: $(cat "$T/resp")"
read -r status _ < <(post /api/v1/users application/x-www-form-urlencoded "$T/small.json")
[ "$status" = 415 ] || fail "form-urlencoded: HTTP $status"
read -r status _ < <(post /api/v1/users 'application/json; charset=utf-8' "$T/small.json")
[ "$status" = 422 ] || fail "application/json; charset=utf-8: HTTP $status, expected 422 (read as JSON)"
# An empty body needs no type: POST …/activate/resend with nothing is a 422 for the missing username.
status=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/activate/resend" -H 'Content-Type: text/plain' -d '')
[ "$status" = 422 ] || fail "empty text/plain body: HTTP $status"

step "a path with %0a and %00 is one escaped line in the log"
curl -s -o /dev/null "$URL/api/v1/nope%0a2026-01-01T00:00:00Z%20INFO%20FORGED%00tail"
curl -s -o /dev/null "$URL/api/v1/clusters/cp%0aFORGED2%00tail"
sleep 0.2
log=$T/daemon.log
[ "$(tr -d '\000' <"$log" | cmp - "$log" >/dev/null && echo clean)" = clean ] || fail "a NUL byte in the log"
[ "$(grep -c 'FORGED' "$log")" = 2 ] || fail "forged lines: $(grep -a FORGED "$log")"
grep -q '^2026-01-01T00:00:00Z INFO FORGED' "$log" && fail "a forged line starts a log line"
grep -qF '/api/v1/nope\x0a2026-01-01T00:00:00Z INFO FORGED\x00tail 404' "$log" || fail "404 line: $(grep -a FORGED "$log")"
grep -qF '/api/v1/clusters/cp\x0aFORGED2\x00tail 401' "$log" || fail "route line: $(grep -a FORGED2 "$log")"
grep -a FORGED "$log"

step "the licence download's Content-Disposition (RFC 6266), and bearer in lower case"
make_admin root
evil="$T/acme\"; filename=\"evil.exe.pdf"
make_pdf "$evil"
echo "$PW" | as acme register --supplier --kind individual --username acme --email acme@example.org \
  --phone 13912345678 --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市 \
  --licence "$evil" --password-stdin --accept-terms >/dev/null
token=$(curl -s -X POST "$URL/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"login":"root","password":"'"$PW"'"}' | jq -r .data.token)
[ -n "$token" ] && [ "$token" != null ] || fail "admin login failed"
curl -s -D "$T/headers" -o /dev/null -H "Authorization: bearer $token" "$URL/api/v1/admin/reviews/acme/licence"
grep -qi '^HTTP/1.1 200' "$T/headers" || fail "licence download: $(head -n1 "$T/headers")"
disposition=$(grep -i '^Content-Disposition:' "$T/headers" | tr -d '\r')
echo "$disposition"
[ "$disposition" = "Content-Disposition: attachment; filename=\"acme__ filename=_evil.exe.pdf\"; filename*=UTF-8''acme%22%3B%20filename%3D%22evil.exe.pdf" ] ||
  fail "Content-Disposition: $disposition"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization:   BEARER   $token  " "$URL/api/v1/me")" = 200 ] ||
  fail "BEARER with extra spaces refused"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $token" "$URL/api/v1/me")" = 401 ] ||
  fail "Basic accepted as a bearer token"
echo "PASS"
