#!/usr/bin/env bash
# The lease benchmark (issue 4): builds a Release cpshared, starts it in a temp
# dir on a free loopback port (durable commits: WAL, synchronous=FULL), makes
# an approved supplier with 8 B-class clusters of 16 units and a user through
# the real CLI, then runs leases_bench: lease create + release pairs from 32
# concurrent clients. docs/PERFORMANCE.md records the figures.
#
#   bench/leases.sh [leases_bench args...]     e.g. --clients 32 --seconds 10
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-bench}
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target cpshare cpshared leases_bench >/dev/null

export CPSHARE=$BUILD_DIR/cli/cpshare CPSHARED=$BUILD_DIR/daemon/cpshared CPSHARE_SOURCE_DIR=$SRC
source "$SRC/tests/integration/lib.sh"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# Throughput, not the front door: --clients may exceed the per-address cap.
start_daemon --threads 96 --max-connections-per-address 0
make_admin root
make_pdf "$T/l.pdf"
make_supplier sup 13800138998
make_user user 13800138997
clusters=
for _ in $(seq 1 8); do
  id=$(as sup --json publish --class B --resource-type GPU --model 'A100 80GB' --units 16 --unit-memory 80GB \
    --memory 1TB --vcpus 128 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
    --platform-url https://platform.example.org --environment pytorch | jq -r .cluster.cpc_id)
  clusters=${clusters:+$clusters,}$id
done
TOKEN=$(jq -r '.servers[].token' "$T/cfg/user/hosts.json")
"$BUILD_DIR/bench/leases_bench" --url "$URL" --token "$TOKEN" --clusters "$clusters" "$@"
echo "ledger rows: $(db 'SELECT COUNT(*) FROM ledger'), leases: $(db 'SELECT COUNT(*) FROM leases')," \
  "integrity: $(db 'PRAGMA integrity_check')"
