#!/usr/bin/env bash
# Lint docs/openapi.yaml with Redocly CLI's recommended rules, pinned so the
# result does not change under us. recommended-strict is the same rule set
# with every warning raised to an error: the document must lint clean.
# The CLI's version is pinned in package.json / package-lock.json (scripts/deps.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x node_modules/.bin/redocly ] || npm ci --no-audit --no-fund --loglevel=error
exec node_modules/.bin/redocly lint --extends recommended-strict docs/openapi.yaml "$@"
