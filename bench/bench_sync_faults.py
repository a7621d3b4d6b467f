"""200 syncs interrupted by SIGKILL of the server (issue 5 figure e), on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_sync_faults.py [--syncs 200] [--db both|sqlite|pg]

The campaign of tests/sync/test_faults.py (tests/support/faults.py) at four times the size:
five devices of two accounts push record batches, edits and attachments in parts and pull each
other's work while the server is SIGKILLed mid-request, just before a response, or after a
random delay, then restarted. Afterwards: lost, duplicated, chain, receipt and database checks
(SQLite PRAGMA integrity_check). The PostgreSQL pass re-executes this script under
tools/pg-throwaway.sh.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "crypto")]
# Line-buffered: the PostgreSQL pass is a child process writing to the same stream.
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

from tests.support.bench import (  # noqa: E402
    PG_ENV,
    Invites,
    database,
    pg_available,
    reexec_under_pg,
)
from tests.support.faults import check_no_loss, run_campaign  # noqa: E402
from tests.support.serve import ServerProcess  # noqa: E402


def run(kind: str, syncs: int, seed: int) -> bool:
    print(f"== {syncs} SIGKILLed syncs on {'PostgreSQL' if kind == 'pg' else 'SQLite'}",
          flush=True)
    with database(kind) as url, tempfile.TemporaryDirectory(prefix="sp-faults-") as tmp:
        invites = Invites(url)
        server = ServerProcess(url, log_path=Path(tmp) / "server.log",
                               config={"DATABASE_POOLING": True})
        with server:
            devices, ledger, report = run_campaign(
                server, invites, syncs=syncs, seed=seed,
                log=lambda line: print(line, flush=True))
            try:
                counts = check_no_loss(devices, ledger, url)
                verdict = "0 lost, 0 duplicated, chains and receipts verify"
                ok = True
            except AssertionError as exc:
                counts, verdict, ok = {}, f"FAILED: {exc}", False
            for dev in devices:
                dev.close()
        invites.close()
    print(f"  e. {report.summary()}")
    print(f"     server restarts {server.starts - 1}; checked {counts}")
    print(f"     => {verdict}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--syncs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", choices=("both", "sqlite", "pg"), default="both")
    args = parser.parse_args()
    status = 0
    for kind in (["sqlite", "pg"] if args.db == "both" else [args.db]):
        if kind == "pg" and not os.environ.get(PG_ENV):
            if pg_available():
                status |= reexec_under_pg(["--db", "pg", "--syncs", str(args.syncs),
                                           "--seed", str(args.seed)])
            else:
                print("PostgreSQL is not installed: the PostgreSQL pass did not run.")
            continue
        status |= 0 if run(kind, args.syncs, args.seed) else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
