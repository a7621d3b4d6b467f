"""Fault injection for sync: SIGKILL the server at planned points, restart it, check no loss.

A campaign runs many syncs by several devices of two accounts, each through a ``FaultProxy``
armed with one fault, chosen at random (seeded):

- ``mid-request``: the server is killed after a random number of request bytes — in the middle
  of a record batch or an upload part, before anything of that request is committed;
- ``before-response``: the server is killed when the first byte of a response arrives after a
  random number of request bytes — the work is committed, the answer is lost;
- ``timer``: the server is killed after a random delay, wherever it is (parsing, hashing,
  inside a transaction, between requests).

The server comes back after a random downtime; the client retries as docs/sync-api.md says.
Only syncs the kill actually interrupted count towards the goal. Afterwards every device syncs
without faults and ``check_no_loss`` compares the server with a ledger of every record and
attachment the devices ever created.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import spcrypto as S

from .proxy import FaultProxy, Trigger
from .serve import ServerProcess
from .sync_client import Device, new_account

MODES = ("mid-request", "before-response", "timer")
RECORD_WIRE_BYTES = 1500  # a small record's JSON (padded body, header, wrap): a low estimate


@dataclass
class Ledger:
    """Ground truth: what the devices created, independent of any device's store."""

    records: dict[bytes, dict[bytes, bytes]] = field(default_factory=dict)  # account: rid: entry
    attachments: dict[bytes, dict[bytes, bytes]] = field(default_factory=dict)  # account: aid: sha

    def note(self, device: Device, rid: bytes) -> None:
        assert device.account_id is not None
        rec = device.records[rid]
        self.records.setdefault(device.account_id, {})[rid] = rec.entry_hash
        for ref in rec.header.att:
            sha = device.attachments[ref.aid].blob.sha256()
            self.attachments.setdefault(device.account_id, {})[ref.aid] = sha


@dataclass
class Report:
    syncs: int = 0
    interrupted: int = 0  # syncs during which the server was SIGKILLed
    kills: int = 0
    new_devices: int = 0  # fresh installs that signed in and pulled everything under faults
    modes: Counter[str] = field(default_factory=Counter)
    records: int = 0
    attachments: int = 0
    attachment_bytes: int = 0
    parts_sent: int = 0
    failed_attempts: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.syncs} syncs, {self.interrupted} interrupted by SIGKILL "
                f"({dict(self.modes)}), {self.kills} kills, {self.new_devices} fresh installs "
                f"signed in, {self.records} records, "
                f"{self.attachments} attachments ({self.attachment_bytes / 2**20:.1f} MiB), "
                f"{self.parts_sent} parts sent, {self.failed_attempts} failed attempts retried, "
                f"{self.seconds:.1f} s")


