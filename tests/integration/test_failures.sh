#!/usr/bin/env bash
# Every failure on the account paths gives its documented code and exit status
# and changes nothing: weak passwords, bad ID / credit-code check digits,
# taken username/email/phone, terms not accepted, a bad licence type, wrong
# activation codes (attempt limit, throttling, resend throttle, resend), login
# before activation, wrong passwords until throttled, wrong TOTP codes, a
# revoked session and an idle-expired session.
# [R-USER-2] [R-USER-5] [R-USER-6] [R-USER-7] [R-SEC-4] [R-API-STD]
source "$(dirname "$0")/lib.sh"
start_daemon

# unchanged CMD...: CMD must leave the accounts table and the outbox as they were.
unchanged() {
  local a m
  a=$(count_accounts) m=$(count_mail)
  "$@"
  [ "$(count_accounts)" = "$a" ] || fail "$* changed the number of accounts ($a → $(count_accounts))"
  [ "$(count_mail)" = "$m" ] || fail "$* sent mail ($m → $(count_mail))"
}
# try WHO cpshare-args...: run cpshare --json as WHO; sets OUT (stdout) and RC (exit status).
try() { RC=0; OUT=$(as "$1" --json "${@:2}" 2>"$T/stderr") || RC=$?; }
# rate_limited: the last try was RATE_LIMITED (exit 7) with a positive retry_after; sets WAIT.
rate_limited() {
  [ "$RC" = 7 ] && jq -e '.error.code == "RATE_LIMITED" and (.error.retry_after | type == "number")
    and .error.retry_after > 0' <<<"$OUT" >/dev/null || fail "expected RATE_LIMITED with retry_after: $RC $OUT"
  WAIT=$(jq '.error.retry_after' <<<"$OUT")
}
# reg_user PASSWORD flags...: register an individual user (password on stdin).
reg_user() {
  local pw=$1; shift
  echo "$pw" | as anon --json register --user-type individual --region 深圳 --real-name 张三 \
    --password-stdin --accept-terms "$@"
}
# expect_reg CODE EXIT FIELD PASSWORD flags...: registration fails with CODE (and, for
# VALIDATION_FAILED, exactly FIELD), leaving accounts and outbox unchanged.
expect_reg() {
  local code=$1 ex=$2 field=$3 pw=$4; shift 4
  local a m out rc=0
  a=$(count_accounts) m=$(count_mail)
  out=$(echo "$pw" | as anon --json register --password-stdin --accept-terms "$@" 2>"$T/stderr") || rc=$?
  [ "$rc" = "$ex" ] || fail "register $* exited $rc, expected $ex ($out $(cat "$T/stderr"))"
  jq -e --arg c "$code" '.error.code == $c' <<<"$out" >/dev/null || fail "register $*: expected $code, got $out"
  if [ -n "$field" ]; then
    jq -e --arg f "$field" '[.error.fields[].field] == [$f]' <<<"$out" >/dev/null ||
      fail "register $*: expected exactly field $field, got $out"
  fi
  [ "$(count_accounts)" = "$a" ] || fail "a failed registration added an account"
  [ "$(count_mail)" = "$m" ] || fail "a failed registration sent mail"
}
IND=(--user-type individual --region 深圳 --real-name 张三)

step "weak passwords are refused (common, containing the username, too short)"
expect_reg VALIDATION_FAILED 2 password password "${IND[@]}" --username alice --email alice@example.org \
  --phone 13800138000 --id-number 11010519491231002X
expect_reg VALIDATION_FAILED 2 password 'my-alice-Garden-42' "${IND[@]}" --username alice \
  --email alice@example.org --phone 13800138000 --id-number 11010519491231002X
expect_reg VALIDATION_FAILED 2 password 'Tr0u&3x' "${IND[@]}" --username alice --email alice@example.org \
  --phone 13800138000 --id-number 11010519491231002X
[ "$(count_accounts)" = 0 ] || fail "accounts exist after refused registrations"

step "a wrong ID check digit and a bad credit code are refused"
expect_reg VALIDATION_FAILED 2 id_number "$PW" "${IND[@]}" --username alice --email alice@example.org \
  --phone 13800138000 --id-number 110105194912310021
