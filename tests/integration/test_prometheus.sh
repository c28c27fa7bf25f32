#!/usr/bin/env bash
# GET /metrics through the real daemon (issue 11, Build point 7; R-REL-2):
# the platform's counters and a B-class cluster's newest readings in the
# Prometheus text format, checked by promtool (Debian's prometheus package);
# an absent reading is left out, never 0; admins only on the main address;
# --metrics-listen serves the same text without a token on loopback only.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool missing: run scripts/deps.sh"

step "--metrics-listen refuses an address that is not loopback, before anything starts"
set +e
out=$("$CPSHARED" --data-dir "$T/refused" --listen 127.0.0.1:0 --metrics-listen 0.0.0.0:9464 2>&1)
rc=$?
set -e
[ $rc = 2 ] || fail "--metrics-listen 0.0.0.0:9464: exit $rc, want 2: $out"
grep -q -- "--metrics-listen: 0.0.0.0 is not a loopback address" <<<"$out" || fail "message: $out"
[ ! -e "$T/refused/cpshare.db" ] || fail "a refused start created a database"

mport=$(free_port)
start_daemon --metrics-listen "127.0.0.1:$mport"
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138601
make_user alice 13800138602
session() { jq -r '.servers[].token' "$T/cfg/$1/hosts.json"; }
scrape() { curl -s -w '\n%{http_code}' "$URL/metrics" -H "Authorization: Bearer $1"; }
status_of() { tail -n1 <<<"$1"; }
body_of() { head -n -1 <<<"$1"; }

