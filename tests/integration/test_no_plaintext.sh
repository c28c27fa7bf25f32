#!/usr/bin/env bash
# No secret or sensitive identifier is written anywhere in clear: after users and
# suppliers register, activate, log in, update their phone, change password,
# enable MFA and deregister, none of the passwords, ID numbers, phone numbers,
# credit codes, bank account numbers, TOTP secrets, recovery codes or session
# tokens appears in the database (main file and WAL, live and after shutdown),
# the daemon log, the outbox, or the CLI's config dirs (tokens excepted in the
# client's own hosts.json); the daemon keeps only hashes of session tokens.
# The deregistered supplier's email, password hash, name and address are not
# readable as raw bytes in the database or its WAL, live or after shutdown
# (issue 9: secure_delete and a WAL checkpoint after the erasure).
# [R-USER-3] [R-SEC-2] [R-USER-8]
source "$(dirname "$0")/lib.sh"
start_daemon # with --log-file "$T/daemon.log"

NEWPW='n3w-Passw0rd-plum-tree'
ID_ALICE=11010519491231002X ID_UNI=320106199003071234 ID_LEGAL=510107198511114568 ID_SOLO=440524188001010014
PH_ALICE=13800138000 PH_ALICE_NEW=13900139000 PH_UNI=13600136000 PH_ACME=13512345678 PH_SOLO=13700137000
CC_UNI=91350100M000100Y43 CC_ACME=91440300MA5F123452
BANK_ACME=6217000010001234567 BANK_SOLO=6222020200112233445
TOKENS=()
remember_token() { TOKENS+=("$(jq -r '.servers[].token' "$T/cfg/$1/hosts.json")"); }
login() { # WHO USERNAME PASSWORD
  echo "$3" | as "$1" login --username "$2" --password-stdin >/dev/null || fail "login $2"
  remember_token "$1"
}
activate() { as "$1" activate --username "$1" "$(code_for "$2")" >/dev/null || fail "activate $1"; }
make_pdf "$T/licence.pdf"

step "register and activate a user, a university user, an enterprise and an individual supplier"
# Identifiers typed the way people type them: lowercase x, +86 and spaces.
echo "$PW" | as alice register --user-type individual --username alice --email alice@example.org \
  --phone "+86 138 0013 8000" --region 深圳 --real-name 张三 --id-number "${ID_ALICE,,}" \
  --password-stdin --accept-terms >/dev/null || fail "register alice"
echo "$PW" | as uni register --user-type university --username uni --email uni@example.edu.cn \
  --phone "$PH_UNI" --region 南京 --real-name 李四 --id-number "$ID_UNI" --organization 南京大学 \
  --credit-code "$CC_UNI" --licence "$T/licence.pdf" --password-stdin --accept-terms >/dev/null ||
  fail "register uni"
echo "$PW" | as acme register --kind enterprise --username acme --email ops@acme.example.com \
  --phone "+86 135 1234 5678" --region 深圳 --company-name 深圳算力有限公司 --legal-rep-name 王五 \
  --legal-rep-id-number "$ID_LEGAL" --registered-capital 1000000 --credit-code "$CC_ACME" \
  --contact-name 赵六 --licence "$T/licence.pdf" --bank-name 招商银行 --bank-account-name 深圳算力有限公司 \
  --bank-account-number "6217 0000 1000 1234 567" --password-stdin --accept-terms >/dev/null ||
  fail "register acme"
echo "$PW" | as solo register --kind individual --username solo --email solo@example.net \
  --phone "$PH_SOLO" --region 厦门 --real-name 孙七 --id-number "$ID_SOLO" --address 厦门市思明区 \
  --licence "$T/licence.pdf" --bank-name 工商银行 --bank-account-name 孙七 --bank-account-number "$BANK_SOLO" \
  --password-stdin --accept-terms >/dev/null || fail "register solo"
activate alice alice@example.org
activate uni uni@example.edu.cn
activate acme ops@acme.example.com
activate solo solo@example.net

step "log in; admin approves; profile update (new phone); password change; MFA"
make_admin root
remember_token root
login alice alice "$PW"
login uni uni "$PW"
login acme acme "$PW"
login acme2 acme "$PW"
login solo solo "$PW"
as root admin review approve acme >/dev/null || fail "approve acme"
as alice --json profile update --phone "$PH_ALICE_NEW" | jq -e '.account.phone_masked == "139****9000"' \
  >/dev/null || fail "profile update"
