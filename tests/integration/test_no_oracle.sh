#!/usr/bin/env bash
# No account oracle (issue 9, point 4): over HTTP, activation and resend give
# the same status, body and throttle for an unknown username as for a known
# one (awaiting activation or active); registration's "taken" answers are
# rationed per address (25 probes in a row: RATE_LIMITED with Retry-After);
# an unknown login is answered, throttled and timed as a wrong password.
# [R-SEC-4] [R-USER-2] [R-USER-5] [R-USER-6]
source "$(dirname "$0")/lib.sh"
start_daemon

# post PATH JSON: sets ST (HTTP status), BODY and RA (the Retry-After header, or empty).
post() {
  ST=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$2" "$URL$1")
  BODY=$(cat "$T/body")
  RA=$(grep -i '^Retry-After:' "$T/headers" | tr -d '\r' | awk '{print $2}' || true)
}
# shape NAME: status and body as a client sees them, the typed name replaced
# (every answer echoes it) and waits in seconds generalised.
shape() { echo "$ST $(jq -c --arg n "$1" 'walk(if type == "string" then gsub($n; "NAME") | gsub("[0-9]+ s"; "N s") else . end) | del(.error.retry_after)' <<<"$BODY")"; }

terms=$(curl -sf "$URL/api/v1/terms" | jq -r '.data.version')
user() { # NAME EMAIL PHONE
  jq -cn --arg u "$1" --arg e "$2" --arg p "$3" --arg pw "$PW" --arg t "$terms" \
    '{username:$u, password:$pw, email:$e, phone:$p, real_name:"张三", id_number:"11010519491231002X",
      user_type:"individual", region:"深圳", accept_terms:true, terms_version:$t}'
}

step "bob awaits activation, carol is active, nobody does not exist"
post /api/v1/users "$(user bob bob@example.org 13900139001)"
[ "$ST" = 201 ] || fail "register bob: $ST $BODY"
post /api/v1/users "$(user carol carol@example.org 13900139002)"
[ "$ST" = 201 ] || fail "register carol: $ST $BODY"
carol_code=$(code_for carol@example.org)
post /api/v1/activate '{"username":"carol","code":"'"$carol_code"'"}'
[ "$ST" = 200 ] || fail "activate carol: $ST $BODY"
wrong=$([ "$carol_code" = 000000 ] && echo 111111 || echo 000000)

