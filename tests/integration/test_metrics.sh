#!/usr/bin/env bash
# Irmds ingest and read-back through the real daemon (issue 11, Build points 1
# and 4): a supplier publishes two B-class clusters, each agent token posts a
# batch for its own cluster only, the owner reads it back (raw and minute
# rollups), a rival supplier and a user without a lease are refused, a
# malformed batch writes nothing, and session and agent tokens are not
# interchangeable. [R-API-IRMDS] [R-MON-1] [R-MON-2] [R-SEC-1]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138501
make_supplier rival 13800138502
make_user alice 13800138503

publish_b() {
  as acme --json publish --class B --resource-type GPU --model 'RTX 4090' --units 8 --unit-memory 24GB \
    --memory 512GB --vcpus 64 --price-hourly 5 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
    --platform-url https://platform.example.org --environment pytorch
}
out=$(publish_b)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
agent=$(jq -r .agent_token <<<"$out")
[[ $agent == cpa_* ]] || fail "publish --json gave no agent token: $out"
out=$(publish_b)
cpc2=$(jq -r .cluster.cpc_id <<<"$out")
agent2=$(jq -r .agent_token <<<"$out")
session() { jq -r '.servers[].token' "$T/cfg/$1/hosts.json"; }

# sample AT UTIL: one host sample with two GPUs (the fixture's UUIDs).
sample() {
  cat <<JSON
{"at":"$1","cpu":{"cpus":64,"user":0.5,"nice":0,"system":0.1,"idle":0.4,"iowait":0,"irq":0,"softirq":0,"steal":null,
 "load1":3.5,"load5":3,"load15":2},"memory":{"total_bytes":549755813888,"available_bytes":274877906944},
 "mounts":[{"path":"/data","used_bytes":100,"total_bytes":1000}],
 "interfaces":[{"name":"eth0","receive_bytes_total":10,"transmit_bytes_total":20,"receive_bytes_per_second":null,"transmit_bytes_per_second":5}],
 "sensors":[{"chip":"coretemp","label":"Package id 0","kind":"temperature","value":55}],
 "gpu_source":"nvidia-smi","gpu_error":null,
 "gpus":[{"uuid":"GPU-9c0d0000-0000-4000-8000-000000000000","index":0,"name":"NVIDIA GeForce RTX 4090","lost":false,
   "utilization_ratio":$2,"memory_utilization_ratio":0.45,"memory_used_bytes":23068672000,"memory_total_bytes":25757220864,
   "temperature_celsius":70,"power_watts":410.1,"power_limit_watts":450,"voltage_volts":null},
  {"uuid":"GPU-9c0d0001-0000-4000-8000-000000000001","index":1,"name":"NVIDIA GeForce RTX 4090","lost":false,
   "utilization_ratio":null,"memory_utilization_ratio":null,"memory_used_bytes":null,"memory_total_bytes":null,
   "temperature_celsius":null,"power_watts":null,"power_limit_watts":null,"voltage_volts":null}],
 "network":{"probes":3,"latency_seconds":0.002,"loss_ratio":0}}
JSON
}
# post TOKEN CPC BODY: prints "STATUS BODY".
post() {
  curl -s -w '\n%{http_code}' -X POST "$URL/api/v1/clusters/$2/metrics" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary "$3"
}
get() { curl -s -w '\n%{http_code}' "$URL/api/v1/clusters/$2/metrics$3" -H "Authorization: Bearer $1"; }
status_of() { tail -n1 <<<"$1"; }
body_of() { head -n -1 <<<"$1"; }
code_of() { head -n -1 <<<"$1" | jq -r .error.code; }

t0=$(date -u -d '-2 minutes' +%s)
minute0=$((t0 - t0 % 60))
at() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
batch="{\"samples\":[$(sample "$(at $minute0)" 0.2),$(sample "$(at $((minute0 + 20)))" 0.6)],\"dropped\":0}"

step "the agent posts a batch; re-sending it is accepted and stores nothing twice"
r=$(post "$agent" "$cpc" "$batch")
[ "$(status_of "$r")" = 200 ] || fail "post: $r"
jq -e '.data.accepted == 2 and .data.cluster_status == "listed"' <<<"$(body_of "$r")" >/dev/null || fail "post: $r"
r=$(post "$agent" "$cpc" "$batch")
jq -e '.data.accepted == 2' <<<"$(body_of "$r")" >/dev/null || fail "re-send: $r"
[ "$(db "SELECT COUNT(*) FROM metrics_samples")" = 2 ] || fail "re-sent samples stored twice"

step "the owner reads it back: samples, rollups, the units' GPUs"
r=$(get "$(session acme)" "$cpc" "?minutes=30")
[ "$(status_of "$r")" = 200 ] || fail "get: $r"
jq -e '(.data.samples | length) == 2 and .data.samples[1].gpus[0].utilization_ratio == 0.6
  and .data.samples[0].gpus[1].temperature_celsius == null and .data.last_report != null
  and .data.units[0].gpu_uuid == "GPU-9c0d0000-0000-4000-8000-000000000000"
  and .data.units[1].gpu_uuid == "GPU-9c0d0001-0000-4000-8000-000000000001" and .data.units[2].gpu_uuid == null' \
  <<<"$(body_of "$r")" >/dev/null || fail "get raw: $(body_of "$r")"
