#!/usr/bin/env bash
# One daemon per address and per data directory (issue 8, kind 4). A second
# cpshared on a port already served fails with "address in use" (cpp-httplib's
# default SO_REUSEPORT let both listen and split the requests between two
# databases); a second one on the same data directory, reached by any path,
# fails naming the PID that holds it; neither disturbs the first or its
# cpshared.addr. The lock dies with its process, and `cpshared admin` works
# beside a running daemon.
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
LISTEN=127.0.0.1:$PORT start_daemon
FIRST=$DAEMON_PID
ADDR="http://127.0.0.1:$PORT"
[ "$(cat "$DATA/cpshared.addr")" = "$ADDR" ] || fail "cpshared.addr holds $(cat "$DATA/cpshared.addr")"
[ "$(cat "$DATA/cpshared.lock")" = "$FIRST" ] || fail "cpshared.lock holds '$(cat "$DATA/cpshared.lock")', not the PID $FIRST"

first_intact() { # the first daemon answers, and its address file is as it wrote it
  kill -0 "$FIRST" 2>/dev/null || fail "the first daemon is gone"
  curl -sf "$ADDR/api/v1/health" >/dev/null || fail "the first daemon no longer answers"
  [ "$(cat "$DATA/cpshared.addr" 2>/dev/null)" = "$ADDR" ] || fail "the first daemon's cpshared.addr was changed or removed"
}

# second EXIT_EXPECTED cpshared-args...: runs a second daemon that must fail at
# once with that exit status; its standard error is in $T/second.err.
second() {
  local want=$1; shift
  local rc=0
  timeout 10 "$CPSHARED" "$@" 2>"$T/second.err" >/dev/null || rc=$?
  [ "$rc" = "$want" ] || fail "second cpshared $* exited $rc, expected $want: $(cat "$T/second.err")"
}

step "a second daemon on the same port fails with 'address in use'"
second 1 --data-dir "$T/other" --listen "127.0.0.1:$PORT"
grep -q "cannot listen on 127.0.0.1:$PORT: address in use" "$T/second.err" ||
  fail "the refusal does not say which address is in use: $(cat "$T/second.err")"
# It stopped before creating anything: no data directory, key or database of its own.
[ ! -e "$T/other" ] || fail "the refused daemon left $(ls -A "$T/other" | tr '\n' ' ')in its data directory"
first_intact
# Every request still reaches the first daemon's database: 20 in a row all see its admin.
make_admin root
for _ in $(seq 1 20); do
  as root whoami --json | jq -e '.account.username == "root"' >/dev/null || fail "a request reached another database"
done

step "a second daemon on the same data directory fails naming the holder's PID"
second 1 --data-dir "$DATA" --listen 127.0.0.1:0
grep -q "data directory $DATA is in use by another cpshared, PID $FIRST" "$T/second.err" ||
  fail "no PID in: $(cat "$T/second.err")"
first_intact

step "... also through a symlink"
ln -s "$DATA" "$T/link"
second 1 --data-dir "$T/link" --listen 127.0.0.1:0
grep -q "PID $FIRST" "$T/second.err" || fail "through a symlink: $(cat "$T/second.err")"
first_intact

step "... also through a relative path, and on the same port at once"
(cd "$T" && second 1 --data-dir ./data/ --listen "127.0.0.1:$PORT")
grep -q "PID $FIRST" "$T/second.err" || fail "through a relative path: $(cat "$T/second.err")"
first_intact
[ "$(db 'SELECT COUNT(*) FROM accounts')" = 1 ] || fail "the refused daemons changed the database"

step "cpshared admin create works beside the running daemon"
echo "$PW" | "$CPSHARED" admin create --data-dir "$DATA" --username root2 --password-stdin >"$T/admin.out" ||
  fail "admin create beside the daemon failed"
grep -q "created administrator root2" "$T/admin.out" || fail "admin create said: $(cat "$T/admin.out")"
echo "$PW" | as root2 login --username root2 --password-stdin >/dev/null || fail "the running daemon does not see root2"
first_intact

step "cpshared.addr is removed at exit only if it still holds what this daemon wrote"
echo "http://127.0.0.1:1" >"$DATA/cpshared.addr"
stop_daemon || fail "cpshared did not exit 0 on SIGTERM"
[ "$(cat "$DATA/cpshared.addr")" = "http://127.0.0.1:1" ] || fail "the daemon removed an address file it did not write"
grep -q "cpshared.addr no longer holds" "$T/daemon.log" || fail "the daemon did not say why it left cpshared.addr"
LISTEN=127.0.0.1:$PORT start_daemon
stop_daemon || fail "cpshared did not exit 0 on SIGTERM"
[ ! -e "$DATA/cpshared.addr" ] || fail "its own address file was left behind"

step "after SIGKILL the stale lock file blocks nothing: a new daemon starts on the same directory and port"
LISTEN=127.0.0.1:$PORT start_daemon
KILLED=$DAEMON_PID
kill -KILL "$KILLED"
wait "$KILLED" 2>/dev/null || true
DAEMON_PID=
[ "$(cat "$DATA/cpshared.lock")" = "$KILLED" ] || fail "the lock file should still name the killed daemon"
LISTEN=127.0.0.1:$PORT start_daemon
[ "$(cat "$DATA/cpshared.lock")" = "$DAEMON_PID" ] || fail "the new daemon did not write its PID"
as root whoami --json | jq -e '.account.username == "root"' >/dev/null || fail "the restarted daemon lost the data"
stop_daemon || fail "cpshared did not exit 0 on SIGTERM"
echo "PASS"