make_pdf "$T/licence.pdf"
expect_reg VALIDATION_FAILED 2 credit_code "$PW" --user-type university --region 深圳 --real-name 张三 \
  --username uni --email uni@example.edu.cn --phone 13600136000 --id-number 11010519491231002X \
  --organization 深圳大学 --credit-code 91350100M000100Y4Z --licence "$T/licence.pdf"

step "a licence that is not a PDF/PNG/JPEG is refused, by the CLI and by the server"
echo "this is plain text, not a licence" >"$T/licence.txt"
cp "$T/licence.txt" "$T/fake.pdf"
expect_reg VALIDATION_FAILED 2 licence "$PW" --user-type university --region 深圳 --real-name 张三 \
  --username uni --email uni@example.edu.cn --phone 13600136000 --id-number 11010519491231002X \
  --organization 深圳大学 --credit-code 91350100M000100Y43 --licence "$T/fake.pdf"
# The CLI checks the type before sending; the server must check it too (any client).
terms=$(curl -sf "$URL/api/v1/terms" | jq -r '.data.version')
jq -n --arg t "$terms" --arg pw "$PW" --arg b64 "$(base64 -w0 "$T/fake.pdf")" \
  '{username:"uni", password:$pw, email:"uni@example.edu.cn", phone:"13600136000", real_name:"张三",
    id_number:"11010519491231002X", user_type:"university", region:"深圳", organization:"深圳大学",
    credit_code:"91350100M000100Y43", licence:{filename:"fake.pdf", content_base64:$b64},
    accept_terms:true, terms_version:$t}' >"$T/body.json"
