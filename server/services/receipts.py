"""Server receipts (SP1 §12) and the facts a client pins about this server.

A receipt is recomputed on every answer from what the database keeps — the entry (a record's
entry hash or an attachment's chunk hash) and the minute it was stored — because Ed25519 is
deterministic: the same record always gets byte-for-byte the same receipt, so a re-push after a
lost answer returns exactly what the first answer would have.
"""
from __future__ import annotations

from typing import Any

import spcrypto
from spcrypto import b64u_encode

from .. import __version__, settings


def receipt(entry: bytes, ts_ms: int) -> dict[str, Any]:
    """The signed receipt for ``entry`` stored at ``ts_ms`` (Unix ms, floored to the minute)."""
    return spcrypto.make_receipt(settings.current().keys.receipt, entry, ts_ms)


def server_info() -> dict[str, Any]:
    """``GET /api/server``: the receipt key the client pins, and the sync limits."""
    config = settings.current()
    return {
        "receipt_key": b64u_encode(config.keys.receipt_public),
        "part_size": config.part_size,
        "chunk_size": config.chunk_size,
        "max_attachment": config.max_attachment,
        "max_batch": config.max_batch,
        "version": __version__,
    }
