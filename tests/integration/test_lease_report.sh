#!/usr/bin/env bash
# The service report of a B-class lease (issue 11, Build point 6): the real daemon, a
# supplier's B-class cluster whose agent's reports are posted here in the agent's shape
# (known GPU utilisation, probe latency and loss; one GPU of the lease missing from the
# reports for two minutes, so the daemon records it lost and back; a silent minute). The
# lease is activated by the agent's access report and its start moved back ten minutes in
# the store (the test's only shortcut, as test_monitor's: a clock shift, so the posted
# minutes fall in its window). Active, its report is pending; after the release and the
# agent's released report, the daemon's scheduler makes it, and `leases show --report`
# gives availability, the lost GPU, utilisation mean and p95 of 1-minute means, latency
# and loss exactly as computed here from the posted samples and the daemon's events. The
# supplier sees the same report; another user and a rival supplier do not see the lease
# (NOT_FOUND, as `leases show`), nor does the cluster's agent token (UNAUTHENTICATED saying
# it is an agent token, as on every user endpoint); an A-class lease and a B-class lease never active have
# none; a lease whose window has no minutes has "-" for its availability. The text reads
# "No service report yet for lease L: <reason>." [R-LEASE-8]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138801
make_supplier rival 13800138802
make_user alice 13800138803
make_user bob 13800138804

