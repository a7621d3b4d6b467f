#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb in a temp dir, a private port,
# fsync off (it is thrown away), then stops and deletes it whatever the command did.
#   tools/pg-throwaway.sh CMD...   -> CMD runs with SAFEPASSAGE_TEST_DATABASE_URL set
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL binaries not found (apt-get install postgresql)." >&2
  exit 3
fi

PGD=$(mktemp -d /tmp/sp-pg.XXXXXX)
# A port the OS says is free right now (a fixed random range can hit a test server's ephemeral
# port); if the start still fails, the log is shown and one more free port is tried.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${SP_PG_PORT:-$(free_port)}
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGD"
  as_pg=(runuser -u postgres --)
fi

stop() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  rm -rf "$PGD"
}
trap stop EXIT

"${as_pg[@]}" "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
start() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w -s -o \
    "-p $PORT -k $PGD -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start
}
if ! start; then
  echo "PostgreSQL did not start on port $PORT; its log:" >&2
  cat "$PGD/log" >&2 || true
  [ -n "${SP_PG_PORT:-}" ] && exit 1
  PORT=$(free_port)
  echo "Trying port $PORT." >&2
  start
fi
"$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qAt -c "CREATE ROLE sp LOGIN PASSWORD 'sp'" >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres -O sp safepassage_test

export SAFEPASSAGE_TEST_DATABASE_URL="postgresql+psycopg://sp:sp@127.0.0.1:$PORT/safepassage_test"
echo "Throwaway PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
