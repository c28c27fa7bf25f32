#!/usr/bin/env bash
# Result is [[nodiscard]] as GCC enforces it (issue 10, point 8; lib/util/error.hpp):
# result_nodiscard.cpp compiles as it is, and fails to compile under -Werror when it
# drops a Result<> or a Result<int>, with GCC's "ignoring returned value" diagnostic.
#   tests/build/result_nodiscard.sh CXX SOURCE_DIR
set -uo pipefail
cxx=${1:?usage: result_nodiscard.sh CXX SOURCE_DIR}
src=${2:?usage: result_nodiscard.sh CXX SOURCE_DIR}
compile() { LC_ALL=C "$cxx" -std=c++23 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I "$src/lib" "$@" \
  "$src/tests/build/result_nodiscard.cpp" 2>&1; }
status=0
if ! out=$(compile); then
  echo "FAIL: result_nodiscard.cpp does not compile as it is:" >&2
  echo "$out" >&2
  exit 1
fi
for variant in DISCARD_VOID DISCARD_VALUE; do
  if out=$(compile -D$variant); then
    echo "FAIL: with $variant, a dropped Result compiles: Result is not [[nodiscard]] (lib/util/error.hpp)" >&2
    status=1
  elif ! grep -q "ignoring returned value of type 'cpshare::Result<" <<<"$out"; then
    echo "FAIL: with $variant, the compile failed, but not for the dropped Result:" >&2
    echo "$out" >&2
    status=1
  else
    echo "$variant: refused ($(grep -m1 -o "ignoring returned value of type '[^']*'" <<<"$out"))"
  fi
done
exit $status
