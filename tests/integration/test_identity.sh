#!/usr/bin/env bash
# One identity, one spelling (issue 8, kind 1), through the real binaries:
# usernames that differ only in case are one name; full-width input from a
# Chinese input method is accepted as its ASCII form and stored so; length
# messages count characters. [R-USER-1] [R-USER-2] [R-USER-3] [R-USER-6] [R-SEC-4]
source "$(dirname "$0")/lib.sh"
start_daemon

register() {  # register WHO USERNAME EMAIL PHONE ID [more flags]
  local who=$1 user=$2 email=$3 phone=$4 id=$5; shift 5
  echo "$PW" | as "$who" --json register --user-type individual --username "$user" --email "$email" \
    --phone "$phone" --region 深圳 --real-name 张三 --id-number "$id" --password-stdin --accept-terms "$@"
}

step "alice registers; Alice and ALICE are the same name"
register alice alice alice@example.org 13800138000 11010519491231002X >/dev/null
echo "$PW" | expect_error USERNAME_TAKEN 2 other register --user-type individual --username Alice \
  --email other@example.org --phone 13900139000 --region 深圳 --real-name 李四 --id-number 11010519491231002X \
  --password-stdin --accept-terms
echo "$PW" | expect_error USERNAME_TAKEN 2 other register --user-type individual --username ALICE \
  --email other@example.org --phone 13900139000 --region 深圳 --real-name 李四 --id-number 11010519491231002X \
  --password-stdin --accept-terms
[ "$(db "SELECT COUNT(*) FROM accounts")" = 1 ] || fail "a second spelling was stored"

step "activation and login in any case reach the one account, spelt as chosen"
as alice activate --username ALICE "$(code_for alice@example.org)" >/dev/null
echo "$PW" | as alice login --username ALICE --password-stdin >/dev/null
as alice --json whoami | jq -e '.account.username == "alice"' >/dev/null || fail "whoami after login as ALICE"
echo "$PW" | as alice2 login --username Alice --password-stdin >/dev/null
as alice2 --json whoami | jq -e '.account.username == "alice"' >/dev/null || fail "whoami after login as Alice"

step "the admin's audit filter finds alice's events under another spelling"
make_admin root
as root --json admin audit --event login_succeeded --username ALICE |
  jq -e '(.items | length) == 2 and all(.items[]; .username == "alice")' >/dev/null || fail "audit by ALICE"

step "full-width ID number and phone are accepted and stored as ASCII"
out=$(register carol ｃａｒｏｌ ｃａｒｏｌ＠ｅｘａｍｐｌｅ．ｏｒｇ １３８００１３８００５ １１０１０５１９４９１２３１００２Ｘ)
jq -e '.account.username == "carol" and .account.email == "carol@example.org"
       and .account.phone_masked == "138****8005" and .account.id_number_masked == "1101**********002X"' \
  <<<"$out" >/dev/null || fail "full-width registration: $out"
as carol activate --username carol "$(code_for carol@example.org)" >/dev/null
# The phone is the ASCII number: it logs in.
echo "$PW" | as carol login --username 13800138005 --password-stdin >/dev/null
as carol --json profile show | jq -e '.account.phone_masked == "138****8005"
  and .account.id_number_masked == "1101**********002X" and .account.region == "深圳"' >/dev/null ||
  fail "profile of carol"
[ "$(db "SELECT username || ' ' || email FROM accounts WHERE username_key = 'carol'")" = "carol carol@example.org" ] ||
  fail "carol not stored in ASCII"
# ...and it is taken in its ASCII form.
echo "$PW" | expect_error PHONE_TAKEN 2 dave register --user-type individual --username dave \
  --email dave@example.org --phone 13800138005 --region 深圳 --real-name 王五 --id-number 11010519491231002X \
  --password-stdin --accept-terms
step "profile update takes a full-width phone"
as carol --json profile update --phone １３９００１３９００９ | jq -e '.account.phone_masked == "139****9009"' >/dev/null ||
  fail "full-width phone in profile update"

step "length messages count characters"
out=$(echo "$PW" | as erin --json register --user-type individual --username 张三李四王五赵六钱七孙 \
  --email erin@example.org --phone 13700137000 --region 深圳 --real-name 张三 --id-number 11010519491231002X \
  --password-stdin --accept-terms) && fail "a Chinese username was accepted: $out"
msg=$(jq -r '.error.fields[] | select(.field == "username") | .message' <<<"$out")
[[ "$msg" == *pinyin* ]] || fail "username message: $msg"
[[ "$msg" != *33* ]] || fail "username message counts bytes: $msg"
out=$(echo "$PW" | as erin --json register --user-type individual --username "$(printf '张%.0s' $(seq 1 40))" \
  --email erin@example.org --phone 13700137000 --region 深圳 --real-name 张三 --id-number 11010519491231002X \
  --password-stdin --accept-terms) && fail "a 40-character username was accepted"
jq -e '.error.fields[] | select(.field == "username") | .message | test("got 40$")' <<<"$out" >/dev/null ||
  fail "40 characters not counted as 40: $out"
# The server counts the same way (the CLI's local check bypassed with curl).
body=$(jq -n --arg u "$(printf '张%.0s' $(seq 1 40))" '{username:$u, password:"x"}')
curl -s -X POST -H 'Content-Type: application/json' -d "$body" "$URL/api/v1/users" |
  jq -e '.error.fields[] | select(.field == "username") | .message | test("32 characters; got 40")' >/dev/null ||
  fail "server's username message"
echo "ok"
