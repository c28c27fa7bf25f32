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

start_daemon --threads 96
make_admin root
make_pdf "$T/l.pdf"
echo "$PW" | as sup register --supplier --kind individual --username sup --email sup@example.org \
  --phone 13800138998 --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市南山区 \
  --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
as sup activate --username sup "$(code_for sup@example.org)" >/dev/null
as root admin review approve sup >/dev/null
echo "$PW" | as sup login --username sup --password-stdin >/dev/null
echo "$PW" | as user register --user-type individual --username user --email user@example.org \
  --phone 13800138997 --region 深圳 --real-name 李四 --id-number 11010519491231002X --password-stdin \
  --accept-terms >/dev/null
as user activate --username user "$(code_for user@example.org)" >/dev/null
echo "$PW" | as user login --username user --password-stdin >/dev/null
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
