"""A network cut at random offsets of a 20 MiB upload: it completes, re-sending at most one
part per cut, and the server's ciphertext is byte-for-byte the client's (issue 5).

The client talks to the server through a TCP proxy that cuts the connection (both directions)
after a random number of request bytes, several times during one attachment upload; one cut
drops a response instead, so the part was committed and the client must learn that from
``GET /api/uploads/<aid>`` rather than send it again.
"""
from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import select

from server.db import make_engine
from server.models import AttachmentChunk
from spcrypto import b64u_encode
from tests.support.proxy import FaultProxy, Trigger
from tests.support.sync_client import new_account

SIZE = 20 * 1024 * 1024


@pytest.mark.parametrize("seed", [1, 2])
def test_upload_survives_cuts_resending_at_most_one_part_per_cut(
        server_process, new_invite, database_url, seed):
    rng = random.Random(seed)
    (dev,) = new_account(server_process.url, new_invite("delegate"), seed=seed)
    dev.create_record({"kind": "incident", "text": "video"},
                      attachments=[("clip.mp4", "video/mp4", rng.randbytes(SIZE))])
    (att,) = dev.attachments.values()
    part = int(dev.server_info["part_size"])
    n_parts = -(-att.ref.ct_len // part)
    parts_before = dev.stats.parts_sent

    with FaultProxy(server_process.port) as proxy:
        dev.http.base_url = proxy.url
        # Given cuts at random offsets of the upload: 4 or 5 cut a request, 1 drops a response
        n_cuts = rng.choice((4, 5)) + 1
        offsets = sorted(rng.sample(range(1000, att.ref.ct_len), n_cuts))
        gaps = [b - a for a, b in zip([0, *offsets], offsets, strict=False)]
        down_at = rng.randrange(n_cuts)
        plan = iter([("down" if i == down_at else "up", gap) for i, gap in enumerate(gaps)])

        def arm_next() -> None:
            # Each cut arms the next one, counting request bytes from where it happened.
            direction, gap = next(plan, (None, 0))
            if direction == "up":
                proxy.arm(Trigger("up", gap, action=arm_next))
            elif direction == "down":
                proxy.arm(Trigger("down", 0, gate=gap, action=arm_next))

        arm_next()
        # When the device syncs through the cutting proxy
        result = dev.sync()

    # Then the upload completed across every planned cut
    assert result.sent_attachments == 1
    assert proxy.cuts == n_cuts >= 3
    # re-sending at most one part per cut
    sent = dev.stats.parts_sent - parts_before
    assert n_parts <= sent <= n_parts + proxy.cuts, (sent, n_parts, proxy.cuts)
    # and the server holds exactly the client's ciphertext (download, receipt, database rows)
    dev.http.base_url = server_process.url
    aid = b64u_encode(att.ref.aid)
    downloaded = dev.http.call("GET", f"/api/attachments/{aid}").content
    client_sha = att.blob.sha256()
    assert hashlib.sha256(downloaded).digest() == client_sha
    dev.verify_receipts()
    engine = make_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AttachmentChunk.data, AttachmentChunk.sha256)
                                .where(AttachmentChunk.aid == aid)
                                .order_by(AttachmentChunk.idx)).all()
    finally:
        engine.dispose()
    stored = b"".join(bytes(r.data) for r in rows)
    assert hashlib.sha256(stored).digest() == client_sha
    assert [hashlib.sha256(bytes(r.data)).digest() for r in rows] == [bytes(r.sha256) for r in rows]
    dev.close()
