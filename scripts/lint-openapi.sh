#!/usr/bin/env bash
# Lint docs/openapi.yaml with Redocly CLI's recommended rules, pinned so the
# result does not change under us. recommended-strict is the same rule set
# with every warning raised to an error: the document must lint clean.
# Needs Node.js and npm (npx fetches the CLI on first use).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REDOCLY_VERSION=2.77.0
exec npx --yes "@redocly/cli@${REDOCLY_VERSION}" lint --extends recommended-strict docs/openapi.yaml "$@"
