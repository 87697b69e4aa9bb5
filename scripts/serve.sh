#!/usr/bin/env bash
# Installs the dependencies, builds the app and serves it on http://127.0.0.1:4173.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/npm-install.sh
npm run --silent build
exec npx vite preview --host 127.0.0.1 --port 4173 --strictPort