class Chaos:
    """Kills the server and brings it back after a random downtime, from any thread."""

    def __init__(self, server: ServerProcess, rng: random.Random,
                 max_downtime: float = 0.2) -> None:
        self.server = server
        self.rng = rng
        self.max_downtime = max_downtime
        self.kills = 0
        self.last_kill_at = 0.0  # time.monotonic() of the last kill
        self._lock = threading.Lock()
        self._restarter: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._timer_fired = threading.Event()

    def kill(self) -> None:
        with self._lock:
            if not self.server.alive():
                return
            self.last_kill_at = time.monotonic()
            self.server.kill()
            self.kills += 1
            downtime = self.rng.uniform(0, self.max_downtime)
            self._restarter = threading.Thread(target=self._restart, args=(downtime,),
                                               name="chaos-restart", daemon=True)
            self._restarter.start()

    def _restart(self, downtime: float) -> None:
        time.sleep(downtime)
        self.server.start()

    def arm_timer(self, delay: float) -> threading.Event:
        self._timer_fired.clear()

        def fire() -> None:
            self.kill()
            self._timer_fired.set()

        self._timer = threading.Timer(delay, fire)
        self._timer.daemon = True
        self._timer.start()
        return self._timer_fired

    def settle(self) -> None:
        """Cancel a pending timer, wait for a restart in progress; the server is up after."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
            self._timer = None
        with self._lock:
            restarter = self._restarter
        if restarter is not None:
            restarter.join()
        with self._lock:
            self._restarter = None
            if not self.server.alive():
                self.server.start()


def _make_work(dev: Device, rng: random.Random, ledger: Ledger, report: Report) -> None:
    """Offline work on ``dev`` before its sync: records, edits, sometimes attachments."""
    if dev.identity is None:
        return  # a fresh install that has not signed in yet
    roll = rng.random()
    if roll < 0.15:
        return  # a pull-only sync
    if roll < 0.45:
        n_att = rng.choice((1, 1, 2))
        atts = []
        for k in range(n_att):
            size = rng.choice((0, 1, 4096, 65536, 200_000, 1 << 20, 2_500_000))
            atts.append((f"photo-{k}.jpg", "image/jpeg", rng.randbytes(size)))
            report.attachments += 1
            report.attachment_bytes += size
        rid = dev.create_record({"kind": "incident", "text": "with attachments"}, attachments=atts)
        ledger.note(dev, rid)
        report.records += 1
    n = rng.choice((1, 2, 5, 12, 55))  # 55 spans two batches of max_batch = 50
    heads = [h for heads in dev.lineages().values() for h in heads
             if dev.records[h].body.get("kind") == "incident"]
    for _ in range(n):
        if heads and rng.random() < 0.2:
            rid = dev.edit(rng.choice(heads), {"text": f"edited {rng.getrandbits(32)}"})
        else:
            rid = dev.create_record({"kind": "incident", "text": f"note {rng.getrandbits(32)}"})
        ledger.note(dev, rid)
        report.records += 1


def run_campaign(server: ServerProcess, new_invite: Callable[[str], str], *, syncs: int,
                 seed: int, log: Callable[[str], None] | None = None,
                 max_rounds: int | None = None) -> tuple[list[Device], Ledger, Report]:
    """Run until ``syncs`` syncs were interrupted by a SIGKILL; then converge without faults."""
    rng = random.Random(seed)
    report = Report()
    ledger = Ledger()
    t_start = time.monotonic()
    devices = (new_account(server.url, new_invite("delegate"), devices=3, seed=seed)
               + new_account(server.url, new_invite("focal-point"), role="focal-point",
                             devices=2, seed=seed + 1))
    for dev in devices:
        for rid in dev.records:
            if dev.records[rid].header.dev == dev.dev:
                ledger.note(dev, rid)
    chaos = Chaos(server, random.Random(seed + 7919))  # its own stream: it draws from threads
    with FaultProxy(server.port) as proxy:
        for dev in devices:
            dev.http.base_url = proxy.url
        rounds = 0
        while report.interrupted < syncs and rounds < (max_rounds or 4 * syncs):
            rounds += 1
            if rng.random() < 0.06 and len(devices) < 9:
                # A fresh install signs in and pulls everything (attachments too) under a kill.
                src = rng.choice(devices)
                dev = Device(proxy.url, src.creds, seed=rng.getrandbits(32))
                dev._keys = src._keys  # noqa: SLF001 - same passphrase, same derivation
                devices.append(dev)
                report.new_devices += 1
            else:
                dev = rng.choice(devices)
                _make_work(dev, rng, ledger, report)
            plan = dev.plan() if dev.identity is not None else {"bytes": 0, "records": 0}
            up = plan["bytes"] + RECORD_WIRE_BYTES * plan["records"] + 300
            mode = rng.choice(MODES)
            fired: threading.Event
            if mode == "mid-request":
                fired = proxy.arm(Trigger("up", rng.randrange(up), action=chaos.kill)).fired
            elif mode == "before-response":
                fired = proxy.arm(Trigger("down", 0, gate=rng.randrange(up),
                                          action=chaos.kill)).fired
            else:
                fired = chaos.arm_timer(rng.uniform(0, 0.05 + up / 100e6))
            dev.sync()
            finished_at = time.monotonic()
            proxy.disarm()
            chaos.settle()
            # Interrupted = killed before the sync returned (a late timer does not count).
            was_hit = fired.is_set() and chaos.last_kill_at <= finished_at
            report.syncs += 1
            if was_hit:
                report.interrupted += 1
                report.modes[mode] += 1
            if log and report.syncs % 10 == 0:
                log(f"  {report.syncs} syncs, {report.interrupted} interrupted")
        for dev in devices:
            dev.http.base_url = server.url
    # Converge: every device syncs twice, so each pull sees every other device's push.
    for _ in range(2):
        for dev in devices:
            dev.sync()
    report.kills = chaos.kills
    report.parts_sent = sum(d.stats.parts_sent for d in devices)
    report.failed_attempts = sum(d.stats.attempts_failed for d in devices)
    report.seconds = time.monotonic() - t_start
    return devices, ledger, report


def check_no_loss(devices: list[Device], ledger: Ledger, database_url: str) -> dict[str, Any]:
    """Assert: the server holds every created record and attachment exactly once, every device
    holds exactly the same, chains and receipts verify, the database agrees. Returns counts."""
    from sqlalchemy import func, select

    from server.db import make_engine
    from server.models import Attachment, AttachmentChunk, Record

    by_account: dict[bytes, list[Device]] = {}
    for dev in devices:
        assert dev.account_id is not None
        by_account.setdefault(dev.account_id, []).append(dev)
    total_records = 0
    for account, devs in by_account.items():
        expected = ledger.records.get(account, {})
        listing = devs[0].server_listing()
        rids = [S.parse_header(env.hdr).rid for env, _ in listing]
        cursors = [c for _, c in listing]
        assert len(rids) == len(set(rids)), "the server lists a record twice"
        assert cursors == sorted(set(cursors)), "pull cursors are not strictly increasing"
        assert {S.parse_header(env.hdr).rid: env.entry_hash for env, _ in listing} == expected, \
            "the server's records differ from what the devices created"
        S.verify_chain([env for env, _ in listing])  # no fork, no gap, links intact
        for env, _ in listing:
            assert devs[0].bundle is not None
            S.verify_record(env, devs[0].bundle)
        served_receipts = devs[0].last_listing_receipts
        for dev in devs:
            assert {rid: r.entry_hash for rid, r in dev.records.items()} == expected, \
                f"{dev} does not hold exactly the account's records"
            dev.verify_receipts()  # every record and attachment, under the pinned key
            # Receipts are deterministic: whatever answer a device kept (first push, a retried
            # push after a lost answer, or a pull) is the one the server gives now.
            for rec in dev.records.values():
                assert rec.receipt == served_receipts[rec.entry_hash], "a receipt changed"
            dev.check_heads()
            for aid, sha in ledger.attachments.get(account, {}).items():
                att = dev.attachments[aid]
                assert att.blob.sha256() == sha and att.blob.chunk_hash() == att.ref.hash
        total_records += len(expected)

    engine = make_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            dupes = conn.execute(select(Record.rid).group_by(Record.rid)
                                 .having(func.count() > 1)).all()
            assert not dupes, "duplicate record rows"
            assert conn.scalar(select(func.count()).select_from(Record)) == total_records
            n_att = sum(len(v) for v in ledger.attachments.values())
            rows = conn.execute(select(Attachment.aid, Attachment.ct_len, Attachment.received,
                                       Attachment.complete_ms)).all()
            assert len(rows) == n_att, "attachment rows differ from the attachments created"
            for aid, ct_len, received, complete_ms in rows:
                assert complete_ms is not None and received == ct_len, f"{aid} incomplete"
                n_chunks, stored = conn.execute(
                    select(func.count(),
                           func.coalesce(func.sum(func.length(AttachmentChunk.data)), 0))
                    .where(AttachmentChunk.aid == aid)).one()
                assert stored == ct_len and n_chunks == max(1, -(-ct_len // 65552)), \
                    f"{aid}: stored chunks do not add up to ct_len"
            integrity = None
            if database_url.startswith("sqlite"):
                integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
                assert integrity == "ok", f"SQLite integrity_check: {integrity}"
                assert not conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    finally:
        engine.dispose()
    return {"records": total_records, "attachments": n_att, "integrity_check": integrity}