as acme profile update --bank-name 招商银行 --bank-account-name 深圳算力有限公司 --bank-account-number "$BANK_ACME" >/dev/null || fail "acme bank update"
printf '%s\n%s\n' "$PW" "$NEWPW" | as alice password change --password-stdin >/dev/null || fail "password change"
login alice alice "$NEWPW"
en=$(as alice --json mfa enable) || fail "mfa enable: $en"
SECRET=$(jq -r '.secret' <<<"$en")
conf=$(as alice --json mfa enable --code "$(oathtool --totp -b "$SECRET")") || fail "mfa confirm: $conf"
mapfile -t RECOVERY < <(jq -r '.recovery_codes[]' <<<"$conf")
[ ${#RECOVERY[@]} = 10 ] || fail "no recovery codes"

step "deregister one supplier; its email, phone and password hash are then unreadable in the database and WAL"
# raw_hits VALUE...: the database files (main and WAL) holding any VALUE as raw bytes.
raw_hits() {
  local f v
  for f in "$DATA"/cpshare.db "$DATA"/cpshare.db-wal; do
    [ -f "$f" ] || continue
    for v in "$@"; do grep -a -q -F -e "$v" "$f" && echo "$(basename "$f"): $v"; done
  done
  true
}
SOLO_HASH=$(db "SELECT password_hash FROM accounts WHERE username='solo'")
[[ $SOLO_HASH == '$argon2id$'* ]] || fail "solo's password hash: $SOLO_HASH"
SOLO_HASH_TAIL=${SOLO_HASH##*\$} # the hash itself, without the parameters and salt
ERASED=(solo@example.net "$PH_SOLO" "$SOLO_HASH" "$SOLO_HASH_TAIL" 孙七 厦门市思明区)
[ -n "$(raw_hits solo@example.net "$SOLO_HASH_TAIL")" ] || fail "self-check: solo's email and hash not found before"
echo "$PW" | as solo --json deregister --yes --password-stdin | jq -e '.status == "deregistered"' >/dev/null ||
  fail "deregister solo"
hits=$(raw_hits "${ERASED[@]}")
[ -z "$hits" ] || fail "erased values still readable while the daemon runs: $hits"
[ "$(db "SELECT length(password_hash) || '|' || IFNULL(email, '-') FROM accounts WHERE username='solo'")" = "0|-" ] ||
  fail "solo's row after deregistration: $(db "SELECT password_hash, email FROM accounts WHERE username='solo'")"

step "the daemon stores only hashes of the session tokens"
live=$(db "SELECT COUNT(*) FROM sessions")
[ "$live" -ge 5 ] || fail "expected at least 5 live sessions, found $live"
stored=$(db "SELECT hex(token_hash) FROM sessions")
for tok in "${TOKENS[@]}"; do
  [ ${#tok} = 43 ] || fail "a token is not 43 characters: $tok"
  plain=$(printf '%s' "$tok" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
  raw=$(printf '%s' "$tok" | tr -- '-_' '+/' | { cat; echo '='; } | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
  grep -qx -e "$plain" -e "$raw" <<<"$stored" && fail "sessions.token_hash holds a token itself"
  [ "$(db "SELECT COUNT(*) FROM sessions WHERE token_hash = CAST('$tok' AS BLOB) OR hex(token_hash) = '$plain'")" = 0 ] ||
    fail "a session token is stored in clear"
done
[ "$(db "SELECT COUNT(*) FROM sessions WHERE length(token_hash) < 16")" = 0 ] || fail "a token hash is too short"

step "snapshot the live database (with its WAL), then stop the daemon"
mkdir -p "$T/snapshot"
cp "$DATA"/cpshare.db* "$T/snapshot/"
ls "$T/snapshot"/cpshare.db-wal >/dev/null 2>&1 || echo "(no WAL file while running)"
stop_daemon || fail "cpshared did not stop cleanly"
[ -s "$T/daemon.log" ] || fail "the --log-file is empty"
hits=$(raw_hits "${ERASED[@]}")
[ -z "$hits" ] || fail "erased values readable after the daemon stopped: $hits"

SECRETS=("$PW" "$NEWPW" "$ID_ALICE" "$ID_UNI" "$ID_LEGAL" "$ID_SOLO"
  "$PH_ALICE" "$PH_ALICE_NEW" "$PH_UNI" "$PH_ACME" "$PH_SOLO" "138 0013 8000" "135 1234 5678"
  "$CC_UNI" "$CC_ACME" "$BANK_ACME" "$BANK_SOLO" "6217 0000 1000 1234 567" "$SECRET" "${RECOVERY[@]}")
PLACES=("$DATA" "$T/snapshot" "$T/daemon.log" "$T/cfg")

step "no sensitive value in the database, WAL, log, outbox or CLI config"
for f in "$DATA"/cpshare.db "$DATA"/cpshare.db-wal "$T"/snapshot/cpshare.db "$T"/snapshot/cpshare.db-wal; do
  [ -f "$f" ] && echo "   searching $(basename "$(dirname "$f")")/$(basename "$f") ($(stat -c %s "$f") bytes)"
done
[ -n "$(find "$DATA/outbox" -type f)" ] || fail "the outbox is empty: nothing to search"
for s in "${SECRETS[@]}"; do
  [ -n "$s" ] || fail "an empty value in the list"
  hits=$(grep -r -a -l -F -i -e "$s" "${PLACES[@]}" || true)
  [ -z "$hits" ] || fail "'$s' found in clear in: $hits"
done
for tok in "${TOKENS[@]}"; do
  hits=$(grep -r -a -l -F -e "$tok" --exclude=hosts.json "${PLACES[@]}" || true)
  [ -z "$hits" ] || fail "a session token found in clear in: $hits"
done
# Self-checks that the search can see inside these files: non-sensitive values
# stored in clear (an email in the database, a token in the client's own hosts.json).
grep -a -q -F -e uni@example.edu.cn "$DATA/cpshare.db" || fail "self-check: the search sees nothing in cpshare.db"
grep -r -a -q -F -e "${TOKENS[-1]}" "$T/cfg" || fail "self-check: the search sees nothing in the config dir"
echo "PASS"
