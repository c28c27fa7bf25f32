# Shared helpers for the integration tests. Each test script sources this,
# starts its own private cpshared on a free loopback port in a temp dir, and
# drives the real cpshare binary. Nothing outside the temp dir is touched.
set -euo pipefail

: "${CPSHARE:?set CPSHARE to the cpshare binary}"
: "${CPSHARED:?set CPSHARED to the cpshared binary}"
: "${CPSHARE_SOURCE_DIR:?set CPSHARE_SOURCE_DIR to the source tree}"

T=$(mktemp -d "${TMPDIR:-/tmp}/cpshare-it.XXXXXX")
chmod 755 "$T"
DATA=$T/data
URL=
DAEMON_PID=
SINK_PID=
PW='Tr0ub4dor&3x-staple'

cleanup() {
  local rc=$?
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
  if [ $rc -ne 0 ] && [ -f "$T/daemon.log" ]; then
    echo "--- daemon log (last 40 lines)"; tail -n 40 "$T/daemon.log"
  fi
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# start_daemon [extra cpshared flags...]: starts cpshared on ${LISTEN:-127.0.0.1:0}
# (any free port unless LISTEN names one), sets URL.
# The tests' A-class hosts are sshd on 127.0.0.1, which cpshared's default
# networks refuse (issue 12): the tests allow loopback explicitly, with
# --supplier-networks ${SUPPLIER_NETWORKS-127.0.0.0/8,::1/128}. SUPPLIER_NETWORKS=
# (empty) starts the daemon under the default networks (test_supplier_networks.sh).
start_daemon() {
  rm -f "$DATA/cpshared.addr"
  local networks=()
  [ -n "${SUPPLIER_NETWORKS-127.0.0.0/8,::1/128}" ] &&
    networks=(--supplier-networks "${SUPPLIER_NETWORKS-127.0.0.0/8,::1/128}")
  "$CPSHARED" --data-dir "$DATA" --listen "${LISTEN:-127.0.0.1:0}" --log-file "$T/daemon.log" "${networks[@]}" "$@" &
  DAEMON_PID=$!
  for _ in $(seq 1 200); do
    [ -s "$DATA/cpshared.addr" ] && break
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "cpshared exited at start"
    sleep 0.05
  done
  URL=$(cat "$DATA/cpshared.addr")
  curl -sf "$URL/api/v1/health" >/dev/null || fail "cpshared does not answer at $URL"
  export CPSHARE_SERVER=$URL
}

stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=
  return $rc
}

# A free TCP port on 127.0.0.1 (bind to 0, read it back; tiny race accepted).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null && return
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    grep -q ":$p" <<<"$(ss -ltn "( sport = :$p )" 2>/dev/null)" || { echo "$p"; return; }
  done
}

# as WHO cpshare-args...: run cpshare with WHO's own config dir (each actor has its sessions).
as() {
  local who=$1; shift
  mkdir -p "$T/cfg/$who"
  CPSHARE_CONFIG_DIR="$T/cfg/$who" "$CPSHARE" "$@"
}

# expect_error CODE EXIT WHO cpshare-args...: the command fails with exit EXIT and error CODE.
expect_error() {
  local code=$1 exit_expected=$2 who=$3; shift 3
  local out rc=0
  out=$(as "$who" --json "$@" 2>"$T/stderr") || rc=$?
  [ "$rc" = "$exit_expected" ] || fail "cpshare $* exited $rc, expected $exit_expected (output: $out $(cat "$T/stderr"))"
  local got
  got=$(jq -r '.error.code' <<<"$out") || fail "cpshare $* printed no JSON error: $out"
  [ "$got" = "$code" ] || fail "cpshare $* gave $got, expected $code ($out)"
}

# The newest mail sent to ADDR (outbox or smtp-sink dump dir in $MAILDIR).
MAILDIR=
newest_mail_to() {
  local dir=${MAILDIR:-$DATA/outbox}
  local f
  f=$(grep -l -i "^To: .*$1" "$dir"/* 2>/dev/null | xargs -r ls -t | head -n 1)
  [ -n "$f" ] || fail "no mail to $1 in $dir"
  echo "$f"
}
code_for() { grep -a -o '验证码: [0-9]\{6\}' "$(newest_mail_to "$1")" | tail -n 1 | awk '{print $2}'; }
token_for() { grep -a -o 'token=[A-Za-z0-9_-]*' "$(newest_mail_to "$1")" | tail -n 1 | cut -d= -f2; }

db() { sqlite3 "$DATA/cpshare.db" "$@"; }
count_accounts() { db "SELECT COUNT(*) FROM accounts"; }
count_mail() { find "${MAILDIR:-$DATA/outbox}" -type f | wc -l; }

# make_admin NAME: an administrator, logged in as NAME.
make_admin() {
  echo "$PW" | "$CPSHARED" admin create --data-dir "$DATA" --username "$1" --password-stdin >/dev/null
  echo "$PW" | as "$1" login --username "$1" --password-stdin >/dev/null
}

# A minimal valid PDF for licence uploads.
make_pdf() {
  printf '%%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >"$1"
}

# A private OpenSSH sshd for A-class tests: start_sshd runs `sshd -D -f
# $sshd_dir/sshd_config` (the caller writes it, listening on 127.0.0.1:$port)
# and waits until it accepts; stop_sshd ends it. Its output goes to a file: a
# child holding the test's stdout would keep ctest waiting.
SSHD_PID=
start_sshd() {
  /usr/sbin/sshd -D -e -f "$sshd_dir/sshd_config" </dev/null >>"$T/sshd.log" 2>&1 &
  SSHD_PID=$!
  wait_for_port "$port" "$SSHD_PID" sshd "$T/sshd.log"
}
# wait_for_port PORT PID NAME LOG: until PORT on loopback accepts (5 s); fails
# with the end of LOG if process PID exits first.
wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    kill -0 "$2" 2>/dev/null || fail "$3 exited: $(tail -5 "$4")"
    sleep 0.05
  done
  fail "$3 does not accept on port $1"
}
stop_sshd() {
  if [ -n "$SSHD_PID" ]; then
    kill "$SSHD_PID" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null || true
  fi
  SSHD_PID=
}

# make_supplier NAME PHONE / make_user NAME PHONE: an active, logged-in
# individual supplier (approved by the admin "root", see make_admin) or user.
make_supplier() {
  echo "$PW" | as "$1" register --supplier --kind individual --username "$1" --email "$1@example.org" \
    --phone "$2" --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市 \
    --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
  as "$1" activate --username "$1" "$(code_for "$1@example.org")" >/dev/null
  as root admin review approve "$1" >/dev/null
  echo "$PW" | as "$1" login --username "$1" --password-stdin >/dev/null
}
make_user() {
  echo "$PW" | as "$1" register --user-type individual --username "$1" --email "$1@example.org" --phone "$2" \
    --region 深圳 --real-name 李四 --id-number 11010519491231002X --password-stdin --accept-terms >/dev/null
  as "$1" activate --username "$1" "$(code_for "$1@example.org")" >/dev/null
  echo "$PW" | as "$1" login --username "$1" --password-stdin >/dev/null
}