out=$(as acme --json publish --class B --resource-type GPU --model 'H800 80GB' --units 3 --unit-memory 80GB \
  --memory 1TB --vcpus 128 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '4TB nvme' \
  --platform-url https://platform.example.org --environment pytorch) || fail "publish B: $out"
cpc=$(jq -r .cluster.cpc_id <<<"$out")
agent=$(jq -r .agent_token <<<"$out")
G0=GPU-7a8b0000-0000-4000-8000-000000000000
G1=GPU-7a8b0001-0000-4000-8000-000000000001

post() { # BODY-FILE
  local r
  r=$(curl -s -w '\n%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/metrics" -H "Authorization: Bearer $agent" \
    -H 'Content-Type: application/json' --data-binary @"$1")
  [ "$(tail -n1 <<<"$r")" = 200 ] || fail "post metrics: $r"
}
agent_post() { # PATH BODY: an agent report on a lease
  local code
  code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/agent/leases/$1" \
    -H "Authorization: Bearer $agent" -H 'Content-Type: application/json' --data-binary "$2")
  [ "$code" = 200 ] || fail "the agent's report $1: $code $(cat "$T/resp")"
}
report() { as "$1" --json leases show "$2" --report; }

# The samples and what the report must say of them (samples.py): minute k of the window
# holds 3 samples, at seconds 30, 40, 50 (the window starts at second 30 of minute 0).
cat >"$T/samples.py" <<'PY'
import json, math, sys, datetime
G0, G1 = "GPU-7a8b0000-0000-4000-8000-000000000000", "GPU-7a8b0001-0000-4000-8000-000000000001"
def at(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def gpu(uuid, index, util):
    return {"uuid": uuid, "index": index, "name": "NVIDIA H800", "lost": False, "utilization_ratio": util,
            "memory_utilization_ratio": None, "memory_used_bytes": None, "memory_total_bytes": None,
            "temperature_celsius": None, "power_watts": None, "power_limit_watts": None, "voltage_volts": None}
def sample(t, gpus, latency, loss):
    return {"at": at(t), "cpu": None, "memory": None, "mounts": [], "interfaces": [], "sensors": [],
            "gpu_source": "nvidia-smi", "gpu_error": None, "gpus": gpus,
            "network": {"probes": 4, "latency_seconds": latency, "loss_ratio": loss}}
U0 = {0: [0.25, 0.5, 0.75], 1: [0.5, 0.5, 0.5], 2: [1.0, 1.0, 0.25], 3: [0.125, 0.125, 0.125], 5: [0.5, 0.75, 1.0],
      6: [1.0, 1.0, 0.25], 7: [0.25, 0.5, 0.25], 8: [0.0, 0.0, 0.375], 9: [0.75, 0.75, 0.75]}
U1 = {k: [0.5, 0.5, 0.25] for k in (0, 1, 2, 3, 5)} | {8: [0.75, 1.0, 1.0], 9: [1.0, 1.0, 0.5]}  # none in 6, 7
def minute_samples(m0, k):
    out = []
    for i, s in enumerate((30, 40, 50)):
        gpus = [gpu(G0, 0, U0[k][i])] + ([gpu(G1, 1, U1[k][i])] if k in U1 else [])
        out.append(sample(m0 + 60 * k + s, gpus, 0.001 * (1 + (k + i) % 4), 0.25 if (k, i) == (3, 1) else 0.0))
    return out
cmd, m0 = sys.argv[1], int(sys.argv[2])
if cmd == "first":  # long before the lease: binds units 0 and 1 to the GPUs; the cluster goes online
    print(json.dumps({"samples": [sample(m0 - 1200, [gpu(G0, 0, 0.0), gpu(G1, 1, 0.0)], 0.001, 0.0)], "dropped": 0}))
elif cmd == "batch":  # minutes ...: minute 4 is silent
    print(json.dumps({"samples": [s for k in map(int, sys.argv[3:]) for s in minute_samples(m0, k)], "dropped": 0}))
else:  # expected: the report's readings, from the samples themselves
    all_ = [s for k in U0 for s in minute_samples(m0, k)]
    reads = [v for k in U0 for v in U0[k]] + [v for k in U1 for v in U1[k]]
    means = sorted([sum(v) / 3 for v in U0.values()] + [sum(v) / 3 for v in U1.values()])
    print(json.dumps({"minutes_reported": len(U0), "mean": sum(reads) / len(reads),
                      "p95": means[math.ceil(0.95 * len(means)) - 1],
                      "latency": sum(s["network"]["latency_seconds"] for s in all_) / len(all_),
                      "loss": sum(s["network"]["loss_ratio"] for s in all_) / len(all_)}))
PY

step "the cluster reports; alice leases units 0 and 1; the agent reports the access: active"
python3 "$T/samples.py" first "$(date -u +%s)" >"$T/first.json"
post "$T/first.json"
lease=$(as alice --json lease "$cpc" --units 2 --billing hourly | jq -r .lease.lease_id)
[ -n "$lease" ] && [ "$lease" != null ] || fail "no lease"
jq -e '.status == "pending" and (.reason | contains("not active yet")) and .report == null' \
  <(report alice "$lease") >/dev/null || fail "a provisioning lease's report: $(report alice "$lease")"
text=$(as alice leases show "$lease" --report)
grep -qx "No service report yet for lease $lease: the lease is [a-z]*, not active yet; its report is made when it ends\." \
  <<<"$text" || fail "a provisioning lease's text: $text"
agent_post "$lease/access" '{"url":"https://platform.example.org/s/1","username":"alice","token":"t0k3n"}'
[ "$(as alice --json leases show "$lease" | jq -r .lease.state)" = active ] || fail "the lease is not active"
started=$(db "SELECT started_at FROM leases WHERE lease_id = '$lease'")
m0=$((started / 60 * 60 - 600))
db "UPDATE leases SET started_at = $((m0 + 30)) WHERE lease_id = '$lease'"

step "the agent's reports: minutes 0-9 of the window, minute 4 silent, GPU 1 missing in minutes 6 and 7"
python3 "$T/samples.py" batch "$m0" 0 1 2 3 5 >"$T/a.json"
python3 "$T/samples.py" batch "$m0" 6 7 >"$T/b.json"
python3 "$T/samples.py" batch "$m0" 8 9 >"$T/c.json"
post "$T/a.json"
post "$T/b.json"  # GPU 1 lost (the newest report lacks it)
sleep 2
post "$T/c.json"  # ... and back
read -r lost_at back_at < <(db "SELECT (SELECT at FROM cluster_events WHERE kind = 'gpu_lost' AND unit = 1),
  (SELECT at FROM cluster_events WHERE kind = 'gpu_returned' AND unit = 1)" | tr '|' ' ')
[ -n "$lost_at" ] && [ -n "$back_at" ] && [ "$back_at" -gt "$lost_at" ] ||
  fail "the daemon recorded no loss and return of GPU 1: $(db "SELECT kind, unit, at FROM cluster_events")"
jq -e '.status == "pending" and (.reason | contains("made when it ends"))' <(report alice "$lease") >/dev/null ||
  fail "an active lease's report: $(report alice "$lease")"

step "release, the agent's released report; the scheduler makes the report"
as alice release "$lease" >/dev/null
jq -e '.status == "pending" and .report == null' <(report acme "$lease") >/dev/null ||
  fail "a just-ended lease's report: $(report acme "$lease")"
agent_post "$lease/released" '{}'
for _ in $(seq 1 60); do
  report alice "$lease" >"$T/report.json"
  jq -e '.status == "ready"' "$T/report.json" >/dev/null && break
  sleep 0.5
done
jq -e '.status == "ready" and .reason == null and .made_at != null' "$T/report.json" >/dev/null ||
  fail "no report 30 s after the end: $(cat "$T/report.json"); log: $(tail -5 "$T/daemon.log")"
[ "$(db "SELECT COUNT(*) FROM lease_reports")" = 1 ] || fail "not one stored report"

step "the report: availability, the lost GPU, utilisation, latency and loss as posted"
ended=$(db "SELECT ended_at FROM leases WHERE lease_id = '$lease'")
python3 "$T/samples.py" expected "$m0" >"$T/expected.json"
python3 - "$T/report.json" "$T/expected.json" "$m0" "$ended" "$lost_at" "$back_at" "$G1" <<'PY' ||
import json, sys, datetime
r = json.load(open(sys.argv[1]))["report"]
x = json.load(open(sys.argv[2]))
m0, ended, lost_at, back_at = map(int, sys.argv[3:7])
def t(s): return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
assert t(r["from"]) == m0 + 30 and t(r["to"]) == ended, (r["from"], r["to"], m0, ended)
minutes = (ended - 1) // 60 - m0 // 60 + 1  # UTC minutes overlapping [from, to)
assert r["minutes"] == minutes, (r["minutes"], minutes)
assert r["minutes_reported"] == x["minutes_reported"] == 9, r
assert abs(r["availability"] - 9 / minutes) < 1e-12, r
assert len(r["gpus_lost"]) == 1, r["gpus_lost"]
g = r["gpus_lost"][0]
assert g["unit"] == 1 and g["uuid"] == sys.argv[7], g
assert t(g["first_lost"]) == lost_at and g["seconds"] == back_at - lost_at, (g, lost_at, back_at)
for key, want in (("gpu_utilization_mean", x["mean"]), ("gpu_utilization_p95", x["p95"]),
                  ("latency_mean_seconds", x["latency"]), ("loss_mean_ratio", x["loss"])):
    assert r[key] is not None and abs(r[key] - want) < 1e-9, (key, r[key], want)
# The data is what this test means it to be: the p95 of 1-minute means (11/12) is below that of
# single readings (1.0); some loss.
assert abs(x["p95"] - 11 / 12) < 1e-12 and x["loss"] > 0, x
PY
  fail "the report: $(cat "$T/report.json"); expected $(cat "$T/expected.json")"
as alice leases show "$lease" --report >"$T/report.txt" || fail "the text report"
cat "$T/report.txt"
grep -q "^Availability: *[0-9.]*% (9 of [0-9]* minutes reported)" "$T/report.txt" &&
  grep -q "^GPUs lost: *unit 1 $G1 since .*, for $((back_at - lost_at)) s" "$T/report.txt" &&
  grep -q "^Utilisation: *mean [0-9.]*%, p95 of 1-minute means 91.7%" "$T/report.txt" &&
  grep -q "^Latency: *[0-9.]* ms" "$T/report.txt" && grep -q "^Loss: *[0-9.]*%" "$T/report.txt" ||
  fail "the text report lacks a line"
[ "$(grep -c -- "$lease" "$T/report.txt")" = 1 ] || fail "the text report names the lease more than once"

step "the supplier sees the same report; another user and a rival supplier do not see the lease"
report acme "$lease" >"$T/supplier.json"
[ "$(jq -S . "$T/supplier.json")" = "$(jq -S . "$T/report.json")" ] || fail "the supplier's report differs"
report root "$lease" | jq -e '.status == "ready"' >/dev/null || fail "the admin does not see the report"
expect_error NOT_FOUND 5 bob leases show "$lease" --report
expect_error NOT_FOUND 5 rival leases show "$lease" --report
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/leases/$lease/report")
[ "$code" = 401 ] || fail "the report without a session: $code"
# The cluster's agent token is no session: every user endpoint says so alike (not "this session has ended").
for path in "leases/$lease/report" me "leases/$lease" clusters; do
  code=$(curl -s -o "$T/agent.json" -w '%{http_code}' -H "Authorization: Bearer $agent" "$URL/api/v1/$path")
  [ "$code" = 401 ] && jq -e '.error.code == "UNAUTHENTICATED" and (.error.message |
    contains("agent token (cpa_…), which only the agent'"'"'s endpoints take") and (contains("ended") | not))' \
    "$T/agent.json" >/dev/null || fail "GET /api/v1/$path with the agent token: $code $(cat "$T/agent.json")"
done
[ "$(jq -r .error.message "$T/agent.json")" = "$(curl -s -H "Authorization: Bearer $agent" "$URL/api/v1/me" |
  jq -r .error.message)" ] || fail "the agent token's answer differs between endpoints"
expect_error NOT_FOUND 5 alice leases show ls-0000000000 --report
expect_error VALIDATION_FAILED 2 alice leases show "$lease" --report --access

step "a B-class lease never active, and an A-class lease, have none"
blease=$(as bob --json lease "$cpc" --units 1 --billing hourly | jq -r .lease.lease_id)
as bob release "$blease" >/dev/null || fail "bob releases his provisioning lease"
report bob "$blease" >"$T/b.json"
jq -e '.status == "none" and (.reason | contains("never became active")) and .report == null' "$T/b.json" >/dev/null ||
  fail "a B-class lease never active: $(cat "$T/b.json")"
out=$(as acme --json publish --class A --resource-type GPU --model 'A100 80GB' --units 2 --unit-memory 80GB \
  --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
  --usage 'conda activate torch' --ssh-host 127.0.0.1 --ssh-port 22 --ssh-user root) || fail "publish A: $out"
alease=$(as alice --json lease "$(jq -r .cluster.cpc_id <<<"$out")" --nodes 1 --billing hourly | jq -r .lease.lease_id)
report alice "$alease" >"$T/a.json"
jq -e '.status == "none" and (.reason | contains("B-class service only (R-LEASE-8)")) and .report == null' \
  "$T/a.json" >/dev/null || fail "an A-class lease: $(cat "$T/a.json")"
as alice leases show "$alease" --report | grep -qx "No service report for lease $alease: the lease is A-class; .*" ||
  fail "the A-class text: $(as alice leases show "$alease" --report)"
text=$(as bob leases show "$blease" --report)
grep -qx "No service report for lease $blease: the lease never became active ([a-z]*): there is no service to evaluate\." \
  <<<"$text" || fail "a B-class lease never active, the text: $text"

step "a lease whose window has no minutes: availability '-', not 0.0% (0 of 0 minutes)"
zlease=$(as alice --json lease "$cpc" --units 1 --billing hourly | jq -r .lease.lease_id)
agent_post "$zlease/access" '{"url":"https://platform.example.org/s/2","username":"alice","token":"t0k3n"}'
as alice release "$zlease" >/dev/null
db "UPDATE leases SET started_at = ended_at WHERE lease_id = '$zlease'"
agent_post "$zlease/released" '{}'
for _ in $(seq 1 60); do
  report alice "$zlease" | jq -e '.status == "ready"' >/dev/null && break
  sleep 0.5
done
report alice "$zlease" | jq -e '.report.minutes == 0 and .report.minutes_reported == 0' >/dev/null ||
  fail "the zero-length lease's report: $(report alice "$zlease")"
as alice leases show "$zlease" --report >"$T/zero.txt" || fail "the zero-length text report"
grep -qx "Availability: - (the window has no minutes)" "$T/zero.txt" && grep -qx "Latency: *-" "$T/zero.txt" &&
  grep -qx "Utilisation: *mean -, p95 of 1-minute means -" "$T/zero.txt" || fail "zero-length report: $(cat "$T/zero.txt")"
grep -q "0\.0%\|0 of 0" "$T/zero.txt" && fail "an average over nothing: $(cat "$T/zero.txt")"
echo "OK"
