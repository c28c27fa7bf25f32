#!/usr/bin/env bash
# The documented internet deployment works as documented: Debian's nginx runs
# docs/deploy/nginx.conf itself (only ports and certificate paths replaced) in
# front of a private cpshared --trusted-proxy 127.0.0.1, and the real cpshare
# goes through it over HTTPS. The daemon sees each client's own address (the
# request log, the audit log, the login throttle), not nginx's, and a client
# cannot forge it; nginx refuses oversized bodies, rate-limits per address in
# the cpshare error envelope, and holds slow clients itself.
# Clients take distinct loopback source addresses (curl --interface 127.0.0.N)
# so that they differ from nginx's own 127.0.0.1. [R-SEC-4] [R-SEC-2]
source "$(dirname "$0")/lib.sh"

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  echo "SKIP: nginx is not installed (Debian: apt-get install nginx; scripts/deps.sh installs it)"
  exit 0
fi
CONF=$CPSHARE_SOURCE_DIR/docs/deploy/nginx.conf
N=$T/nginx
NGINX_PID=
SLOW_PID=
stop_nginx() {
  [ -n "$SLOW_PID" ] && kill "$SLOW_PID" 2>/dev/null
  if [ -n "$NGINX_PID" ]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  fi
  if [ $rc_at_exit -ne 0 ] && [ -f "$N/error.log" ]; then
    echo "--- nginx error log (last 20 lines)"; tail -n 20 "$N/error.log"
  fi
  return 0
}
rc_at_exit=0
# lib.sh's cleanup (the daemon, the temp dir) reads the exit status from $?.
trap 'rc_at_exit=$?; set +e; stop_nginx; (exit $rc_at_exit); cleanup' EXIT

step "--trusted-proxy refuses what is not an address or network, naming the flag"
for bad in localhost 10.0.0.1/8 0.0.0.0/0; do
  rc=0
  "$CPSHARED" --data-dir "$T/refused" --trusted-proxy 127.0.0.1 --trusted-proxy "$bad" 2>"$T/err" || rc=$?
  [ $rc = 2 ] || fail "--trusted-proxy $bad: exit $rc, expected 2"
  grep -q -- "--trusted-proxy: \"$bad\"" "$T/err" || fail "--trusted-proxy $bad: the refusal does not name it: $(cat "$T/err")"
  [ ! -e "$T/refused" ] || fail "--trusted-proxy $bad: a data directory was created before the refusal"
done

step "cpshared on loopback, trusting the proxy on 127.0.0.1"
start_daemon --trusted-proxy 127.0.0.1
DPORT=${URL##*:}

step "nginx from docs/deploy/nginx.conf: TLS on a free port, proxying to this cpshared"
mkdir -p "$N/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$N/tls/privkey.pem" -out "$N/tls/fullchain.pem" 2>/dev/null
NPORT=$(free_port)
# Replace only what is the site's own: the listen port (no IPv6 listener in a
# test sandbox), cpshared's port and the certificate directory.
sed -e "s|^\( *\)listen 443 ssl http2;|\1listen 127.0.0.1:$NPORT ssl http2;|" \
    -e '/^ *listen \[::\]:443 ssl http2;/d' \
    -e "s|server 127\.0\.0\.1:7878;|server 127.0.0.1:$DPORT;|" \
    -e "s|/etc/ssl/cpshare/|$N/tls/|g" "$CONF" >"$N/cpshare.conf"
for want in "listen 127.0.0.1:$NPORT ssl http2;" "server 127.0.0.1:$DPORT;" "ssl_certificate     $N/tls/fullchain.pem;"; do
  grep -qF "$want" "$N/cpshare.conf" || fail "docs/deploy/nginx.conf no longer has the line this test adapts ($want)"
done
[ "$(grep -cE '^\s*listen ' "$N/cpshare.conf")" = 1 ] || fail "the site listens on more than the test's port"
# Debian's /etc/nginx/nginx.conf, reduced to what the site needs, with every
# path in the temp dir (nginx runs unprivileged, or as root in CI).
user_line=
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$N/nginx.conf" <<EOF
$user_line
worker_processes 1;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $N/access.log;
  client_body_temp_path $N/body;
  proxy_temp_path $N/proxy;
  fastcgi_temp_path $N/fastcgi;
  uwsgi_temp_path $N/uwsgi;
  scgi_temp_path $N/scgi;
  include $N/cpshare.conf;
}
EOF
"$NGINX" -p "$N" -c "$N/nginx.conf" -e "$N/error.log" -t >"$N/t.out" 2>&1 ||
  fail "nginx -t refuses the documented configuration: $(cat "$N/t.out")"
