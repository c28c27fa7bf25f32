#!/usr/bin/env bash
# cpshare monitor against the real daemon (issue 11, Build point 5): a
# supplier's B-class cluster reports through Irmds (its agent token; samples
# built here in the agent's shape, with a GPU whose readings the driver does
# not give, as under MIG, and a lost GPU, as in
# tests/fixtures/nvidia-smi/gpu-lost.csv). --once shows the GPUs, "-" for the
# absent readings and the lost GPU marked; --json has null, never 0; --since
# reads the minute rollups (hour rollups past 6 h, and says which); a user watches their lease (its GPUs only); a user
# without a lease and a rival supplier are FORBIDDEN; an A-class cluster or
# lease is refused as the specification monitors B-class only; a cluster that
# never reported says so. Then the live view on a real terminal (tmux): it
# draws, keeps the frame and retries while the daemon is down, and quits on q
# with the terminal given back. [R-MON-2] [R-SEC-1]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138701
make_supplier rival 13800138702
make_user alice 13800138703
make_user bob 13800138704

publish_b() {
  as acme --json publish --class B --resource-type GPU --model 'H800 80GB' --units 4 --unit-memory 80GB \
    --memory 1TB --vcpus 128 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '4TB nvme' \
    --platform-url https://platform.example.org --environment pytorch
}
out=$(publish_b)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
agent=$(jq -r .agent_token <<<"$out")
[[ $agent == cpa_* ]] || fail "publish --json gave no agent token: $out"
G0=GPU-7a8b0000-0000-4000-8000-000000000000
G1=GPU-7a8b0001-0000-4000-8000-000000000001
G2=GPU-7a8b0003-0000-4000-8000-000000000003

# sample EPOCH UTIL: GPU 0 reads everything; GPU 1 gives no utilisation,
# temperature, power nor voltage (absent, as nvidia-smi's [N/A]); GPU 2 is lost.
sample() {
  cat <<JSON
{"at":"$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)",
 "cpu":{"cpus":128,"user":0.5,"nice":0,"system":0.1,"idle":0.4,"iowait":0,"irq":0,"softirq":0,"steal":null,
  "load1":7.5,"load5":7,"load15":6},"memory":{"total_bytes":1000000000000,"available_bytes":250000000000},
 "mounts":[],"interfaces":[{"name":"eth0","receive_bytes_total":10,"transmit_bytes_total":20,
  "receive_bytes_per_second":125000000,"transmit_bytes_per_second":null}],"sensors":[],
 "gpu_source":"nvidia-smi","gpu_error":null,
 "gpus":[{"uuid":"$G0","index":0,"name":"NVIDIA H800","lost":false,"utilization_ratio":$2,
   "memory_utilization_ratio":0.51,"memory_used_bytes":73400320000,"memory_total_bytes":85520809984,
   "temperature_celsius":63,"power_watts":512.5,"power_limit_watts":700,"voltage_volts":0.875},
  {"uuid":"$G1","index":1,"name":"NVIDIA H800","lost":false,"utilization_ratio":null,
   "memory_utilization_ratio":null,"memory_used_bytes":8609857536,"memory_total_bytes":85520809984,
   "temperature_celsius":null,"power_watts":null,"power_limit_watts":null,"voltage_volts":null},
  {"uuid":"$G2","index":3,"name":null,"lost":true,"utilization_ratio":null,"memory_utilization_ratio":null,
   "memory_used_bytes":null,"memory_total_bytes":null,"temperature_celsius":null,"power_watts":null,
   "power_limit_watts":null,"voltage_volts":null}],
 "network":{"probes":3,"latency_seconds":0.0042,"loss_ratio":0}}
JSON
}
post() { # TOKEN CPC BODY
  local r
  r=$(curl -s -w '\n%{http_code}' -X POST "$URL/api/v1/clusters/$2/metrics" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary "$3")
  [ "$(tail -n1 <<<"$r")" = 200 ] || fail "post metrics: $r"
}
now=$(date -u +%s)
# Two readings 50 and 40 minutes ago (history only: older than the 10 minutes --once reads raw), then three recent.
post "$agent" "$cpc" "{\"samples\":[$(sample $((now - 3000)) 0.1),$(sample $((now - 2400)) 0.2)],\"dropped\":0}"
post "$agent" "$cpc" "{\"samples\":[$(sample $((now - 240)) 0.5),$(sample $((now - 120)) 0.7),$(sample $((now - 30)) 0.93)],\"dropped\":0}"

line_of() { grep -F -- "$1" "$2" || fail "no line with '$1' in: $(cat "$2")"; }

