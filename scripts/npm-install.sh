#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile.
# `npm ci` first (exact lockfile); if the registry lacks an optional platform binary that a
# lockfile made on another OS names (rollup's, for one), fall back to `npm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then
  exit 0
fi
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
if ! npm ci --no-audit --no-fund; then
  echo "npm ci failed; retrying with npm install (tolerates optional binaries missing from this registry)" >&2
  npm install --no-audit --no-fund
fi
touch node_modules/.package-lock.json
