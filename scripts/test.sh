#!/usr/bin/env bash
# One command to build and run every test (unit + integration) in BUILD_DIR.
#   scripts/test.sh                 normal build in build-test/
#   scripts/test.sh --sanitize      ASan+UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-test
# Line tables (-g1) are all a failing test's stack trace needs, and build in
# half the time of full debug information.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  # (benchmarks are timed in Release builds; the sanitizer build skips them)
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCPSHARE_SANITIZE=ON -DCPSHARE_BENCH=OFF)
fi
scripts/deps.sh
# A unity build of lib/: these builds start from scratch (CI), where it is fastest.
cmake -S . -B "$build" "${flags[@]}" -DCPSHARE_UNITY=ON -DCPSHARE_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Twice the cores: the integration tests spend most of their time waiting on
# daemons, sshd and the network rather than computing.
cd "$build" && ctest --output-on-failure -j"$(( $(nproc) * 2 ))" --timeout 600
