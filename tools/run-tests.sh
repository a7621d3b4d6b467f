#!/usr/bin/env bash
# `make test`: every test on SQLite, then everything that touches the server again on
# PostgreSQL. With CI=true a missing Chromium or PostgreSQL fails the run instead of skipping.
# pytest's exit 5 ("no tests collected") counts as a failure: a pass that ran nothing proves nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0

# Browser stories whose server paths are PostgreSQL-specific enough to run twice. The stored-XSS
# test (tests/e2e/test_sharing_xss.py) runs once: its server calls are test_sharing's and
# tests/sharing_js's, which run here; what it proves is rendering, which no database changes.
PG_E2E=(tests/e2e/test_accounts_sync.py tests/e2e/test_leaks.py tests/e2e/test_accessibility.py
        tests/e2e/test_sharing.py tests/e2e/test_alerts.py tests/e2e/test_malicious_server.py)

echo "== all tests on SQLite =="
"$PY" -m pytest -q --durations=10 tests "$@" || status=1

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== server, migration, sync and browser tests on PostgreSQL =="
  # Every test that makes the server touch its database. The browser tests of the offline vault,
  # the shell, languages, appearance and updates never reach a table, so they run once (above);
  # so do the offline verifier's (tests/verify) and the legal screens' (tests/e2e/test_legal.py,
  # whose server calls are the ones tests/legal_js makes here).
  tools/pg-throwaway.sh "$PY" -m pytest -q --durations=10 tests/server tests/migrations tests/sync \
    tests/sync_client_js tests/sharing_js tests/legal_js "${PG_E2E[@]}" "$@" || status=1
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL is missing: failing." >&2
  status=1
else
  echo "PostgreSQL is not installed: the PostgreSQL pass did not run (apt-get install postgresql)." >&2
fi
exit $status
