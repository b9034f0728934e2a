#!/usr/bin/env bash
# Installs the database servers that the adapter tests start for themselves
# (packages/server/test/support/services.ts): redis-server, and PostgreSQL 15
# when its binaries are missing; ffmpeg for the media tests. Idempotent; needs root (CI runs as root).
set -euo pipefail

PG_BIN_DIR="${POSTGRES_BIN_DIR:-/usr/lib/postgresql/15/bin}"
packages=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || packages+=(redis-server)
[ -x "$PG_BIN_DIR/postgres" ] && [ -x "$PG_BIN_DIR/initdb" ] || packages+=(postgresql-15)
# Media tests: video/audio duration and posters (ffprobe, ffmpeg).
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || packages+=(ffmpeg)

if [ ${#packages[@]} -eq 0 ]; then
  echo "[ci-services] redis-server, PostgreSQL 15 and ffmpeg already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[ci-services] missing: ${packages[*]}; run as root, or: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi

echo "[ci-services] installing: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "[ci-services] apt-get update failed: no network or no Debian mirror reachable; install ${packages[*]} by hand" >&2; exit 1; }
# The packages' own services are not started (the tests run their own servers);
# policy-rc.d keeps the postinst scripts from trying.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap 'if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi' EXIT
apt-get install -y -qq --no-install-recommends "${packages[@]}"

command -v redis-server >/dev/null 2>&1 || { echo "[ci-services] redis-server still missing" >&2; exit 1; }
[ -x "$PG_BIN_DIR/postgres" ] || { echo "[ci-services] $PG_BIN_DIR/postgres still missing" >&2; exit 1; }
command -v ffmpeg >/dev/null 2>&1 || { echo "[ci-services] ffmpeg still missing" >&2; exit 1; }
echo "[ci-services] done"