r=$(get "$(session acme)" "$cpc" "?minutes=30&resolution=minute")
# Rollups come by column: one element per bucket; a reading no sample had is not there at all.
jq -e '(.data.rollups.start | length) == 1 and .data.rollups.samples == [2] and .data.rollups.seconds == [60]
  and ([.data.rollups.readings[] | select(.key == "gpus.GPU-9c0d0000-0000-4000-8000-000000000000.utilization_ratio")
       | {min: .min[0], mean: .mean[0], max: .max[0], n: .n[0]}] == [{"min":0.2,"mean":0.4,"max":0.6,"n":2}])
  and ([.data.rollups.readings[] | select(.key == "gpus.GPU-9c0d0001-0000-4000-8000-000000000001.temperature_celsius")] == [])' \
  <<<"$(body_of "$r")" >/dev/null || fail "get minute: $(body_of "$r")"

step "a rival supplier and a user without a lease are FORBIDDEN"
[ "$(code_of "$(get "$(session rival)" "$cpc" "")")" = FORBIDDEN ] || fail "rival read the metrics"
[ "$(code_of "$(get "$(session alice)" "$cpc" "")")" = FORBIDDEN ] || fail "alice read the metrics"

step "tokens: X's agent token for Y is FORBIDDEN; a session token on POST, an agent token elsewhere: UNAUTHENTICATED"
one="{\"samples\":[$(sample "$(at $((minute0 + 40)))" 0.3)],\"dropped\":0}"
[ "$(code_of "$(post "$agent2" "$cpc" "$one")")" = FORBIDDEN ] || fail "cluster 2's token posted for cluster 1"
[ "$(code_of "$(post "$(session acme)" "$cpc" "$one")")" = UNAUTHENTICATED ] || fail "a session token posted"
[ "$(code_of "$(get "$agent" "$cpc" "")")" = UNAUTHENTICATED ] || fail "an agent token read the metrics"
r=$(curl -s "$URL/api/v1/clusters/$cpc/units" -H "Authorization: Bearer $agent")
[ "$(jq -r .error.code <<<"$r")" = UNAUTHENTICATED ] || fail "an agent token listed units: $r"

step "a malformed batch writes nothing"
bad="{\"samples\":[$(sample "$(at $((minute0 + 50)))" 0.3),$(sample "$(at $((minute0 + 55)))" 1.7)],\"dropped\":0}"
r=$(post "$agent" "$cpc" "$bad")
[ "$(status_of "$r")" = 422 ] || fail "bad ratio: $r"
[ "$(body_of "$r" | jq -r '.error.fields[0].field')" = "samples[1].gpus[0].utilization_ratio" ] || fail "bad ratio: $r"
r=$(post "$agent" "$cpc" '{"samples":[{"at":"yesterday"}],"dropped":0}')
[ "$(code_of "$r")" = VALIDATION_FAILED ] || fail "bad shape: $r"
[ "$(db "SELECT COUNT(*) FROM metrics_samples")" = 2 ] || fail "a refused batch wrote samples"

step "ingest rate: batches of 60 samples with 8 GPUs each, one client"
gpu8=$(for i in 0 1 2 3 4 5 6 7; do
  printf '{"uuid":"GPU-9c0d000%d-0000-4000-8000-00000000000%d","index":%d,"name":"RTX 4090","lost":false,"utilization_ratio":0.9,"memory_utilization_ratio":0.4,"memory_used_bytes":1,"memory_total_bytes":2,"temperature_celsius":70,"power_watts":400,"power_limit_watts":450,"voltage_volts":null}' "$i" "$i" "$i"
  [ "$i" = 7 ] || printf ','
done)
base=$((minute0 - 3600))
for b in $(seq 0 19); do
  s=""
  for k in $(seq 0 59); do
    t=$((base + b * 60 + k))
    s+="${s:+,}{\"at\":\"$(at $t)\",\"cpu\":null,\"memory\":null,\"mounts\":[],\"interfaces\":[],\"sensors\":[],\"gpu_source\":\"nvml\",\"gpu_error\":null,\"gpus\":[$gpu8],\"network\":null}"
  done
  echo "{\"samples\":[$s],\"dropped\":0}" >"$T/batch.$b"
done
start=$(date +%s.%N)
for b in $(seq 0 19); do
  r=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc2/metrics" \
    -H "Authorization: Bearer $agent2" -H 'Content-Type: application/json' --data-binary @"$T/batch.$b")
  [ "$r" = 200 ] || fail "bench batch $b: $r"
done
end=$(date +%s.%N)
echo "ingest: 1200 samples (8 GPUs each) in $(echo "$end - $start" | bc) s: $(echo "1200 / ($end - $start)" | bc) samples/s"
[ "$(db "SELECT COUNT(*) FROM metrics_samples WHERE cluster_id = (SELECT id FROM clusters WHERE cpc_id = '$cpc2')")" = 1200 ] ||
  fail "bench samples not all stored"
echo "PASS"