step "--once: the GPUs, '-' for the readings not given (never 0), the lost GPU marked, the host, the report's age"
as acme monitor "$cpc" --once >"$T/once" || fail "monitor --once: $(cat "$T/once")"
cat "$T/once"
head -n1 "$T/once" | grep -qE "^$cpc  online  last report [0-9]+ s ago$" || fail "header: $(head -n1 "$T/once")"
l0=$(line_of "GPU  0" "$T/once")
grep -q "93%" <<<"$l0" && grep -q "63 °C" <<<"$l0" && grep -q "512 W" <<<"$l0" && grep -q "0.875 V" <<<"$l0" ||
  fail "GPU 0's readings: $l0"
l1=$(line_of "GPU  1" "$T/once")
grep -qE "^GPU  1  \[ +\]    -  mem" <<<"$l1" || fail "GPU 1's utilisation is not '-': $l1"
grep -qE "0%|0 °C|0 W|0\.000 V" <<<"$l1" && fail "GPU 1 shows a 0 for a reading it did not give: $l1"
grep -qE -- "-  +-  +-" <<<"$l1" || fail "GPU 1's temperature, power, voltage are not '-': $l1"
grep -q "GPU  3  $G2  掉卡 LOST" "$T/once" || fail "the lost GPU is not marked"
grep -q "CPU .* 60%  load 7.50 7.00 6.00  (128 CPUs)" "$T/once" || fail "no CPU line"
grep -q "Net     eth0 .*rx .*125 MB/s  tx            -" "$T/once" || fail "no network line"
grep -q "Path    latency 4.2 ms  loss 0%  (3 probes)" "$T/once" || fail "no latency line"
# Off a terminal the command never goes full-screen, even without --once.
as acme monitor "$cpc" </dev/null >"$T/plain" || fail "monitor off a terminal"
grep -q "掉卡 LOST" "$T/plain" || fail "off a terminal: not the snapshot: $(cat "$T/plain")"

step "--json: the MetricsView; a reading not given is null, not 0"
as acme --json monitor "$cpc" >"$T/json" || fail "monitor --json: $(cat "$T/json")"
python3 - "$T/json" "$G0" "$G1" "$G2" <<'PY' || fail "monitor --json: $(cat "$T/json")"
import json, sys
v = json.load(open(sys.argv[1]))
g0, g1, g2 = sys.argv[2:5]
assert v["resolution"] == "raw" and v["last_report"], v
assert len(v["samples"]) == 3, len(v["samples"])  # the last 10 minutes
last = {g["uuid"]: g for g in v["samples"][-1]["gpus"]}
assert last[g0]["utilization_ratio"] == 0.93 and last[g0]["voltage_volts"] == 0.875
for k in ("utilization_ratio", "temperature_celsius", "power_watts", "voltage_volts"):
    assert last[g1].get(k) is None, (k, last[g1].get(k))
assert last[g2]["lost"] is True and last[g2].get("utilization_ratio") is None
assert [u["gpu_uuid"] for u in v["units"]][:3] == [g0, g1, g2], v["units"]
PY

step "--since 1h: the history from the minute rollups (table with --once, rollups with --json)"
as acme monitor "$cpc" --since 1h --once >"$T/since" || fail "--since --once: $(cat "$T/since")"
cat "$T/since"
grep -q "History  last 1 h, minute rollups: 5 of 60 minutes with reports" "$T/since" || fail "history: $(cat "$T/since")"
u=$(line_of "GPU-7a8b0000… utilisation" "$T/since")
grep -qE "10% +49% +93%" <<<"$u" || fail "GPU 0's utilisation over the hour: $u"
grep -q "GPU-7a8b0001… utilisation" "$T/since" && fail "GPU 1 gave no utilisation, yet it has a row"
as acme --json monitor "$cpc" --since 1h >"$T/since.json" || fail "--since --json"
python3 - "$T/since.json" "$G0" "$G1" <<'PY' || fail "--since --json: $(head -c 2000 "$T/since.json")"
import json, sys
v = json.load(open(sys.argv[1]))
g0, g1 = sys.argv[2:4]
r = v["rollups"]  # by column: one element per minute in every array
assert v["resolution"] == "minute" and len(r["start"]) == 5 and v["samples"] == [], v
by_key = {s["key"]: s for s in r["readings"]}
u0 = by_key["gpus.%s.utilization_ratio" % g0]
assert (u0["min"][0], u0["mean"][0], u0["max"][0], u0["n"][0]) == (0.1, 0.1, 0.1, 1), u0
assert all(len(s[c]) == 5 for s in r["readings"] for c in ("min", "mean", "max", "n")), r
assert "gpus.%s.utilization_ratio" % g1 not in by_key  # absent, not 0
PY
step "--since 7d: hour rollups, and the header says so (its first hour is the window's partial edge)"
as acme monitor "$cpc" --since 7d --once >"$T/week" || fail "--since 7d --once: $(cat "$T/week")"
grep -q "History  last 7 d, hour rollups: 5 of 10080 minutes with reports" "$T/week" || fail "7d: $(cat "$T/week")"
grep -q "per hour, oldest first" "$T/week" || fail "7d: the sparklines are not per hour: $(cat "$T/week")"
grep -q "minute rollups\|per minute" "$T/week" && fail "7d names minute rollups: $(cat "$T/week")"
[ "$(as acme --json monitor "$cpc" --since 7d | jq -r .resolution)" = hour ] || fail "7d --json: not hour rollups"
expect_error VALIDATION_FAILED 2 acme monitor "$cpc" --since 2y
expect_error VALIDATION_FAILED 2 acme monitor "$cpc" --since 31d
expect_error VALIDATION_FAILED 2 acme monitor "$cpc" --interval 0s
expect_error VALIDATION_FAILED 2 acme monitor nonsense

