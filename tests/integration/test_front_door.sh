#!/usr/bin/env bash
# The front door holds against slow, idle, greedy and malformed clients (issue 9):
# a private cpshared is attacked from 127.0.0.2 by tests/integration/front_door.py
# (stdlib python, loopback only) while 127.0.0.1 is served. Prints the figures
# (health latency under 500 slow + 200 idle connections, daemon RSS).
# [R-SEC-1] [R-SEC-2]
source "$(dirname "$0")/lib.sh"
PY=$CPSHARE_SOURCE_DIR/tests/integration/front_door.py
port_of() { sed 's/.*://' <<<"$URL"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status"; }

start_daemon
make_admin root
P=$(port_of)
rss_before=$(rss_kib)

step "one address holds at most 32 connections; the 33rd gets 429 RATE_LIMITED with Retry-After at once"
python3 "$PY" "$P" cap 32

step "500 slow (a byte every 2 s) and 200 idle connections from 127.0.0.2: health and a logged-in list answer within 1 s"
python3 "$PY" "$P" attack 15 500 200 "CPSHARE_CONFIG_DIR=$T/cfg/root $CPSHARE list --json >/dev/null"

step "Content-Length: 100000000000 gets 413 at once, without the body being read"
python3 "$PY" "$P" huge-length

step "a chunked body of 256 MiB gets 413 once 8 MiB are read"
python3 "$PY" "$P" chunked-flood 256

step "a negative chunk size gets 400 and Transfer-Encoding: gzip 501, at once"
python3 "$PY" "$P" bad-chunk
python3 "$PY" "$P" te-gzip

step "pipelined requests in one write are answered in order"
python3 "$PY" "$P" pipeline

step "a request that cannot be read closes its connection: nothing after it is read as a request"
python3 "$PY" "$P" unreadable

step "a Range of 2,600 ranges on /api/v1/openapi.yaml gets one plain 200"
python3 "$PY" "$P" range 2600

step "headers trickled past the 10 s deadline get 408"
python3 "$PY" "$P" trickle 10

python3 "$PY" "$P" health >/dev/null || fail "the daemon does not answer after the attacks"
echo "daemon RSS: $((rss_before / 1024)) MiB before the attacks, $(($(rss_kib) / 1024)) MiB after"
grep -q "refused .* connection(s) over the cap of 32 per address" "$T/daemon.log" ||
  fail "the log does not report the refused connections"
stop_daemon

step "--max-connections-per-address is capped at half of --threads; TLS holds the same guards"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
rm -f "$DATA/cpshared.addr"
"$CPSHARED" --data-dir "$DATA" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
  --threads 24 --max-connections-per-address 100 --log-file "$T/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 1 100); do [ -s "$DATA/cpshared.addr" ] && break; sleep 0.05; done
URL=$(cat "$DATA/cpshared.addr")
P=$(port_of)
TLS=(--tls "$T/cert.pem")
python3 "$PY" "${TLS[@]}" "$P" cap 12
python3 "$PY" "${TLS[@]}" "$P" attack 12 300 200
python3 "$PY" "${TLS[@]}" "$P" huge-length
python3 "$PY" "${TLS[@]}" "$P" chunked-flood 64
python3 "$PY" "${TLS[@]}" "$P" bad-chunk
python3 "$PY" "${TLS[@]}" "$P" pipeline
python3 "$PY" "${TLS[@]}" "$P" range 2600
python3 "$PY" "${TLS[@]}" "$P" trickle 10
stop_daemon
echo "PASS"