"$NGINX" -p "$N" -c "$N/nginx.conf" -e "$N/error.log" -g "daemon off; pid $N/nginx.pid;" </dev/null >>"$N/stdout.log" 2>&1 &
NGINX_PID=$!
wait_for_port "$NPORT" "$NGINX_PID" nginx "$N/error.log"
PROXY=https://127.0.0.1:$NPORT
export CPSHARE_SERVER=$PROXY CPSHARE_CA_FILE=$N/tls/fullchain.pem

# pcurl ADDR [curl args] PATH: a request to nginx from source address ADDR;
# prints the status, the body is in $T/body.
pcurl() {
  local from=$1 path=${*: -1}
  curl -s --interface "$from" --cacert "$N/tls/fullchain.pem" -o "$T/body" -w '%{http_code}' "${@:2:$#-2}" "$PROXY$path"
}
log_has() { grep -qE "$1" "$T/daemon.log"; }

step "the real cpshare through nginx over HTTPS: register, activate, login, list"
as alice --json version | jq -e '.server_version | length > 0' >/dev/null || fail "cpshare version through nginx"
echo "$PW" | as alice --json register --user-type individual --username alice --email alice@example.org \
  --phone 13800138000 --region 深圳 --real-name 张三 --id-number 11010519491231002X --password-stdin \
  --accept-terms | jq -e '.account.status == "inactive"' >/dev/null || fail "register through nginx"
as alice --json activate --username alice "$(code_for alice@example.org)" |
  jq -e '.account.status == "active"' >/dev/null || fail "activate through nginx"
echo "$PW" | as alice login --username alice --password-stdin >/dev/null || fail "login through nginx"
as alice --json whoami | jq -e '.account.username == "alice"' >/dev/null || fail "whoami through nginx"
as alice --json list | jq -e '.items == []' >/dev/null || fail "list through nginx: $(as alice --json list)"
# The CLI connects from 127.0.0.1, which is also nginx's address: its login is
# recorded under the address nginx forwarded.
[ "$(db "SELECT ip FROM audit_log WHERE event = 'login_succeeded' ORDER BY id DESC LIMIT 1")" = 127.0.0.1 ] ||
  fail "login through nginx audited as $(db "SELECT ip FROM audit_log WHERE event = 'login_succeeded'")"

