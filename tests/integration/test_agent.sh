#!/usr/bin/env bash
# cpshare agent against the real daemon (issue 11, Build point 1): it reads this
# machine's real /proc and, for GPUs, tests/fixtures/fake-nvidia-smi (a stand-in
# for NVIDIA hardware, replaying a real 8×H200 capture); the samples arrive in
# Irmds with the units bound to the GPUs' UUIDs; with the daemon killed the agent
# keeps its samples and, once the daemon is back, every sample it read is
# stored. [R-API-IRMDS] [R-MON-1]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138601
out=$(as acme --json publish --class B --resource-type GPU --model 'H200 141GB' --units 8 --unit-memory 141GB \
  --memory 2TB --vcpus 192 --price-hourly 30 --vendor Acme --location 深圳市 --region 深圳 --storage '8TB nvme' \
  --platform-url https://platform.example.org --environment pytorch)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
(umask 077 && jq -r .agent_token <<<"$out" >"$T/agent.token")
owner=$(jq -r '.servers[].token' "$T/cfg/acme/hosts.json")
export PATH="$CPSHARE_SOURCE_DIR/tests/fixtures:$PATH" FAKE_SMI_CASE=h200-8gpu-load.csv
ln -sf "$CPSHARE_SOURCE_DIR/tests/fixtures/fake-nvidia-smi" "$T/nvidia-smi"
export PATH="$T:$PATH"
# agent_with TOKEN-FILE args...; agent args... with the cluster's token.
agent_with() {
  local token=$1; shift
  "$CPSHARE" --server "$URL" agent --cluster "$cpc" --token-file "$token" --state-dir "$T/state" --gpu nvidia-smi \
    --mount / "$@"
}
agent() { agent_with "$T/agent.token" "$@"; }
# In the background: exec, so that $! is cpshare's own PID (a function run with & is a subshell).
agent_bg() {
  exec "$CPSHARE" --server "$URL" agent --cluster "$cpc" --token-file "$T/agent.token" --state-dir "$T/state" \
    --gpu nvidia-smi --mount / "$@"
}

step "bad input: a missing token file, a token that is not an agent token, a bad interval"
rc=0; agent_with "$T/none" --once 2>"$T/err" >/dev/null || rc=$?
[ $rc = 2 ] && grep -q "cannot read --token-file" "$T/err" || fail "missing token file: rc $rc, $(cat "$T/err")"
echo "not-a-token" >"$T/bad.token"; chmod 600 "$T/bad.token"
rc=0; agent_with "$T/bad.token" --once 2>"$T/err" >/dev/null || rc=$?
[ $rc = 2 ] && grep -q "does not hold an agent token" "$T/err" || fail "bad token: rc $rc, $(cat "$T/err")"
rc=0; agent --interval 0 --once 2>"$T/err" >/dev/null || rc=$?
[ $rc = 2 ] && grep -q -- "--interval must be a whole number from 1 to 3600" "$T/err" || fail "interval 0: rc $rc"

step "--once reads the host and 8 GPUs and the daemon stores the sample"
agent --once --json >"$T/once.json" 2>"$T/agent.log" || fail "agent --once failed: $(cat "$T/agent.log")"
jq -e '.gpu_source == "nvidia-smi" and (.gpus | length) == 8 and .gpus[0].power_watts == 627.4
       and .memory.total_bytes > 0 and .mounts[0].path == "/" and .network.probes == 3 and .network.loss_ratio == 0' \
  "$T/once.json" >/dev/null || fail "the sample is not what this host and the capture give: $(cat "$T/once.json")"
got=$(curl -sf "$URL/api/v1/clusters/$cpc/metrics?minutes=10" -H "Authorization: Bearer $owner")
jq -e '(.data.samples | length) == 1 and .data.last_report != null
       and ([.data.units[].gpu_uuid] | index("GPU-1a2b0000-0000-4000-8000-000000000000")) != null' <<<"$got" >/dev/null ||
  fail "the owner does not read back the agent's sample: $got"

step "the daemon is killed while the agent runs: samples wait, and all arrive when it is back"
# The store keeps one sample a cluster a second: a first sample in the --once
# one's second would be taken as the same one, and the count below short by one.
sleep 1
agent_bg --interval 1 2>"$T/run.log" &
agent_pid=$!
sleep 3
port=${URL##*:}
stop_daemon
sleep 4
LISTEN=127.0.0.1:$port start_daemon
sleep 4
kill -TERM $agent_pid
wait $agent_pid || fail "the agent did not stop cleanly on SIGTERM: $(tail -5 "$T/run.log")"
grep -q "sending .* failed" "$T/run.log" || fail "the agent never saw the daemon gone: $(cat "$T/run.log")"
read -r read_n sent_n waiting_n < <(sed -n 's/.*stopped: \([0-9]*\) samples read, \([0-9]*\) sent, \([0-9]*\) waiting.*/\1 \2 \3/p' "$T/run.log")
[ -n "$read_n" ] || fail "no summary in the agent's log: $(tail -3 "$T/run.log")"
stored=$(db "SELECT COUNT(*) FROM metrics_samples s JOIN clusters c ON c.id = s.cluster_id WHERE c.cpc_id = '$cpc'")
echo "agent read $read_n, sent $sent_n, $waiting_n waiting; daemon stored $stored (1 from --once)"
[ "$waiting_n" = 0 ] || fail "$waiting_n samples still waiting after the daemon came back"
[ "$stored" = $((read_n + 1)) ] || fail "stored $stored, expected every sample read ($read_n) plus the --once one"