a=$(count_accounts)
st=$(curl -s -o "$T/resp" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/body.json" \
  "$URL/api/v1/users")
[ "$st" = 422 ] || fail "server accepted a text licence: HTTP $st $(cat "$T/resp")"
jq -e '.error.code == "VALIDATION_FAILED" and ([.error.fields[].field] | index("licence.content_base64") != null)' \
  "$T/resp" >/dev/null || fail "server: $(cat "$T/resp")"
[ "$(count_accounts)" = "$a" ] || fail "the refused licence created an account"

step "terms not accepted off a terminal: usage error, nothing sent to the server"
a=$(count_accounts) m=$(count_mail) posts=$(grep -c 'POST /api/v1/users' "$T/daemon.log" || true)
rc=0
out=$(echo "$PW" | as anon --json register "${IND[@]}" --username alice --email alice@example.org \
  --phone 13800138000 --id-number 11010519491231002X --password-stdin 2>/dev/null) || rc=$?
[ $rc = 2 ] || fail "register without --accept-terms exited $rc ($out)"
jq -e '.error.code | length > 0' <<<"$out" >/dev/null || fail "no JSON error: $out"
[ "$(count_accounts)" = "$a" ] && [ "$(count_mail)" = "$m" ] || fail "register without terms changed state"
[ "$(grep -c 'POST /api/v1/users' "$T/daemon.log" || true)" = "$posts" ] ||
  fail "register without --accept-terms still sent the registration"

step "taken username, email and phone"
reg_user "$PW" --username alice --email alice@example.org --phone 13800138000 \
  --id-number 11010519491231002X >/dev/null || fail "register alice"
expect_reg USERNAME_TAKEN 2 '' "$PW" "${IND[@]}" --username alice --email other@example.org \
  --phone 13800138001 --id-number 11010519491231002X
expect_reg EMAIL_TAKEN 2 '' "$PW" "${IND[@]}" --username alice2 --email alice@example.org \
  --phone 13800138001 --id-number 11010519491231002X
expect_reg EMAIL_TAKEN 2 '' "$PW" "${IND[@]}" --username alice2 --email ALICE@Example.org \
  --phone 13800138001 --id-number 11010519491231002X
expect_reg PHONE_TAKEN 2 '' "$PW" "${IND[@]}" --username alice2 --email other@example.org \
  --phone 13800138000 --id-number 11010519491231002X
expect_reg PHONE_TAKEN 2 '' "$PW" "${IND[@]}" --username alice2 --email other@example.org \
  --phone +8613800138000 --id-number 11010519491231002X

step "login before activation: ACCOUNT_NOT_ACTIVE"
echo "$PW" | unchanged expect_error ACCOUNT_NOT_ACTIVE 3 alice login --username alice --password-stdin
[ ! -s "$T/cfg/alice/hosts.json" ] || ! jq -e '.servers[]?.token' "$T/cfg/alice/hosts.json" >/dev/null 2>&1 ||
  fail "a refused login stored a token"

step "wrong activation codes: INVALID_CODE ×5 (the answer an unknown username gets: no count of tries left)"
code=$(code_for alice@example.org)
old_token=$(token_for alice@example.org)
bad=$(printf '%06d' $(((10#$code + 1) % 1000000)))
for _ in 1 2 3 4 5; do unchanged expect_error INVALID_CODE 2 alice activate --username alice "$bad"; done

step "then even the right code is refused (after the throttle's wait, still CODE_EXPIRED)"
try alice activate --username alice "$code"
if [ "$RC" = 7 ]; then # 5 failures: this account+address waits 1 s
  rate_limited
  sleep "$WAIT"
  try alice activate --username alice "$code"
fi
[ "$RC" = 2 ] && jq -e '.error.code == "CODE_EXPIRED"' <<<"$OUT" >/dev/null ||
  fail "the right code after 5 wrong ones: $RC $OUT"
[ "$(db "SELECT status FROM accounts WHERE username='alice'")" = inactive ] || fail "alice got activated"

step "resend: sent for any username, then RATE_LIMITED (retry_after) within the minute, unknown users alike"
unchanged try anon activate --resend --username nosuchuser
[ "$RC" = 0 ] && jq -e '.sent == true' <<<"$OUT" >/dev/null || fail "resend to an unknown user: $RC $OUT"
unchanged try anon activate --resend --username nosuchuser
rate_limited
[ "$WAIT" -le 60 ] || fail "retry_after $WAIT > the 60 s interval"
unknown_limited=$(jq -c '.error | .message |= gsub("[0-9]+ s"; "N s") | del(.retry_after)' <<<"$OUT")

step "resend once the minute since the last mail has passed: a new code works, the old link is void"
# Simulate the 60 s passing instead of sleeping: move the last send back in time.
db "UPDATE activation_codes SET sent_at = sent_at - 61 WHERE account_id = (SELECT id FROM accounts WHERE username='alice')"
m=$(count_mail)
try alice activate --resend --username alice
[ "$RC" = 0 ] && jq -e '. == {"sent": true}' <<<"$OUT" >/dev/null || fail "resend after the interval: $RC $OUT"
[ "$(count_mail)" = $((m + 1)) ] || fail "resend sent no mail"
unchanged try alice activate --resend --username alice
rate_limited
[ "$(jq -c '.error | .message |= gsub("[0-9]+ s"; "N s") | del(.retry_after)' <<<"$OUT")" = "$unknown_limited" ] ||
  fail "a known user's second resend differs from an unknown one's: $OUT vs $unknown_limited"
new_code=$(code_for alice@example.org)
new_token=$(token_for alice@example.org)
[ "$new_token" != "$old_token" ] || fail "resend mailed the old link"
expect_error INVALID_CODE 2 alice activate "$old_token"
sleep 1 # the 5 wrong codes still throttle this username+address for up to 1 s
as alice --json activate --username alice "$new_code" | jq -e '.account.status == "active"' >/dev/null ||
  fail "the resent code does not activate"

step "wrong password: INVALID_CREDENTIALS ×5, then RATE_LIMITED with retry_after; the wait grows"
reg_user "$PW" --username bob --email bob@example.org --phone 13700137000 \
  --id-number 440524188001010014 >/dev/null || fail "register bob"
as bob activate --username bob "$(code_for bob@example.org)" >/dev/null || fail "activate bob"
for _ in 1 2 3 4 5; do
  echo 'wrong-Password-77' | unchanged expect_error INVALID_CREDENTIALS 3 bob login --username bob --password-stdin
done
# The wait after the 5th failure is 1 s and doubles with each failure after it.
# A slow build (ASan on a loaded machine) can spend longer than that between
# two attempts, so more failures may slip in before the first RATE_LIMITED;
# the doubling wait catches up within a few attempts.
for i in $(seq 6 14); do
  try bob login --username bob --password-stdin <<<'wrong-Password-77'
  [ "$RC" = 7 ] && break
  [ "$RC" = 3 ] && jq -e '.error.code == "INVALID_CREDENTIALS"' <<<"$OUT" >/dev/null || fail "attempt $i: $RC $OUT"
done
rate_limited
[ -z "$(jq -r '.servers[]?.token // empty' "$T/cfg/bob/hosts.json" 2>/dev/null)" ] || fail "a failed login stored a token"
sleep "$WAIT"
echo 'wrong-Password-77' | expect_error INVALID_CREDENTIALS 3 bob login --username bob --password-stdin
# Now the wait is at least 2 s: even the right password is refused at once.
try bob login --username bob --password-stdin <<<"$PW"
rate_limited
[ "$WAIT" -ge 1 ] || fail "retry_after $WAIT"
[ "$(db "SELECT COUNT(*) FROM audit_log WHERE event='login_throttled' AND username='bob'")" -ge 1 ] ||
  fail "throttling not audited"
sleep "$WAIT"
echo "$PW" | as bob login --username bob --password-stdin >/dev/null || fail "the right password after the wait"

step "wrong TOTP code: INVALID_MFA_CODE, no session"
reg_user "$PW" --username carol --email carol@example.org --phone 13500135000 \
  --id-number 11010519491231002X >/dev/null || fail "register carol"
as carol activate --username carol "$(code_for carol@example.org)" >/dev/null || fail "activate carol"
echo "$PW" | as carol login --username carol --password-stdin >/dev/null || fail "carol login"
secret=$(as carol --json mfa enable | jq -r '.secret')
as carol --json mfa enable --code "$(oathtool --totp -b "$secret")" | jq -e '.recovery_codes | length == 10' \
  >/dev/null || fail "mfa enable"
as carol logout >/dev/null
echo "$PW" | expect_error MFA_REQUIRED 3 carol login --username carol --password-stdin
# A code that is valid in no step of the ±1 window (nor the next few).
valid=$(oathtool --totp -b -w 4 -N "@$(($(date +%s) - 60))" "$secret")
wrong=$(oathtool --totp -b "$secret")
while grep -qx "$wrong" <<<"$valid"; do wrong=$(printf '%06d' $(((10#$wrong + 1) % 1000000))); done
echo "$PW" | unchanged expect_error INVALID_MFA_CODE 3 carol login --username carol --password-stdin --totp "$wrong"
echo "$PW" | expect_error INVALID_MFA_CODE 3 carol login --username carol --password-stdin --recovery-code aaaa-bbbb-cc
expect_error UNAUTHENTICATED 3 carol whoami

step "a session revoked from another session is refused"
echo "$PW" | as bob2 login --username bob --password-stdin >/dev/null || fail "bob second login"
sid=$(jq -r '.servers[].session_id' "$T/cfg/bob2/hosts.json")
as bob2 --json whoami | jq -e '.account.username == "bob"' >/dev/null || fail "bob2 whoami"
as bob --json sessions revoke "$sid" >/dev/null || fail "revoke $sid"
expect_error UNAUTHENTICATED 3 bob2 whoami
expect_error UNAUTHENTICATED 3 bob2 sessions list
as bob --json whoami | jq -e '.account.username == "bob"' >/dev/null || fail "the revoking session ended too"

# Times are whole seconds, so a session idle for 1.01 s may already count as 2:
# the timeout leaves room for slow (sanitizer) builds between the calls.
# The timeout is 8 s, not less: activity is recorded to the second, and on a
# loaded CI machine (ASan, three tests at once) one CLI run can take seconds,
# so a shorter timeout made "in use" indistinguishable from "idle".
step "an idle session expires (daemon with --session-idle-timeout 8)"
stop_daemon
start_daemon --session-idle-timeout 8
echo "$PW" | as idle login --username bob --password-stdin >/dev/null || fail "login on the restarted daemon"
for _ in 1 2 3 4 5 6; do # 12 s of use, longer than the timeout: the session lives on
  sleep 2
  as idle whoami >/dev/null || fail "an active session expired before its idle timeout"
done
sleep 10
expect_error UNAUTHENTICATED 3 idle whoami
echo "PASS"