step "activation: a wrong code for bob or carol is answered as any code for nobody, and throttled alike"
declare -A first
for name in nobody bob carol; do
  seen=()
  for i in $(seq 1 12); do
    post /api/v1/activate '{"username":"'"$name"'","code":"'"$wrong"'"}'
    [ "$ST" = 429 ] && break
    seen+=("$(shape "$name")")
  done
  [ "$ST" = 429 ] || fail "$name: never RATE_LIMITED after 12 wrong codes"
  [ -n "$RA" ] && [ "$RA" -ge 1 ] || fail "$name: 429 without Retry-After: $(cat "$T/headers")"
  jq -e --argjson ra "$RA" '.error.code == "RATE_LIMITED" and .error.retry_after == $ra' <<<"$BODY" >/dev/null ||
    fail "$name: $BODY"
  [ ${#seen[@]} -ge 5 ] || fail "$name: RATE_LIMITED after only ${#seen[@]} answers"
  for s in "${seen[@]}"; do [ "$s" = "${seen[0]}" ] || fail "$name: answers differ: $s vs ${seen[0]}"; done
  first[$name]=${seen[0]}
  echo "   $name: ${#seen[@]} × ${seen[0]}, then 429 Retry-After: $RA"
done
[[ ${first[nobody]} == "400 "*'"code":"INVALID_CODE"'* ]] || fail "unexpected answer: ${first[nobody]}"
[ "${first[bob]}" = "${first[nobody]}" ] || fail "bob (inactive) differs from nobody: ${first[bob]}"
[ "${first[carol]}" = "${first[nobody]}" ] || fail "carol (active) differs from nobody: ${first[carol]}"
sleep "$RA" # carol's wrong codes throttle her name from this address
post /api/v1/activate '{"username":"carol","code":"'"$carol_code"'"}'
[ "$ST" = 409 ] && jq -e '.error.code == "ALREADY_ACTIVE"' <<<"$BODY" >/dev/null ||
  fail "carol's own code should say she is active: $ST $BODY"

step "resend: sent, then RATE_LIMITED within the minute, for nobody, bob and carol alike"
declare -A resend
for name in nobody bob carol; do
  post /api/v1/activate/resend '{"username":"'"$name"'"}'
  one=$(shape "$name")
  post /api/v1/activate/resend '{"username":"'"$name"'"}'
  [ -n "$RA" ] && [ "$RA" -ge 1 ] || fail "$name: second resend without Retry-After: $ST $BODY"
  resend[$name]="$one / $(shape "$name")"
done
[ "${resend[nobody]}" = '200 {"data":{"sent":true}} / 429 {"error":{"code":"RATE_LIMITED","message":"too many requests for a new activation code; wait N s and try again"}}' ] ||
  fail "resend for nobody: ${resend[nobody]}"
[ "${resend[bob]}" = "${resend[nobody]}" ] || fail "resend for bob differs: ${resend[bob]}"
[ "${resend[carol]}" = "${resend[nobody]}" ] || fail "resend for carol differs: ${resend[carol]}"

step "login: an unknown name is answered and throttled as a wrong password, and costs as long"
declare -A login_first
for name in nobody carol; do
  seen=()
  for i in $(seq 1 14); do
    post /api/v1/sessions '{"login":"'"$name"'","password":"wrong-Password-77"}'
    [ "$ST" = 429 ] && break
    seen+=("$(shape "$name")")
  done
  [ "$ST" = 429 ] && [ -n "$RA" ] || fail "$name: never RATE_LIMITED with Retry-After after 14 wrong logins"
  [ ${#seen[@]} -ge 5 ] || fail "$name: RATE_LIMITED after only ${#seen[@]} answers"
  for s in "${seen[@]}"; do [ "$s" = "${seen[0]}" ] || fail "$name: answers differ: $s vs ${seen[0]}"; done
  login_first[$name]=${seen[0]}
done
[ "${login_first[nobody]}" = '401 {"error":{"code":"INVALID_CREDENTIALS","message":"wrong username or password"}}' ] ||
  fail "login nobody: ${login_first[nobody]}"
[ "${login_first[carol]}" = "${login_first[nobody]}" ] || fail "login carol differs: ${login_first[carol]}"
# Timing: each costs one argon2id verification (a dummy hash for nobody). The
# throttle keys include the name, so fresh names are not yet slowed.
best() { # LOGIN: the fastest of 3 tries, in ms
  local b=999999 t
  for _ in 1 2 3; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
      -d '{"login":"'"$1"'","password":"wrong-Password-77"}' "$URL/api/v1/sessions")
    t=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
    [ "$t" -lt "$b" ] && b=$t
  done
  echo "$b"
}
known_ms=$(best bob) unknown_ms=$(best nobody-else)
echo "   wrong password for bob: ${known_ms} ms; unknown login: ${unknown_ms} ms"
[ $((unknown_ms * 3)) -gt "$known_ms" ] || fail "an unknown login is answered much faster ($unknown_ms ms vs $known_ms ms)"

step "registration: 25 probes of a taken username, email or phone in a row: a few answers, then RATE_LIMITED"
taken=0 limited=0
for i in $(seq 1 25); do
  case $((i % 3)) in
  0) body=$(user carol "p$i@example.org" "1390014$(printf '%04d' "$i")") ;;
  1) body=$(user "probe$i" carol@example.org "1390014$(printf '%04d' "$i")") ;;
  2) body=$(user "probe$i" "p$i@example.org" 13900139002) ;;
  esac
  post /api/v1/users "$body"
  case "$ST" in
  409) taken=$((taken + 1)) ;;
  429) limited=$((limited + 1))
    [ -n "$RA" ] && [ "$RA" -ge 1 ] || fail "probe $i: 429 without Retry-After"
    jq -e '.error.code == "RATE_LIMITED"' <<<"$BODY" >/dev/null || fail "probe $i: $BODY" ;;
  *) fail "probe $i: $ST $BODY" ;;
  esac
done
echo "   $taken answered taken, $limited RATE_LIMITED"
[ "$taken" -ge 5 ] && [ "$taken" -le 10 ] || fail "$taken probes were answered (5, and one more each time a wait had passed)"
[ "$limited" -ge 15 ] || fail "only $limited probes were RATE_LIMITED"
[ "$(count_accounts)" = 2 ] || fail "a probe created an account"
echo "PASS"
