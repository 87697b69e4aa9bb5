#!/usr/bin/env bash
# Makes sure the Debian packages the tests need are installed: the real bootloaders and their
# sources (arduino-core-avr), the toolchain that builds the rest (gcc-avr, avr-libc, binutils-avr),
# the reference client (avrdude), the browser for the browser tests (chromium), socat for the
# pseudo-terminal tests of the CLI, and two independent RFC 2217 implementations the RFC 2217
# tests check against: ser2net (a server) and python3-serial (pyserial's rfc2217:// client).
set -euo pipefail
PKGS=(avrdude arduino-core-avr gcc-avr avr-libc binutils-avr chromium socat ser2net python3-serial)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages the tests need: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get is not available. Install these packages (or your system's equivalents) and run the tests again: ${missing[*]}" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "Not root and no sudo: install these Debian packages, then run the tests again: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
