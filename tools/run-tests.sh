#!/usr/bin/env bash
# `make test`: every test on SQLite and, alongside, everything that touches the server again on
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

# The shell's release manifest, built once here rather than by both passes at once.
"$PY" tools/build_release.py >/dev/null
export SP_RELEASE_BUILT=1

PG_TESTS=(tests/server tests/migrations tests/sync tests/sync_client_js tests/sharing_js tests/legal_js
          "${PG_E2E[@]}")
pg_log=$(mktemp) pg_rc=$(mktemp)
trap 'rm -f "$pg_log" "$pg_rc"' EXIT

# The two passes run side by side: a pytest run keeps about one of the two cores busy (browser
# tests wait on pages, the server and the database as much as they compute), so together they
# finish in little more than the longer one. SP_TEST_SERIAL=1 runs them one after the other.
pg_pid=""
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # Every test that makes the server touch its database. The browser tests of the offline vault,
  # the shell, languages, appearance and updates never reach a table, so they run once (SQLite);
  # so do the offline verifier's (tests/verify) and the legal screens' (tests/e2e/test_legal.py,
  # whose server calls are the ones tests/legal_js makes here).
  run_pg() {
    tools/pg-throwaway.sh "$PY" -m pytest -q -p no:cacheprovider --durations=10 "${PG_TESTS[@]}" "$@" \
      >"$pg_log" 2>&1
    echo $? >"$pg_rc"
  }
  if [ "${SP_TEST_SERIAL:-}" = "1" ]; then
    run_pg "$@"
  else
    echo "== server, migration, sync and browser tests on PostgreSQL: started alongside, shown at the end =="
    run_pg "$@" &
    pg_pid=$!
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL is missing: failing." >&2
  status=1
else
  echo "PostgreSQL is not installed: the PostgreSQL pass did not run (apt-get install postgresql)." >&2
fi

echo "== all tests on SQLite =="
"$PY" -m pytest -q --durations=10 tests "$@" || status=1

if [ -s "$pg_rc" ] || [ -n "$pg_pid" ]; then
  [ -n "$pg_pid" ] && wait "$pg_pid"
  echo "== server, migration, sync and browser tests on PostgreSQL =="
  cat "$pg_log"
  [ "$(cat "$pg_rc")" = "0" ] || status=1
fi

# Known advisories for the pinned Python packages (tools/audit_deps.py). Exit 1 (a pinned version
# is affected) fails the run; exit 3 (advisory service unreachable, as on CI) does not, but the
# run's last line says the audit did not run: never a silent pass.
echo "== dependency audit =="
audit_note=""
"$PY" tools/audit_deps.py --installed
case $? in
  0) ;;
  3) audit_note="Dependency audit NOT RUN (advisory service unreachable, see above). This is not a pass." ;;
  *) status=1 ;;
esac
[ -z "$audit_note" ] || echo "$audit_note" >&2
exit $status