step "a user without a lease and a rival supplier are FORBIDDEN"
expect_error FORBIDDEN 4 bob monitor "$cpc" --once
expect_error FORBIDDEN 4 rival monitor "$cpc" --once
rc=0; as bob monitor "$cpc" --once >/dev/null 2>"$T/err" || rc=$?
[ $rc = 4 ] && grep -q "FORBIDDEN\|only" "$T/err" || fail "bob: exit $rc, $(cat "$T/err")"

step "a lease: not before it is active; then its window and its units' GPUs only"
out=$(as alice --json lease "$cpc" --units 2 --billing hourly) || fail "lease: $out"
lease=$(jq -r .lease.lease_id <<<"$out")
[ "$(jq -c .lease.units <<<"$out")" = "[0,1]" ] || fail "lease units: $out"
expect_error CONFLICT 1 alice monitor "$lease" --once
# The agent reports the lease's access, as its provision hook would (R-LEASE-6):
# the lease is active from now. Its start is then moved back 45 minutes in the
# store (the test's only shortcut: a clock shift), so that the samples posted
# above, which are minutes old, fall within its window.
code=$(curl -s -o "$T/access.json" -w '%{http_code}' -X POST \
  "$URL/api/v1/clusters/$cpc/agent/leases/$lease/access" -H "Authorization: Bearer $agent" \
  -H 'Content-Type: application/json' \
  --data-binary '{"url":"https://platform.example.org/s/1","username":"alice","token":"t0k3n-0f-the-platform"}')
[ "$code" = 200 ] || fail "the agent's access report: $code $(cat "$T/access.json")"
[ "$(as alice --json leases show "$lease" | jq -r .lease.state)" = active ] || fail "the lease is not active"
db "UPDATE leases SET started_at = $((now - 2700)) WHERE lease_id = '$lease'"
as alice monitor "$lease" --once >"$T/lease" || fail "alice monitors her lease: $(cat "$T/lease")"
cat "$T/lease"
head -n1 "$T/lease" | grep -q "^$cpc · lease $lease  online  last report" || fail "lease header: $(head -n1 "$T/lease")"
grep -q "GPU  0" "$T/lease" && grep -q "GPU  1" "$T/lease" || fail "the lease's GPUs are not shown"
grep -q "$G2" "$T/lease" && fail "a GPU of another unit is shown on the lease"
as alice --json monitor "$lease" --since 1h >"$T/lease.json" || fail "lease --json"
python3 - "$T/lease.json" "$G2" "$((now - 2700))" <<'PY' || fail "lease --json: $(head -c 2000 "$T/lease.json")"
import json, sys, datetime
v = json.load(open(sys.argv[1]))
g2, start = sys.argv[2], int(sys.argv[3])
assert [u["index"] for u in v["units"]] == [0, 1], v["units"]
minutes = [datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
           for t in v["rollups"]["start"]]
assert len(minutes) == 4 and all(m + 60 > start for m in minutes), minutes  # 50 min ago is before the lease
assert not any(g2 in s["key"] for s in v["rollups"]["readings"]), "another unit's GPU in the lease's rollups"
PY
as alice monitor "$cpc" --once >"$T/alice-cluster" || fail "alice monitors the cluster she leases"
# Another user's lease is not shown to bob at all (the lease endpoint hides it).
expect_error NOT_FOUND 5 bob monitor "$lease" --once
as acme monitor "$lease" --once | grep -q "GPU  1" || fail "the supplier monitors a lease of theirs"

