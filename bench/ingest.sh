#!/usr/bin/env bash
# The Irmds ingest benchmark (issue 11, Performance): builds a Release
# cpshared, starts it in a temp dir on a free loopback port (durable commits:
# WAL, synchronous=FULL), makes an approved supplier with --clusters B-class
# clusters of 8 units (each with its agent token) and a user through the real
# CLI, then runs ingest_bench: agents' host samples posted from concurrent
# clients while the user lists the catalogue. docs/PERFORMANCE.md records the figures.
#
#   bench/ingest.sh [--clusters N] [ingest_bench args...]   e.g. --clients 16 --seconds 10 --batch 1
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-bench}
nclusters=64
if [ "${1:-}" = --clusters ]; then
  nclusters=$2
  shift 2
fi
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target cpshare cpshared ingest_bench >/dev/null

export CPSHARE=$BUILD_DIR/cli/cpshare CPSHARED=$BUILD_DIR/daemon/cpshared CPSHARE_SOURCE_DIR=$SRC
source "$SRC/tests/integration/lib.sh"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# Throughput, not the front door: clients may exceed the per-address cap.
start_daemon --threads 96 --max-connections-per-address 0
make_admin root
make_pdf "$T/l.pdf"
make_supplier sup 13800138996
make_user user 13800138995
for _ in $(seq 1 "$nclusters"); do
  as sup --json publish --class B --resource-type GPU --model 'A100 80GB' --units 8 --unit-memory 80GB \
    --memory 1TB --vcpus 128 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
    --platform-url https://platform.example.org --environment pytorch | jq -r '"\(.cluster.cpc_id) \(.agent_token)"'
done >"$T/clusters.txt"
TOKEN=$(jq -r '.servers[].token' "$T/cfg/user/hosts.json")
"$BUILD_DIR/bench/ingest_bench" --url "$URL" --clusters-file "$T/clusters.txt" --list-token "$TOKEN" "$@"
echo "stored: $(db 'SELECT COUNT(*) FROM metrics_samples') samples, $(db 'SELECT COUNT(*) FROM metrics_rollups') rollups;" \
  "database $(du -h "$DATA/cpshare.db" | cut -f1), integrity: $(db 'PRAGMA integrity_check')"
