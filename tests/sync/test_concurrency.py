"""Concurrent syncs of one account: a puller never skips a record that commits late, and a
retried upload part racing the original is stored once (docs/sync-api.md: cursors are assigned
under a per-account lock; parts are committed at the stored offset only).

These matter most on PostgreSQL, where transactions really run side by side; on SQLite the
writes serialise and the tests pass trivially.
"""
from __future__ import annotations

import hashlib
import os
import random
import threading

from sqlalchemy import func, select

from server.db import make_engine
from server.models import AttachmentChunk
from spcrypto import b64u_encode
from tests.support.sync_client import Device, new_account


def test_pulling_during_concurrent_pushes_misses_nothing(server_process, new_invite):
    # Given three devices pushing at the same time and a fourth pulling all along
    *pushers, puller = new_account(server_process.url, new_invite("delegate"), devices=4,
                                   seed=11)
    errors: list[BaseException] = []

    def push(dev: Device, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(6):
                for _ in range(rng.choice((1, 4, 9))):
                    dev.create_record({"kind": "incident", "text": "x"})
                dev.sync()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(dev, i)) for i, dev in enumerate(pushers)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        puller.pull()  # checks signatures, receipts and each device's chain as it goes
    for t in threads:
        t.join()
    assert not errors, errors
    # When it pulls once more after the pushes ended
    puller.pull()
    # Then it holds every record of every device: no cursor was passed before its record
    # committed (a skipped record would never come back)
    expected = {rid for dev in pushers for rid in dev.records}
    assert expected <= puller.records.keys()
    assert len(puller.server_listing()) == len(expected)
    for dev in (*pushers, puller):
        dev.close()


def test_a_retried_part_racing_the_original_is_stored_once(server_process, new_invite,
                                                            database_url):
    # Given an upload declared and its first part ready to send
    (dev,) = new_account(server_process.url, new_invite("delegate"), seed=12)
    dev.create_record({"kind": "incident"}, attachments=[("a", "x/y", os.urandom(300_000))])
    (att,) = dev.attachments.values()
    aid = b64u_encode(att.ref.aid)
    dev.http.call("POST", "/api/uploads", json_body={
        "aid": aid, "ct_len": att.ref.ct_len, "hash": b64u_encode(att.ref.hash)})
    part = att.blob.read(0, 4 * 65552)
    # When two copies of it arrive at once (a client retry while the first is still in flight)
    answers: list[int] = []

    def put() -> None:
        clone = Device(server_process.url, dev.creds, dev=dev.dev)
        clone.http.session_token, clone.http.csrf = dev.http.session_token, dev.http.csrf
        resp = clone.http.send("PUT", f"/api/uploads/{aid}?offset=0", data=part)
        answers.append(resp.status_code)
        resp.close()
        clone.close()

    threads = [threading.Thread(target=put) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then one is stored and the other told the new offset; the chunks exist once
    assert sorted(answers) == [200, 409], answers
    state = dev.http.call("GET", f"/api/uploads/{aid}").json()
    assert state["offset"] == len(part)
    engine = make_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AttachmentChunk.idx, func.count())
                                .where(AttachmentChunk.aid == aid)
                                .group_by(AttachmentChunk.idx)).all()
    finally:
        engine.dispose()
    assert sorted(idx for idx, _ in rows) == [0, 1, 2, 3]
    assert all(n == 1 for _, n in rows)
    # and the upload completes from there, with the client's ciphertext
    dev.sync()
    stored = dev.http.call("GET", f"/api/attachments/{aid}").content
    assert hashlib.sha256(stored).digest() == att.blob.sha256()
    dev.close()
