#!/usr/bin/env bash
# Runs every test: installs what they need, type-checks, runs the unit and emulator-backed
# protocol tests (vitest), then the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/debian-deps.sh
bash scripts/npm-install.sh
echo "== type check"
npm run --silent typecheck
echo "== unit and emulator tests"
npx vitest run
if [ -f test/e2e/run.ts ]; then
  echo "== browser tests"
  npm run --silent test:e2e
fi
