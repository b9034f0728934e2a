#!/usr/bin/env bash
# Installs Debian's Chromium for the web client's browser test
# (packages/web/test/browser.test.ts drives /usr/bin/chromium headless through
# playwright-core). Playwright's own browser download cannot be used here: only
# the npm and Debian package registries are reachable. Idempotent; needs root
# (CI runs as root). The test setup calls this script when chromium is missing.
set -euo pipefail

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_BIN" ]; then
  echo "[ensure-chromium] $CHROMIUM_BIN already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[ensure-chromium] need root to install chromium (apt-get install chromium)" >&2
  exit 1
fi

echo "[ensure-chromium] installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Fonts: without them headless Chromium renders text (and emoji) as boxes in screenshots.
apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji

[ -x "$CHROMIUM_BIN" ] || { echo "[ensure-chromium] $CHROMIUM_BIN still missing after install" >&2; exit 1; }
echo "[ensure-chromium] done: $("$CHROMIUM_BIN" --version 2>/dev/null || echo chromium)"
