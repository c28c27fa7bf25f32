#!/usr/bin/env bash
# The Irmds read benchmark (issue 11, Performance): builds a Release cpshared,
# makes an approved supplier through the real CLI, stops the daemon and loads
# history through the store (metrics_load: --clusters clusters with --hours of
# raw samples and their rollups, the first --history-clusters with
# --history-days of rollups), starts the daemon again on that data and runs
# metrics_read_bench as the supplier. docs/PERFORMANCE.md records the figures.
#
#   bench/metrics_read.sh [--clusters 1000] [--hours 24] [--history-clusters 20] [--history-days 7] [--requests 500]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-bench}
clusters=1000 hours=24 history=20 days=7 requests=500
while [ $# -gt 0 ]; do
  case $1 in
    --clusters) clusters=$2 ;;
    --hours) hours=$2 ;;
    --history-clusters) history=$2 ;;
    --history-days) days=$2 ;;
    --requests) requests=$2 ;;
    *) echo "metrics_read.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target cpshare cpshared metrics_load metrics_read_bench >/dev/null

export CPSHARE=$BUILD_DIR/cli/cpshare CPSHARED=$BUILD_DIR/daemon/cpshared CPSHARE_SOURCE_DIR=$SRC
source "$SRC/tests/integration/lib.sh"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier sup 13800138994
TOKEN=$(jq -r '.servers[].token' "$T/cfg/sup/hosts.json")
stop_daemon
"$BUILD_DIR/bench/metrics_load" --db "$DATA/cpshare.db" --owner sup --out "$T/clusters.txt" --clusters "$clusters" \
  --hours "$hours" --history-clusters "$history" --history-days "$days" | tail -1
echo "database: $(du -sh "$DATA" | cut -f1), $(db 'SELECT COUNT(*) FROM metrics_samples') samples," \
  "$(db 'SELECT COUNT(*) FROM metrics_rollups') rollups"
start_daemon
"$BUILD_DIR/bench/metrics_read_bench" --url "$URL" --token "$TOKEN" --clusters-file "$T/clusters.txt" \
  --history-clusters "$history" --requests "$requests"