step "the request log and the audit log show the client's address, not nginx's"
[ "$(pcurl 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.66' /api/v1/health)" = 200 ] || fail "health through nginx"
log_has 'GET /api/v1/health 200 .*127\.0\.0\.2' || fail "the request log does not show 127.0.0.2: $(tail -n 3 "$T/daemon.log")"
[ "$(pcurl 127.0.0.2 /api/v1/no-such-route)" = 404 ] || fail "an unknown route through nginx"
log_has 'GET /api/v1/no-such-route 404 .*127\.0\.0\.2' || fail "the error log line does not show 127.0.0.2"
# nginx replaces the client's own X-Forwarded-For, so it cannot choose its address.
log_has '203\.0\.113\.66' && fail "a client-sent X-Forwarded-For reached the log through nginx"
[ "$(pcurl 127.0.0.3 -X POST -H 'Content-Type: application/json' \
      -d "{\"login\":\"alice\",\"password\":\"$PW\"}" /api/v1/sessions)" = 201 ] || fail "login from 127.0.0.3: $(cat "$T/body")"
[ "$(db "SELECT ip FROM audit_log WHERE event = 'login_succeeded' ORDER BY id DESC LIMIT 1")" = 127.0.0.3 ] ||
  fail "the audit log does not record 127.0.0.3"

step "X-Forwarded-For from a peer that is not a trusted proxy is ignored"
[ "$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 198.51.100.77' \
      "$URL/api/v1/direct-probe")" = 404 ] || fail "direct request"
log_has 'GET /api/v1/direct-probe 404 .*127\.0\.0\.2' || fail "a direct request is not logged under its peer"
log_has '198\.51\.100\.77' && fail "X-Forwarded-For from an untrusted peer was believed"

step "failed logins throttle their own address only, through the proxy"
# Wrong passwords from 127.0.0.2 until cpshared (not nginx) throttles with at
# least 3 s to wait; a 1-2 s wait is sat out so the delay grows.
throttled=
for _ in $(seq 1 20); do
  st=$(pcurl 127.0.0.2 -X POST -H 'Content-Type: application/json' \
         -d '{"login":"alice","password":"wrong password 1"}' /api/v1/sessions)
  if [ "$st" = 429 ]; then
    wait_s=$(jq -r '.error.retry_after // 0' "$T/body")
    jq -e '.error.message | test("too many requests or connections") | not' "$T/body" >/dev/null || fail "nginx, not cpshared, throttled: $(cat "$T/body")"
    [ "$wait_s" -ge 3 ] && { throttled=1; break; }
    sleep "$wait_s"
  else
    [ "$st" = 401 ] || fail "wrong password from 127.0.0.2: HTTP $st $(cat "$T/body")"
  fi
done
[ -n "$throttled" ] || fail "20 wrong passwords from 127.0.0.2 were never throttled"
st=$(pcurl 127.0.0.2 -X POST -H 'Content-Type: application/json' -d "{\"login\":\"alice\",\"password\":\"$PW\"}" /api/v1/sessions)
[ "$st" = 429 ] || fail "the throttled address logged in at once (HTTP $st)"
st=$(pcurl 127.0.0.4 -X POST -H 'Content-Type: application/json' -d "{\"login\":\"alice\",\"password\":\"$PW\"}" /api/v1/sessions)
[ "$st" = 201 ] || fail "another client address is throttled too: HTTP $st $(cat "$T/body")"
echo "$PW" | as alice login --username alice --password-stdin >/dev/null || fail "cpshare login from 127.0.0.1 was throttled"
[ "$(db "SELECT COUNT(*) FROM audit_log WHERE event = 'login_failed' AND ip = '127.0.0.2'")" -ge 5 ] ||
  fail "the failed logins are not audited under 127.0.0.2"
[ "$(db "SELECT COUNT(*) FROM audit_log WHERE event = 'login_failed' AND ip <> '127.0.0.2'")" = 0 ] ||
  fail "failed logins audited under another address"

step "a body over 8 MiB is refused by nginx (Content-Length and chunked), never reaching cpshared"
head -c $((8 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T/big.json"
st=$(pcurl 127.0.0.5 --http1.1 -X POST -H 'Content-Type: application/json' --data-binary "@$T/big.json" /api/v1/users)
[ "$st" = 413 ] || fail "a 8 MiB + 1 byte body: HTTP $st"
jq -e '.error.code == "PAYLOAD_TOO_LARGE"' "$T/body" >/dev/null || fail "413 not in the envelope: $(head -c 300 "$T/body")"
st=$(pcurl 127.0.0.5 --http1.1 -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
       --data-binary "@$T/big.json" /api/v1/users)
[ "$st" = 413 ] || fail "a chunked 8 MiB + 1 byte body: HTTP $st"
log_has '127\.0\.0\.5' && fail "an oversized body reached cpshared"

step "nginx rate-limits logins per client address, in the error envelope"
limited=0
for _ in $(seq 1 40); do
  st=$(pcurl 127.0.0.6 -X POST -H 'Content-Type: application/json' -d '{}' /api/v1/activate)
  if [ "$st" = 429 ]; then limited=1; break; fi
  case $st in 400 | 422) ;; *) fail "an empty activation: HTTP $st $(cat "$T/body")" ;; esac
done
[ $limited = 1 ] || fail "40 activations in a burst from one address were not limited"
jq -e '.error.code == "RATE_LIMITED" and .error.retry_after == 1' "$T/body" >/dev/null ||
  fail "nginx's 429 is not in the envelope: $(cat "$T/body")"
st=$(pcurl 127.0.0.7 -X POST -H 'Content-Type: application/json' -d '{}' /api/v1/activate)
[ "$st" != 429 ] || fail "another address was limited too"

step "slow clients wait in nginx: 150 stalled connections, health still answers at once"
python3 - "$NPORT" >"$T/slow.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
held = []
for i in range(150):
    raw = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.8", 0), timeout=5)
    s = ctx.wrap_socket(raw)
    if i % 3 == 0:  # a body that never ends
        s.sendall(b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"user")
    else:           # headers that never end
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    held.append(s)
print("held", len(held), flush=True)
time.sleep(6)
EOF
SLOW_PID=$!
for _ in $(seq 1 100); do grep -q held "$T/slow.out" && break; sleep 0.1; done
grep -q "held 150" "$T/slow.out" || fail "could not open the slow connections: $(cat "$T/slow.out")"
t=$(curl -s --interface 127.0.0.9 --cacert "$N/tls/fullchain.pem" -o /dev/null -w '%{http_code} %{time_total}' \
      "$PROXY/api/v1/health")
[ "${t% *}" = 200 ] || fail "health under slow clients: $t"
awk -v s="${t#* }" 'BEGIN { exit !(s < 1.0) }' || fail "health took ${t#* } s under 150 slow clients"
echo "   health through nginx with 150 stalled connections: ${t#* } s"
log_has '127\.0\.0\.8' && fail "a stalled request reached cpshared"
kill "$SLOW_PID" 2>/dev/null; wait "$SLOW_PID" 2>/dev/null || true
SLOW_PID=

step "cpshared down: nginx answers UNAVAILABLE in the envelope, and cpshare prints it"
stop_daemon
[ "$(pcurl 127.0.0.2 /api/v1/health)" = 503 ] || fail "health with cpshared down: $(cat "$T/body")"
expect_error UNAVAILABLE 1 alice whoami
out=$(as alice --json whoami 2>/dev/null) || true
jq -e '.error.message | test("cpshared behind this proxy is not answering")' <<<"$out" >/dev/null ||
  fail "cpshare does not pass nginx's message on: $out"

echo "PASS"
