#!/usr/bin/env bash
# Regenerates the man page and the shell completions from the command table,
# using a built cpshare. tests/unit/test_cli_docs.cpp fails until the committed
# copies match what the table generates.
#
#   scripts/gen-docs.sh [path/to/cpshare]    (default: build/cli/cpshare)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cpshare=${1:-$root/build/cli/cpshare}
if [ ! -x "$cpshare" ]; then
  echo "gen-docs.sh: no cpshare at $cpshare; build it first or pass its path" >&2
  exit 2
fi
"$cpshare" __man > "$root/man/cpshare.1"
"$cpshare" completion bash > "$root/completions/cpshare.bash"
"$cpshare" completion zsh > "$root/completions/_cpshare"
"$cpshare" completion fish > "$root/completions/cpshare.fish"
echo "regenerated man/cpshare.1 and completions/{cpshare.bash,_cpshare,cpshare.fish}"
