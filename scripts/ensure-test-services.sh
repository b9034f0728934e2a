#!/usr/bin/env bash
# Runs before `npm test` (pretest): makes sure the system packages the tests
# start for themselves are installed — redis-server and PostgreSQL 15
# (scripts/ci-services.sh), Chromium with Latin, CJK and emoji fonts
# (scripts/ensure-chromium.sh). Installs what is missing with apt-get when
# running as root; otherwise says exactly what is missing and stops, since
# the tests never skip. Idempotent: a second run only checks (well under a second).
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
bash scripts/ci-services.sh || failed+=("redis-server / PostgreSQL 15 (scripts/ci-services.sh)")
bash scripts/ensure-chromium.sh || failed+=("Chromium and fonts (scripts/ensure-chromium.sh)")

if [ ${#failed[@]} -ne 0 ]; then
  echo "" >&2
  echo "[xinbox] npm test needs system packages it could not install:" >&2
  for f in "${failed[@]}"; do echo "  - $f" >&2; done
  echo "[xinbox] the messages above name the packages; install them (Debian: apt-get install ...) or run npm test as root with network access." >&2
  exit 1
fi
