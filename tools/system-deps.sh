#!/usr/bin/env bash
# Installs what the tests need from Debian's packages when it is missing: Chromium (the browser
# tests drive /usr/bin/chromium; no browser is ever downloaded by a test tool), PostgreSQL (the
# production database; the tests start a throwaway cluster), Node.js/npm (browser libraries come
# from npm). Without root or apt-get it says exactly what to install; with CI=true a missing piece
# is an error, elsewhere the tests that need it report themselves as skipped.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# `tools/system-deps.sh fonts` (make screens): fonts for every script of the catalogs, so the
# screenshots show Devanagari, Bengali and Urdu text instead of empty boxes.
if [ "${1:-}" = "fonts" ]; then
  for lang in ne bn ur ar; do
    [ -n "$(fc-list ":lang=$lang" 2>/dev/null)" ] || { need+=(fonts-noto-core); break; }
  done
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing from Debian's packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Two apt runs at once collide on the dpkg lock; wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

echo "Missing system packages: ${need[*]}" >&2
echo "Install them with: sudo apt-get install ${need[*]}" >&2
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: Chromium and PostgreSQL are mandatory, refusing to continue." >&2
  exit 1
fi
