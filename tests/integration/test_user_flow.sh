#!/usr/bin/env bash
# A researcher's whole life on the platform through the real binaries:
# register → mailed code → activate → login → MFA on → logout → login with a
# TOTP code (real oathtool) → profile update → sessions → password change →
# deregister. [R-USER-1] [R-USER-2] [R-USER-5] [R-USER-6] [R-USER-7] [R-USER-8] [R-API-IUS]
source "$(dirname "$0")/lib.sh"
start_daemon

step "register (flags, --password-stdin, --accept-terms)"
out=$(echo "$PW" | as alice --json register --user-type individual --username alice \
  --email alice@example.org --phone 13800138000 --region 深圳 --real-name 张三 \
  --id-number 11010519491231002X --password-stdin --accept-terms)
jq -e '.account.status == "inactive" and .account.id_number_masked == "1101**********002X"
       and .account.phone_masked == "138****8000"' <<<"$out" >/dev/null || fail "register: $out"

step "login before activation is refused"
echo "$PW" | expect_error ACCOUNT_NOT_ACTIVE 3 alice login --username alice --password-stdin

step "activate with the mailed code"
code=$(code_for alice@example.org)
[ ${#code} = 6 ] || fail "no code in the mail"
as alice --json activate --username alice "$code" | jq -e '.account.status == "active"' >/dev/null ||
  fail "activation failed"
expect_error ALREADY_ACTIVE 1 alice activate --username alice "$code"

step "login stores a 0600 session; whoami"
echo "$PW" | as alice login --username alice --password-stdin >/dev/null
hosts=$T/cfg/alice/hosts.json
[ "$(stat -c %a "$hosts")" = 600 ] || fail "hosts.json mode $(stat -c %a "$hosts")"
[ "$(stat -c %a "$T/cfg/alice")" = 700 ] || fail "config dir mode"
as alice --json whoami | jq -e '.account.username == "alice"' >/dev/null || fail "whoami"
token1=$(jq -r '.servers[].token' "$hosts")

step "a second login rotates the token"
echo "$PW" | as alice login --username alice --password-stdin >/dev/null
token2=$(jq -r '.servers[].token' "$hosts")
[ "$token1" != "$token2" ] || fail "token not rotated"
[ "$(as alice --json sessions list | jq '.items | length')" = 2 ] || fail "expected two sessions"

step "MFA: enable with a first code from oathtool"
en=$(as alice --json mfa enable)
secret=$(jq -r '.secret' <<<"$en")
jq -e '.otpauth_uri | startswith("otpauth://totp/")' <<<"$en" >/dev/null || fail "no otpauth URI: $en"
conf=$(as alice --json mfa enable --code "$(oathtool --totp -b "$secret")")
[ "$(jq '.recovery_codes | length' <<<"$conf")" = 10 ] || fail "no recovery codes: $conf"
recovery=$(jq -r '.recovery_codes[0]' <<<"$conf")

step "logout; login now needs the second factor"
as alice logout >/dev/null
expect_error UNAUTHENTICATED 3 alice whoami
echo "$PW" | expect_error MFA_REQUIRED 3 alice login --username alice --password-stdin
echo "$PW" | expect_error INVALID_MFA_CODE 3 alice login --username alice --password-stdin --totp 000000
# The code used to enrol cannot be replayed; wait for the next 30 s step.
sleep $((31 - $(date +%s) % 30))
echo "$PW" | as alice login --username alice --password-stdin --totp "$(oathtool --totp -b "$secret")" >/dev/null
echo "$PW" | expect_error INVALID_MFA_CODE 3 alice login --username alice --password-stdin \
  --totp "$(oathtool --totp -b "$secret")"
echo "$PW" | as alice login --username alice --password-stdin --recovery-code "$recovery" >/dev/null
echo "$PW" | expect_error INVALID_MFA_CODE 3 alice login --username alice --password-stdin --recovery-code "$recovery"

step "profile update and show"
as alice --json profile update --region 广州 --phone 13900139000 |
  jq -e '.account.region == "广州" and .account.phone_masked == "139****9000"' >/dev/null || fail "profile update"
as alice --json profile show | jq -e '.account.region == "广州" and .account.mfa_enabled' >/dev/null ||
  fail "profile show"
expect_error VALIDATION_FAILED 2 alice profile update --phone 12345

step "sessions: revoke another session"
other=$(as alice --json sessions list | jq -r '[.items[] | select(.current | not)][0].id')
[ -n "$other" ] && [ "$other" != null ] || fail "no other session"
as alice sessions revoke "$other" >/dev/null
as alice --json sessions list | jq -e --arg id "$other" '[.items[].id] | index($id) == null' >/dev/null ||
  fail "revoked session still listed"
expect_error NOT_FOUND 5 alice sessions revoke "$other"

step "password change ends every session"
printf '%s\n%s\n' "$PW" 'n3w-Passw0rd-plum-tree' | as alice --json password change --password-stdin |
  jq -e '.sessions_ended >= 1' >/dev/null || fail "password change"
expect_error UNAUTHENTICATED 3 alice whoami
echo "$PW" | expect_error INVALID_CREDENTIALS 3 alice login --username alice --password-stdin \
  --totp "$(oathtool --totp -b "$secret")"

step "deregister: sessions end, login is refused for good (as for an unknown name), personal data erased"
sleep $((31 - $(date +%s) % 30))
echo 'n3w-Passw0rd-plum-tree' | as alice login --username alice --password-stdin \
  --totp "$(oathtool --totp -b "$secret")" >/dev/null
echo 'n3w-Passw0rd-plum-tree' | as alice --json deregister --yes --password-stdin |
  jq -e '.status == "deregistered"' >/dev/null || fail "deregister"
expect_error UNAUTHENTICATED 3 alice whoami
echo 'n3w-Passw0rd-plum-tree' | expect_error INVALID_CREDENTIALS 3 alice login --username alice --password-stdin
[ "$(db "SELECT status || '|' || IFNULL(email,'-') || '|' || IFNULL(real_name,'-') || '|' || length(password_hash)
         FROM accounts WHERE username='alice'")" = "deregistered|-|-|0" ] ||
  fail "deregistered row: $(db "SELECT status, email, real_name, password_hash FROM accounts WHERE username='alice'")"
echo "PASS"
