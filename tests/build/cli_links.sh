#!/usr/bin/env bash
# The cpshare CLI links only the layers it needs (issue 10, point 7; lib/CMakeLists.txt):
# its dynamic section names no SQLite, libssh or liboath. Fails naming each one it finds.
#   tests/build/cli_links.sh path/to/cpshare
set -euo pipefail
binary=${1:?usage: cli_links.sh path/to/cpshare}
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -z "$needed" ]; then
  echo "FAIL: readelf -d $binary lists no NEEDED libraries (not a dynamic executable?)" >&2
  exit 1
fi
echo "$binary needs: $(echo $needed)"
status=0
for lib in libsqlite3 libssh liboath; do
  if grep -q "^$lib\." <<<"$needed"; then
    echo "FAIL: $binary links $(grep "^$lib\." <<<"$needed" | head -1); the CLI must not (a layer it links pulls it in: lib/CMakeLists.txt)" >&2
    status=1
  fi
done
exit $status
