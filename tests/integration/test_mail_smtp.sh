#!/usr/bin/env bash
# Activation mail over SMTP: with --smtp-url the daemon hands the activation
# message to an SMTP server (postfix's smtp-sink, which dumps each message to a
# file) instead of the outbox, and the mailed code activates the account.
# Without --smtp-url the message lands in DATA/outbox/*.eml. [R-USER-5]
source "$(dirname "$0")/lib.sh"
command -v smtp-sink >/dev/null || [ -x /usr/sbin/smtp-sink ] || fail "smtp-sink (postfix) is not installed"
SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

step "start smtp-sink"
mkdir -p "$T/sink"
chmod 777 "$T/sink"
PORT=$(free_port)
sink_args=(-d "$T/sink/mail." "127.0.0.1:$PORT" 10)
[ "$(id -u)" = 0 ] && sink_args=(-u nobody "${sink_args[@]}")  # as root it must drop privileges
"$SMTP_SINK" "${sink_args[@]}" 2>"$T/sink.err" &
SINK_PID=$!
wait_for_port "$PORT" "$SINK_PID" smtp-sink "$T/sink.err"

step "a daemon with --smtp-url mails the activation message to the SMTP server"
start_daemon --smtp-url "smtp://127.0.0.1:$PORT"
out=$(echo "$PW" | as alice --json register --user-type individual --username alice \
  --email alice@example.org --phone 13800138000 --region 深圳 --real-name 张三 \
  --id-number 11010519491231002X --password-stdin --accept-terms) || fail "register: $out"
jq -e '.account.status == "inactive" and (.activation.sent_to | length > 0)' <<<"$out" >/dev/null ||
  fail "register: $out"
MAILDIR=$T/sink
for _ in $(seq 1 100); do [ "$(count_mail)" -ge 1 ] && break; sleep 0.05; done
[ "$(count_mail)" = 1 ] || fail "expected one message in the sink, found $(count_mail)"
[ -z "$(find "$DATA/outbox" -type f 2>/dev/null)" ] || fail "the outbox is not empty with --smtp-url"
mail=$(newest_mail_to alice@example.org)
grep -a -q -i '^From: .*cpshare@localhost' "$mail" || fail "no From: header in $mail"
code=$(code_for alice@example.org)
[ ${#code} = 6 ] || fail "no 6-digit code in the SMTP message"
[ -n "$(token_for alice@example.org)" ] || fail "no activation link in the SMTP message"

step "the code from the SMTP message activates the account"
as alice --json activate --username alice "$code" | jq -e '.account.status == "active"' >/dev/null ||
  fail "activation with the mailed code failed"
echo "$PW" | as alice login --username alice --password-stdin >/dev/null || fail "login after activation"
stop_daemon

step "without --smtp-url the message goes to DATA/outbox/*.eml"
MAILDIR=
start_daemon
echo "$PW" | as bob register --user-type individual --username bob --email bob@example.org \
  --phone 13900139000 --region 深圳 --real-name 李四 --id-number 440524188001010014 \
  --password-stdin --accept-terms >/dev/null || fail "register bob"
[ "$(find "$DATA/outbox" -type f -name '*.eml' | wc -l)" = 1 ] || fail "no .eml in the outbox"
[ "$(find "$T/sink" -type f | wc -l)" = 1 ] || fail "the sink got mail from a daemon without --smtp-url"
as bob --json activate --username bob "$(code_for bob@example.org)" | jq -e '.account.status == "active"' \
  >/dev/null || fail "activation with the outbox code failed"
echo "PASS"
