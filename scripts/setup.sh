#!/usr/bin/env bash
# One command for a new machine: install dependencies, build, and start
# cpshared in the foreground on its embedded SQLite store.
#   scripts/setup.sh [DATA_DIR] [HOST:PORT]     (defaults: ./var/cpshared, 127.0.0.1:7878)
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-var/cpshared}
listen=${2:-127.0.0.1:7878}
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)"
echo "cpshare built: build/cli/cpshare, build/daemon/cpshared"
echo "create an administrator with:"
echo "  build/daemon/cpshared admin create --data-dir $data_dir --username admin --password-stdin"
echo "starting cpshared on $listen (data in $data_dir; mail goes to $data_dir/outbox/); Ctrl-C stops it"
exec build/daemon/cpshared --data-dir "$data_dir" --listen "$listen"
