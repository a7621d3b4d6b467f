"""Fault injection: the server process is SIGKILLed at random points during at least 50 syncs.

Issue 5: "the server process is killed (SIGKILL) at random points during at least 50 syncs …,
the client retries: nothing lost, nothing duplicated, SQLite PRAGMA integrity_check ok."

Five devices of two accounts push record batches (some spanning two batches), edits and
attachments (uploaded in parts) and pull each other's work, and now and then a fresh install
signs in and pulls everything, through a proxy that kills the server mid-request, just before a
response, or after a random delay (tests/support/faults.py). The campaign is seeded, so a
failure replays (SP_FAULT_SEED). The 200-sync version is bench/bench_sync_faults.py.
"""
from __future__ import annotations

import os

from tests.support.faults import check_no_loss, run_campaign

SYNCS = int(os.environ.get("SP_FAULT_SYNCS", "50"))
SEED = int(os.environ.get("SP_FAULT_SEED", "5"))


def test_sigkill_during_syncs_loses_and_duplicates_nothing(server_process, new_invite,
                                                           database_url, security_figure):
    # Given five devices of two accounts, and a server that is SIGKILLed during each sync
    try:
        devices, ledger, report = run_campaign(server_process, new_invite, syncs=SYNCS, seed=SEED)
    except Exception as exc:
        log = server_process.log_tail()
        raise AssertionError(f"campaign failed: {exc!r}\nserver log:\n{log}") from exc
    try:
        # Then at least SYNCS syncs were really interrupted, and the server was really killed
        assert report.interrupted >= SYNCS, report.summary()
        assert server_process.kills == report.kills >= SYNCS
        # and nothing was lost or duplicated: server == ledger == every device; chains,
        # receipts and the database (SQLite integrity_check) are intact
        counts = check_no_loss(devices, ledger, database_url)
        assert counts["records"] == sum(len(r) for r in ledger.records.values()) > SYNCS
        print(report.summary(), counts)
        security_figure("kill9.syncs", report.interrupted, "syncs interrupted by SIGKILL of the server")
        security_figure("kill9.records", counts["records"], "records checked afterwards on server, ledger and every device")
        security_figure("kill9.lost", 0, "records or attachments lost or duplicated")
    finally:
        for dev in devices:
            dev.close()
