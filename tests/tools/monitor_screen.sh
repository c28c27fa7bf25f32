#!/usr/bin/env bash
# The live view of `cpshare monitor` on a real terminal (tmux, its own server
# socket): it draws, shows a failed refresh without losing the frame, redraws
# on resize, quits on q and on Ctrl-C, and gives the terminal back (the
# alternate screen is left). [R-MON-2]
#   monitor_screen.sh PATH/monitor_screen_check
set -euo pipefail
TOOL=$1
T=$(mktemp -d)
SOCK=cpshare-screen-$$
export LANG=C.UTF-8 LC_ALL=C.UTF-8
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- screen:" >&2; cat "$T/screen" >&2 2>/dev/null || true; exit 1; }
capture() { tmux -L "$SOCK" capture-pane -p -t screen >"$T/screen"; }
wait_for() { # TEXT SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    capture
    grep -qF -- "$1" "$T/screen" && return 0
    sleep 0.1
  done
  fail "'$1' did not appear within $2 s"
}
start() {
  rm -f "$T/exit" "$T/out"
  tmux -L "$SOCK" new-session -d -s screen -x 100 -y 30 \
    "TERM=xterm-256color '$TOOL' '$T/out'; echo \$? >'$T/exit'; sleep 60"
}
ended() { # the tool exited 0 and the pane is back on the normal screen
  for _ in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
  [ "$(cat "$T/exit" 2>/dev/null)" = 0 ] || fail "exit status $(cat "$T/exit" 2>/dev/null || echo none): $(cat "$T/out")"
  grep -q "screen closed after" "$T/out" || fail "no closing line: $(cat "$T/out")"
  [ "$(tmux -L "$SOCK" display -p -t screen '#{alternate_on}')" = 0 ] || fail "the terminal was left on the alternate screen"
}

start
wait_for "cp-7k2m9x4qvd  online  last report 3 s ago" 5
grep -q "GPU  0" "$T/screen" || fail "no GPU 0 line"
grep -q "93%" "$T/screen" || fail "no utilisation"
grep -q "掉卡 LOST" "$T/screen" || fail "the lost GPU is not marked"
grep -q "q quit" "$T/screen" || fail "no key help"
echo "ok: draws"
wait_for "q quit · retrying every 0.3 s · the daemon did not answer" 3
grep -q "GPU  0" "$T/screen" || fail "the last frame was lost when a refresh failed"
echo "ok: a failed refresh keeps the frame"
wait_for "q quit · every 0.3 s" 3
tmux -L "$SOCK" resize-window -t screen -x 64 -y 20
for _ in $(seq 1 30); do capture; sed -n 20p "$T/screen" | grep -q "q quit" && break; sleep 0.1; done
sed -n 20p "$T/screen" | grep -q "q quit" || fail "not repainted for 20 rows: the key help is not on the last row"
echo "ok: redraws on resize"
tmux -L "$SOCK" send-keys -t screen q
ended
echo "ok: q quits and restores the terminal"
tmux -L "$SOCK" kill-server
# A server of its own: a new session on the socket of one still exiting gets
# "server exited unexpectedly" (seen under load).
SOCK=$SOCK-b
start
wait_for "cp-7k2m9x4qvd" 5
tmux -L "$SOCK" send-keys -t screen C-c
ended
echo "ok: Ctrl-C quits and restores the terminal"