step "A-class: the specification monitors B-class clusters only"
out=$(as acme --json publish --class A --resource-type GPU --model 'A100 80GB' --units 2 --unit-memory 80GB \
  --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
  --usage 'conda activate torch' --ssh-host 127.0.0.1 --ssh-port 22 --ssh-user root) || fail "publish A: $out"
acpc=$(jq -r .cluster.cpc_id <<<"$out")
for who in acme alice; do
  rc=0; as "$who" --json monitor "$acpc" >"$T/a" 2>&1 || rc=$?
  [ $rc = 2 ] && jq -e '.error.code == "VALIDATION_FAILED" and (.error.message | test("A-class.*B-class clusters only"))' \
    "$T/a" >/dev/null || fail "$who on an A-class cluster: exit $rc, $(cat "$T/a")"
done
if out=$(as alice --json lease "$acpc" --nodes 1 --billing hourly 2>&1); then
  alease=$(jq -r .lease.lease_id <<<"$out")
  rc=0; as alice monitor "$alease" --once 2>"$T/a" || rc=$?
  [ $rc = 2 ] && grep -q "A-class" "$T/a" || fail "an A-class lease: exit $rc, $(cat "$T/a")"
else
  fail "leasing the A-class cluster: $out"
fi

step "a cluster that has never reported: 'no report yet', empty samples"
out=$(publish_b)
quiet=$(jq -r .cluster.cpc_id <<<"$out")
as acme monitor "$quiet" --once >"$T/quiet" || fail "never reported: not 0"
[ "$(cat "$T/quiet")" = "$quiet  offline  no report yet
No readings in this window." ] || fail "never reported: $(cat "$T/quiet")"
as acme --json monitor "$quiet" | jq -e '.samples == [] and .last_report == null' >/dev/null || fail "never reported --json"

step "live, on a real terminal (tmux): draws, retries while the daemon is down, q quits and restores the terminal"
if ! command -v tmux >/dev/null; then
  echo "SKIP: tmux is not installed (Debian: apt-get install tmux): the live view is not checked"
  exit 77
fi
SOCK=cpshare-monitor-$$
export LANG=C.UTF-8 LC_ALL=C.UTF-8
trap 'rc_live=$?; tmux -L "$SOCK" kill-server 2>/dev/null || true; (exit $rc_live); cleanup' EXIT
screen() { tmux -L "$SOCK" capture-pane -p -t live >"$T/screen"; }
wait_screen() { # TEXT SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    screen
    grep -qF -- "$1" "$T/screen" && return 0
    sleep 0.1
  done
  fail "'$1' did not appear within $2 s; the screen: $(cat "$T/screen")"
}
tmux -L "$SOCK" new-session -d -s live -x 110 -y 30 \
  "TERM=xterm-256color CPSHARE_CONFIG_DIR='$T/cfg/acme' CPSHARE_SERVER='$URL' '$CPSHARE' monitor '$cpc' --interval 1s \
   2>'$T/live.err'; echo \$? >'$T/live.exit'; sleep 60"
wait_screen "last report" 10
grep -q "^GPU  0  \[" "$T/screen" && grep -q "^GPU  1" "$T/screen" || fail "no GPU rows: $(cat "$T/screen")"
grep -q "掉卡 LOST" "$T/screen" || fail "the lost GPU is not marked live"
wait_screen "q quit · every 1 s" 5
echo "ok: draws"
port=${URL##*:}
stop_daemon
wait_screen "q quit · retrying every 1 s · cannot connect to the server" 10
grep -q "^GPU  0" "$T/screen" || fail "the frame was lost while the daemon was down"
LISTEN=127.0.0.1:$port start_daemon
post "$agent" "$cpc" "{\"samples\":[$(sample "$(date -u +%s)" 0.42)],\"dropped\":0}"
wait_screen "42%" 10
wait_screen "q quit · every 1 s" 5
echo "ok: retried while the daemon was down, and shows the new sample"
tmux -L "$SOCK" send-keys -t live q
for _ in $(seq 1 50); do [ -s "$T/live.exit" ] && break; sleep 0.1; done
[ "$(cat "$T/live.exit" 2>/dev/null)" = 0 ] || fail "the live view's exit: $(cat "$T/live.exit" 2>/dev/null) $(cat "$T/live.err")"
[ "$(tmux -L "$SOCK" display -p -t live '#{alternate_on}')" = 0 ] || fail "the terminal was left on the alternate screen"
echo "ok: q quits with 0 and the terminal is restored"
echo "PASS"
