#!/usr/bin/env bash
# The CLI's conventions, across its whole command table: "did you mean" for
# mistyped commands; --json errors on stdout with the documented exit status for
# every command; exit 6 when the server cannot be reached; no ANSI escapes off a
# terminal or with NO_COLOR; shell completions (bash run for real) and the man
# page cover every command; and on a real terminal (script(1)) registration asks
# for the password twice without echo, re-asks when the two differ, asks to
# accept the terms and for the mailed code, and activates the account.
# [R-API-STD]
source "$(dirname "$0")/lib.sh"

# The command tree, read from --help ("Subcommands:" sections), as paths: "sessions list".
subcommands() { # PATH...: the direct subcommands of that command path
  "$CPSHARE" "$@" --help | awk '/^Subcommands:/ {on = 1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}'
}
TOP=()
mapfile -t TOP < <(subcommands)
LEAVES=() PATHS=()
walk() {
  local kids k
  mapfile -t kids < <(subcommands "$@")
  PATHS+=("$*")
  if [ ${#kids[@]} = 0 ]; then LEAVES+=("$*"); return; fi
  for k in "${kids[@]}"; do walk "$@" "$k"; done
}
for c in "${TOP[@]}"; do walk "$c"; done
echo "   top-level: ${TOP[*]}"
# The contract's commands (docs/design/accounts.md) must all be there.
for c in register activate login logout whoami sessions profile password deregister mfa admin version completion; do
  [[ " ${TOP[*]} " == *" $c "* ]] || fail "cpshare --help does not list '$c'"
done
[ ${#LEAVES[@]} -ge 20 ] || fail "only ${#LEAVES[@]} leaf commands found: ${LEAVES[*]}"

step "did you mean: mistyped commands exit 2 with a suggestion on stderr"
for typo in "regster:register" "admin reveiw:review" "sesions:sessions" "help lst:list" "help leases shw:show"; do
  args=${typo%%:*} want=${typo##*:} rc=0
  # shellcheck disable=SC2086
  as anon $args >"$T/out" 2>"$T/err" || rc=$?
  [ $rc = 2 ] || fail "cpshare $args exited $rc, expected 2"
  [ ! -s "$T/out" ] || fail "cpshare $args wrote to stdout: $(cat "$T/out")"
  grep -qw -- "$want" "$T/err" || fail "cpshare $args does not suggest '$want': $(cat "$T/err")"
  rc=0
  # shellcheck disable=SC2086
  out=$(as anon --json $args 2>/dev/null) || rc=$?
  [ $rc = 2 ] && jq -e '.error.code == "VALIDATION_FAILED"' <<<"$out" >/dev/null ||
    fail "cpshare --json $args: $rc $out"
done

step "unreachable server: exit 6 with a JSON error"
dead="http://127.0.0.1:$(free_port)"
rc=0
out=$(as anon --json --server "$dead" version 2>/dev/null) || rc=$?
[ $rc = 6 ] || fail "version against a dead server exited $rc ($out)"
jq -e '.error.code | length > 0' <<<"$out" >/dev/null || fail "no JSON error: $out"
rc=0
echo "$PW" | as anon --server "$dead" login --username alice --password-stdin >/dev/null 2>&1 || rc=$?
[ $rc = 6 ] || fail "login against a dead server exited $rc"

start_daemon

step "--json: every command of the table prints a JSON error on stdout when it fails"
# expected code, exit status, command (not logged in; argument values that reach the server or the session check)
JSON_CASES=(
  "VALIDATION_FAILED|2|register"
  "INVALID_CODE|2|activate --username nobody 123456"
  "VALIDATION_FAILED|2|activate --resend"
  "INVALID_CREDENTIALS|3|login --username nobody --password-stdin"
  "UNAUTHENTICATED|3|logout"
  "UNAUTHENTICATED|3|whoami"
  "UNAUTHENTICATED|3|sessions list"
  "UNAUTHENTICATED|3|sessions revoke s_0123456789abcdef"
  "UNAUTHENTICATED|3|profile show"
  "UNAUTHENTICATED|3|profile update --region 广州"
  "UNAUTHENTICATED|3|password change --password-stdin"
  "UNAUTHENTICATED|3|deregister --yes --password-stdin"
  "UNAUTHENTICATED|3|mfa enable"
  "UNAUTHENTICATED|3|mfa disable --code 123456"
  "UNAUTHENTICATED|3|admin review list"
  "UNAUTHENTICATED|3|admin review show alice"
  "UNAUTHENTICATED|3|admin review approve alice"
  "UNAUTHENTICATED|3|admin review reject alice --reason no"
  "UNAUTHENTICATED|3|admin audit"
  "VALIDATION_FAILED|2|publish"
  "UNAUTHENTICATED|3|show cp-0000000000"
  "UNAUTHENTICATED|3|list"
  "UNAUTHENTICATED|3|filter units>=1"
  "UNAUTHENTICATED|3|update cp-0000000000 --price-hourly 1"
  "UNAUTHENTICATED|3|delist cp-0000000000"
  "UNAUTHENTICATED|3|relist cp-0000000000"
  "UNAUTHENTICATED|3|units cp-0000000000"
  "UNAUTHENTICATED|3|units set cp-0000000000 0 idle"
  "UNAUTHENTICATED|3|events cp-0000000000"
  "VALIDATION_FAILED|2|events cp-0000000000 --since yesterday"
  "UNAUTHENTICATED|3|cluster verify cp-0000000000"
  "UNAUTHENTICATED|3|lease cp-0000000000 --units 1 --billing hourly"
  "VALIDATION_FAILED|2|lease cp-0000000000 --units 0 --billing hourly"
  "UNAUTHENTICATED|3|leases"
  "UNAUTHENTICATED|3|leases show ls-0000000000"
  "UNAUTHENTICATED|3|approve ls-0000000000"
  "UNAUTHENTICATED|3|reject ls-0000000000 --reason no"
  "UNAUTHENTICATED|3|terminate ls-0000000000 --reason no"
  "UNAUTHENTICATED|3|release ls-0000000000"
  "UNAUTHENTICATED|3|redeem 0000-0000-0000-0000"
  "UNAUTHENTICATED|3|bills"
  "VALIDATION_FAILED|2|bills --month 2026-13"
  "UNAUTHENTICATED|3|earnings --month 2026-11"
  "UNAUTHENTICATED|3|monitor cp-0000000000"
  "VALIDATION_FAILED|2|agent"
  "VALIDATION_FAILED|2|version --no-such-flag"
  "VALIDATION_FAILED|2|completion tcsh"
  "VALIDATION_FAILED|2|help nosuchcommand"
)
covered=
for case in "${JSON_CASES[@]}"; do
  IFS='|' read -r code ex cmd <<<"$case"
  # shellcheck disable=SC2086
  printf '%s\n%s\n' "$PW" "$PW" | expect_error "$code" "$ex" anon $cmd
  covered+="$cmd"$'\n'
done
for leaf in "${LEAVES[@]}"; do # each command of the table has its case
  grep -q -E "^$leaf( |\$)" <<<"$covered" || fail "no --json error case for 'cpshare $leaf'"
done
as anon --json version | jq -e '(.client_version | length > 0) and (.server_version | length > 0)' >/dev/null ||
  fail "version --json"
# help COMMAND is COMMAND --help; a word that is no command is named, on stderr, exit 2.
[ "$(as anon help leases show)" = "$(as anon leases show --help)" ] || fail "help leases show differs from --help"
rc=0
as anon help nosuchcommand >"$T/out" 2>"$T/err" || rc=$?
[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "unknown command 'nosuchcommand'" "$T/err" ||
  fail "help nosuchcommand: exit $rc, $(cat "$T/out" "$T/err")"

step "no ANSI escapes off a terminal, nor on a terminal with NO_COLOR"
make_admin root
has_esc() { grep -q -P '\x1b' "$1"; }
for cmd in whoami "sessions list" "profile show" "admin audit" "admin review list" version "nosuch" \
  "activate --username nobody 123456"; do
  # shellcheck disable=SC2086
  as root $cmd >"$T/out" 2>"$T/err" || true
  has_esc "$T/out" && fail "ANSI escapes on stdout of 'cpshare $cmd' off a terminal"
  has_esc "$T/err" && fail "ANSI escapes on stderr of 'cpshare $cmd' off a terminal"
done
# On a terminal cpshare does colour (so the checks above and below can fail)...
CPSHARE_CONFIG_DIR=$T/cfg/root script -qec "'$CPSHARE' sessions list" /dev/null </dev/null >"$T/tty1" 2>&1 ||
  fail "sessions list on a terminal: $(cat "$T/tty1")"
has_esc "$T/tty1" || fail "self-check: no colour on a terminal without NO_COLOR"
# ...but not with NO_COLOR set.
NO_COLOR=1 CPSHARE_CONFIG_DIR=$T/cfg/root script -qec "'$CPSHARE' sessions list; '$CPSHARE' whoami; '$CPSHARE' nosuch" \
  /dev/null </dev/null >"$T/tty2" 2>&1 || true
has_esc "$T/tty2" && fail "ANSI escapes on a terminal with NO_COLOR=1: $(cat -A "$T/tty2")"

step "completion scripts: bash (run for real), zsh, fish cover every command"
for sh in bash zsh fish; do
  as anon completion "$sh" >"$T/completion.$sh" || fail "completion $sh"
  for p in "${PATHS[@]}"; do
    grep -qw -- "${p##* }" "$T/completion.$sh" || fail "the $sh completion does not mention '$p'"
  done
done
bash -n "$T/completion.bash" || fail "the bash completion has a syntax error"
command -v zsh >/dev/null && { zsh -n "$T/completion.zsh" || fail "the zsh completion has a syntax error"; }
command -v fish >/dev/null && { fish -n "$T/completion.fish" || fail "the fish completion has a syntax error"; }
# Ask the bash completion function for the words after each command path.
for p in "" "${PATHS[@]}"; do
  # shellcheck disable=SC2086  # a path is several words
  want=$(subcommands $p | sort | tr '\n' ' ')
  [ -n "$want" ] || continue
  # shellcheck disable=SC2086
  got=$(bash -c 'source "$1"; shift; COMP_WORDS=(cpshare "$@" ""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
    _cpshare; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/completion.bash" $p | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "bash completion after 'cpshare $p': '$got', expected '$want'"
done
got=$(bash -c 'source "$1"; COMP_WORDS=(cpshare reg); COMP_CWORD=1; _cpshare; echo "${COMPREPLY[*]}"' _ "$T/completion.bash")
[ "$got" = register ] || fail "bash completion of 'cpshare reg': '$got'"

step "the man page renders and documents every command"
if command -v man >/dev/null; then
  MANWIDTH=400 MANPAGER=cat man -l "$CPSHARE_SOURCE_DIR/man/cpshare.1" 2>"$T/man.err" | col -bx >"$T/man.txt" ||
    fail "man -l failed: $(cat "$T/man.err")"
  [ -s "$T/man.txt" ] || fail "man rendered nothing: $(cat "$T/man.err")"
  for p in "${PATHS[@]}"; do
    grep -q -F -- "cpshare $p" "$T/man.txt" || fail "the man page does not document 'cpshare $p'"
  done
else
  echo "   (man is not installed: skipped)"
fi

step "on a terminal: password twice without echo, terms, mailed code, activation"
# script(1) gives cpshare a pseudo-terminal. A driver types into it through a
# FIFO, one answer at a time: each password only once cpshare has printed its
# prompt and turned echo off on that terminal (read with stty -F), since
# cpshare discards typed-ahead input (TCSAFLUSH) when it switches echo.
mkfifo "$T/tty.in"
NO_COLOR=1 CPSHARE_CONFIG_DIR=$T/cfg/tty script -qec "tty >'$T/pts'; exec '$CPSHARE' register --user-type individual \
  --username termuser --email term@example.org --phone 13800138000 --region 深圳 --real-name 张三 \
  --id-number 11010519491231002X" /dev/null <"$T/tty.in" >"$T/tty.out" 2>&1 &
SCRIPT_PID=$!
exec 7>"$T/tty.in"
wait_until() { # SECONDS WHAT CONDITION...
  local secs=$1 what=$2; shift 2
  local i
  for ((i = 0; i < secs * 20; i++)); do
    "$@" && return 0
    kill -0 "$SCRIPT_PID" 2>/dev/null || fail "cpshare ended while waiting for $what: $(cat -A "$T/tty.out")"
    sleep 0.05
  done
  fail "timed out waiting for $what: $(cat -A "$T/tty.out")"
}
echo_off() { [[ " $(stty -F "$(cat "$T/pts")" -a | tr ';\n' '  ') " == *" -echo "* ]]; }
prompts_at_least() { [ "$(grep -a -o 'assword: ' "$T/tty.out" | wc -l)" -ge "$1" ]; }
type_secret() { # N TEXT: the Nth password prompt gets TEXT, typed while echo is off
  wait_until 20 "password prompt $1" prompts_at_least "$1"
  wait_until 20 "echo off for password prompt $1" echo_off
  printf '%s\r' "$2" >&7
}
wait_until 20 "the terminal" test -s "$T/pts"
type_secret 1 "$PW"
type_secret 2 'Different-Passw0rd-99'   # the entries differ: it must ask both again
type_secret 3 "$PW"
type_secret 4 "$PW"
wait_until 20 "the terms question" grep -a -q -F '[y/N]' "$T/tty.out"
printf 'y\r' >&7
mailed() { grep -l -a -q 'To: .*term@example.org' "$DATA"/outbox/* 2>/dev/null; }
wait_until 20 "the activation mail" mailed
printf '%s\r' "$(code_for term@example.org)" >&7
rc=0
wait "$SCRIPT_PID" || rc=$?
exec 7>&-
[ $rc = 0 ] || fail "interactive register exited $rc: $(cat -A "$T/tty.out")"
grep -a -q -F -e "$PW" "$T/tty.out" && fail "the password was echoed on the terminal"
grep -a -q -F -e 'Different-Passw0rd-99' "$T/tty.out" && fail "the mistyped password was echoed"
has_esc "$T/tty.out" && fail "ANSI escapes on a terminal with NO_COLOR=1"
[ "$(db "SELECT status || '|' || terms_version FROM accounts WHERE username='termuser'")" = \
  "active|$(curl -sf "$URL/api/v1/terms" | jq -r '.data.version')" ] ||
  fail "termuser: $(db "SELECT status, terms_version FROM accounts WHERE username='termuser'")"
echo "$PW" | as termuser --json login --username termuser --password-stdin | jq -e '.account.status == "active"' \
  >/dev/null || fail "the password typed on the terminal does not log in"

step "--json on cpshare or a command group without a subcommand (a usage error like any other)"
for group in "" sessions profile password mfa admin "admin review"; do
  # shellcheck disable=SC2086
  expect_error VALIDATION_FAILED 2 anon $group
done
echo "PASS"
