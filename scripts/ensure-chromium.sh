#!/usr/bin/env bash
# Installs Debian's Chromium and its fonts for the web client's browser test
# (packages/web/test/browser.test.ts drives /usr/bin/chromium headless through
# playwright-core). Playwright's own browser download cannot be used here: only
# the npm and Debian package registries are reachable. Idempotent; needs root
# (CI runs as root). The test setup calls this script when chromium is missing.
set -euo pipefail

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

# Fonts: without them headless Chromium renders Latin text, Chinese and emoji as boxes in screenshots.
FONTS=(fonts-liberation fonts-noto-cjk fonts-noto-color-emoji)
packages=()
[ -x "$CHROMIUM_BIN" ] || packages+=(chromium)
for font in "${FONTS[@]}"; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "install ok installed" || packages+=("$font")
done

if [ ${#packages[@]} -eq 0 ]; then
  echo "[ensure-chromium] $CHROMIUM_BIN and its fonts already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[ensure-chromium] missing: ${packages[*]}; run as root, or: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi

echo "[ensure-chromium] installing: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "[ensure-chromium] apt-get update failed: no network or no Debian mirror reachable; install ${packages[*]} by hand" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${packages[@]}"

[ -x "$CHROMIUM_BIN" ] || { echo "[ensure-chromium] $CHROMIUM_BIN still missing after install" >&2; exit 1; }
echo "[ensure-chromium] done: $("$CHROMIUM_BIN" --version 2>/dev/null || echo chromium)"
