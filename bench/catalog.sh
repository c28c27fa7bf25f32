#!/usr/bin/env bash
# The catalogue benchmark (issue 3): builds a Release cpshared, starts it in a
# temp dir on a free loopback port, makes an approved supplier through the
# real CLI, then runs catalog_bench against it (publish N clusters, then time
# simple GETs, list and filters). Figures go to stdout; docs/PERFORMANCE.md
# records them.
#
#   bench/catalog.sh [catalog_bench args...]     e.g. --clusters 100000
#
# BUILD_DIR (default build-bench) is the build directory used.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-bench}
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target cpshare cpshared catalog_bench >/dev/null

export CPSHARE=$BUILD_DIR/cli/cpshare CPSHARED=$BUILD_DIR/daemon/cpshared CPSHARE_SOURCE_DIR=$SRC
source "$SRC/tests/integration/lib.sh"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "cpshared $("$CPSHARED" --version | awk '{print $2}'), $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "data dir on $(df -P "$T" | awk 'NR==2 {print $1}')"

start_daemon
make_admin root
make_pdf "$T/l.pdf"
echo "$PW" | as bench register --supplier --kind individual --username bench --email bench@example.org \
  --phone 13800138999 --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市南山区 \
  --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
as bench activate --username bench "$(code_for bench@example.org)" >/dev/null
as root admin review approve bench >/dev/null
echo "$PW" | as bench login --username bench --password-stdin >/dev/null
TOKEN=$(jq -r '.servers[].token' "$T/cfg/bench/hosts.json")

"$BUILD_DIR/bench/catalog_bench" --url "$URL" --token "$TOKEN" "$@"
echo "database: $(du -sh "$DATA" | cut -f1), $(db 'SELECT COUNT(*) FROM clusters') clusters," \
  "$(db 'SELECT COUNT(*) FROM cluster_units') units"