out=$(as acme --json publish --class B --resource-type GPU --model 'RTX 4090' --units 4 --unit-memory 24GB \
  --memory 512GB --vcpus 64 --price-hourly 5 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
  --platform-url https://platform.example.org --environment pytorch)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
agent=$(jq -r .agent_token <<<"$out")

step "who may read it: no token 401, a user 403, an admin 200 as Prometheus text"
r=$(curl -s -w '\n%{http_code}' "$URL/metrics")
[ "$(status_of "$r")" = 401 ] || fail "no token: $r"
r=$(scrape "$(session alice)")
[ "$(status_of "$r")" = 403 ] && [ "$(body_of "$r" | jq -r .error.code)" = FORBIDDEN ] || fail "a user: $r"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$URL/metrics" -H "Authorization: Bearer $(session root)")
[[ $ctype == "text/plain; version=0.0.4"* ]] || fail "Content-Type: $ctype"

step "an agent's report: its GPU readings appear, an absent one is left out, a lost GPU is 1"
at=$(date -u -d '-30 seconds' +%Y-%m-%dT%H:%M:%SZ)
sample=$(cat <<JSON
{"samples":[{"at":"$at","cpu":{"cpus":64,"user":0.5,"nice":0,"system":0.1,"idle":0.4,"iowait":0,"irq":0,"softirq":0,
 "steal":null,"load1":3.5,"load5":3,"load15":2},"memory":{"total_bytes":549755813888,"available_bytes":274877906944},
 "mounts":[],"interfaces":[{"name":"eth0","receive_bytes_total":1000,"transmit_bytes_total":2000,
 "receive_bytes_per_second":null,"transmit_bytes_per_second":5}],"sensors":[],"gpu_source":"nvidia-smi","gpu_error":null,
 "gpus":[{"uuid":"GPU-aa000000-0000-4000-8000-000000000000","index":0,"name":"NVIDIA GeForce RTX 4090","lost":false,
   "utilization_ratio":0.93,"memory_utilization_ratio":0.45,"memory_used_bytes":23068672000,
   "memory_total_bytes":25757220864,"temperature_celsius":null,"power_watts":410.5,"power_limit_watts":450,
   "voltage_volts":null},
  {"uuid":"GPU-aa000001-0000-4000-8000-000000000001","index":1,"name":"NVIDIA GeForce RTX 4090","lost":true,
   "utilization_ratio":null,"memory_utilization_ratio":null,"memory_used_bytes":null,"memory_total_bytes":null,
   "temperature_celsius":null,"power_watts":null,"power_limit_watts":null,"voltage_volts":null}],
 "network":{"probes":3,"latency_seconds":0.002,"loss_ratio":0}}],"dropped":0}
JSON
)
code=$(curl -s -o "$T/post.json" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/metrics" \
  -H "Authorization: Bearer $agent" -H 'Content-Type: application/json' --data-binary "$sample")
[ "$code" = 200 ] || fail "agent post: $code $(cat "$T/post.json")"
curl -s -o /dev/null "$URL/api/v1/no/such/route/$agent"  # unmatched: counted without its path
r=$(scrape "$(session root)")
[ "$(status_of "$r")" = 200 ] || fail "admin scrape: $r"
body_of "$r" >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" || fail "promtool check metrics failed on: $(cat "$T/metrics.txt")"
has() { grep -qxF -- "$1" "$T/metrics.txt" || fail "no line '$1' in: $(cat "$T/metrics.txt")"; }
g0="cluster=\"$cpc\",gpu=\"GPU-aa000000-0000-4000-8000-000000000000\",name=\"NVIDIA GeForce RTX 4090\""
g1="cluster=\"$cpc\",gpu=\"GPU-aa000001-0000-4000-8000-000000000001\",name=\"NVIDIA GeForce RTX 4090\""
has "cpshare_gpu_utilization_ratio{$g0} 0.93"
has "cpshare_gpu_power_watts{$g0} 410.5"
has "cpshare_gpu_lost{$g0} 0"
has "cpshare_gpu_lost{$g1} 1"
has "cpshare_node_network_receive_bytes_total{cluster=\"$cpc\",device=\"eth0\"} 1000"
has "cpshare_cluster_last_report_timestamp_seconds{cluster=\"$cpc\"} $(date -u -d "$at" +%s)"
! grep -q "cpshare_gpu_temperature_celsius{$g0}" "$T/metrics.txt" || fail "an absent temperature was written"
if grep -v '^cpshare_gpu_lost' "$T/metrics.txt" | grep -qF "$g1"; then fail "a lost GPU has readings"; fi
! grep -q "steal" "$T/metrics.txt" || fail "an absent CPU mode was written"

step "the platform's counters: requests by route template, agent reports, leases by state, units"
has "cpshare_agent_reports_total 1"
has 'cpshare_http_requests_total{method="POST",route="/api/v1/clusters/{cpc_id}/metrics",code="200"} 1'
has 'cpshare_http_requests_total{method="GET",route="/metrics",code="403"} 1'
grep -q '^cpshare_http_requests_total{method="-",route="unmatched",code="404"} [1-9]' "$T/metrics.txt" ||
  fail "the unmatched request is not counted"
! grep -q "no/such/route\|$agent" "$T/metrics.txt" || fail "a raw path (with a token) reached the metrics"
has 'cpshare_leases{state="active"} 0'
has 'cpshare_units{class="B",status="idle"} 3'
has 'cpshare_units{class="B",status="offline"} 1'  # the lost GPU's unit (automatic status)
has "cpshare_build_info{version=\"$("$CPSHARED" --version | awk '{print $2}')\"} 1"

step "--metrics-listen: the same families without a token; other paths 404, other methods 405"
curl -s "http://127.0.0.1:$mport/metrics" >"$T/listener.txt"
promtool check metrics <"$T/listener.txt" || fail "promtool on the listener's text"
grep -qxF "cpshare_gpu_utilization_ratio{$g0} 0.93" "$T/listener.txt" || fail "listener: $(cat "$T/listener.txt")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/api/v1/health")" = 404 ] || fail "listener: other path"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$mport/metrics")" = 405 ] ||
  fail "listener: POST"
grep -q "GET /metrics without a token on http://127.0.0.1:$mport/metrics" "$T/daemon.log" || fail "not logged"
stop_daemon || fail "cpshared did not stop cleanly with the metrics listener"
echo "OK"
