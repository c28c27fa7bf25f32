#!/usr/bin/env bash
# The agent's own cost (issue 11, Performance: at most 1 % of a core and 20 MB
# resident at a 10 s interval with 8 GPUs): builds a Release cpshare and
# cpshared, starts the daemon and a B-class cluster, and runs `cpshare agent`
# at --interval (10 s) for --seconds (120) reading this host's real /proc and 8
# GPUs through its NVML path. The GPUs are the tests' stand-in
# libnvidia-ml.so.1 (tests/fake_nvml, built here), since this machine has no
# NVIDIA GPU: the driver's own time inside real NVML calls is not in the figure.
# Prints the agent's CPU time (utime + stime from /proc/PID/stat) over the run
# as a share of one core, and its resident memory (VmRSS, VmHWM).
#
#   bench/agent.sh [--interval SECONDS] [--seconds 120]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-bench}
interval=10 seconds=120
while [ $# -gt 0 ]; do
  case $1 in
    --interval) interval=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "bench/agent.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target cpshare cpshared >/dev/null

export CPSHARE=$BUILD_DIR/cli/cpshare CPSHARED=$BUILD_DIR/daemon/cpshared CPSHARE_SOURCE_DIR=$SRC
source "$SRC/tests/integration/lib.sh"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
mkdir -p "$T/nvml"
g++ -std=c++17 -O2 -shared -fPIC -o "$T/nvml/libnvidia-ml.so.1" "$SRC/tests/fake_nvml/fake_nvml.cpp"
for i in 0 1 2 3 4 5 6 7; do
  echo "gpu $i uuid=GPU-be0c000$i-0000-4000-8000-00000000000$i name=NVIDIA_A100-SXM4-80GB util=9$i memutil=40" \
    "used=40000000000 total=85899345920 temp=6$i power=25000$i limit=400000"
done >"$T/nvml.script"
echo "count 8" >>"$T/nvml.script"

start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier sup 13800138994
out=$(as sup --json publish --class B --resource-type GPU --model 'A100 80GB' --units 8 --unit-memory 80GB \
  --memory 1TB --vcpus 128 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
  --platform-url https://platform.example.org --environment pytorch)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
(umask 077 && jq -r .agent_token <<<"$out" >"$T/agent.token")

LD_LIBRARY_PATH=$T/nvml FAKE_NVML_SCRIPT=$T/nvml.script "$CPSHARE" --server "$URL" agent --cluster "$cpc" \
  --token-file "$T/agent.token" --state-dir "$T/state" --gpu nvml --mount / --interval "$interval" \
  >"$T/agent.log" 2>&1 &
agent=$!
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$agent/stat"; }
sleep 2  # past start-up (reading the token, the first sample)
c0=$(cpu) t0=$(date +%s.%N)
sleep "$seconds"
c1=$(cpu) t1=$(date +%s.%N)
rss=$(awk '/^VmRSS/{print $2}' "/proc/$agent/status") hwm=$(awk '/^VmHWM/{print $2}' "/proc/$agent/status")
kill "$agent"; wait "$agent" 2>/dev/null || true
stored=$(db "SELECT COUNT(*) FROM metrics_samples")
python3 - "$c0" "$c1" "$t0" "$t1" "$tick" "$rss" "$hwm" "$stored" "$interval" <<'PY'
import sys
c0, c1, t0, t1, tick, rss, hwm, stored, interval = sys.argv[1:]
cpu = (int(c1) - int(c0)) / int(tick)
wall = float(t1) - float(t0)
print(f"agent at --interval {interval} with 8 GPUs (NVML stand-in): {cpu:.2f} s CPU over {wall:.0f} s = "
      f"{100 * cpu / wall:.3f} % of a core; resident {int(rss) / 1024:.1f} MB (peak {int(hwm) / 1024:.1f} MB); "
      f"{stored} samples stored")
PY
