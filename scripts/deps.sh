#!/usr/bin/env bash
# Installs the Debian packages cpshare needs to build, test and run.
# Used by scripts/setup.sh and .ci/run; safe to run again.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libcli11-dev libcpp-httplib-dev libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev
  libsodium-dev libssh-dev libcurl4-openssl-dev liboath-dev libssl-dev catch2
  # Unicode NFKC and case folding; time zones (billing calendar) on the system tzdata
  libutf8proc-dev libhowardhinnant-date-dev tzdata
  # the metrics store's samples and rollups, compressed (store/json_codec.hpp)
  libzstd-dev
  # cpshare monitor's live terminal view, and the terminal its test runs it in
  libncurses-dev tmux
  # integration tests: real SMTP listener, real sshd/ssh, JSON and TOTP from the shell
  postfix openssh-server openssh-client sshpass sudo jq oathtool sqlite3 openssl curl python3
  # lease account removal deletes the account's at jobs (tests/ssh/test_provision.cpp queues one)
  at
  # the documented reverse proxy (docs/deploy/nginx.conf), run by test_nginx_proxy.sh
  nginx
  # promtool checks the /metrics text (Prometheus' format and naming conventions)
  prometheus
  # the code's format (.clang-format), checked in CI by scripts/format.sh --check
  clang-format
)
# docs/openapi.yaml lint needs npx; the machine's Node.js may come from elsewhere.
command -v npx >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # postfix asks how to configure itself; we only use its smtp-sink tool.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js development tools pinned by package-lock.json: the OpenAPI linter and
# the response validator the tests use (node_modules/ is not committed).
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
