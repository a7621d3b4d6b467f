"""Server receipts (SPEC.md §12): the server's signed statement that it received an entry at ts."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import _primitives as P
from ._encoding import MAX_INT, SUITE, VERSION, b64u_decode, b64u_encode, dst, u64
from .errors import FormatError, UnsupportedVersion

__all__ = ["make_receipt", "verify_receipt"]


def _receipt_message(entry_hash: bytes, ts: int) -> bytes:
    return dst("receipt") + entry_hash + u64(ts)


def _make_receipt_at(server_key: Ed25519PrivateKey, entry_hash: bytes, ts: int) -> dict[str, Any]:
    if len(entry_hash) != 32 or not 0 <= ts <= MAX_INT:
        raise FormatError("receipt: bad entry hash or timestamp")
    sig = server_key.sign(_receipt_message(entry_hash, ts))
    return {
        "v": VERSION,
        "suite": SUITE,
        "entry": b64u_encode(entry_hash),
        "ts": ts,
        "sig": b64u_encode(sig),
    }


def make_receipt(
    server_key: Ed25519PrivateKey, entry_hash: bytes, ts: int | None = None
) -> dict[str, Any]:
    """Sign ``entry_hash`` with the receive time in Unix ms (now unless ``ts`` is given)."""
    return _make_receipt_at(server_key, entry_hash, time.time_ns() // 1_000_000 if ts is None else ts)


def verify_receipt(receipt: Mapping[str, Any], server_pub: bytes) -> tuple[bytes, int]:
    """Return (entry_hash, ts); raises UnsupportedVersion, FormatError or AuthError."""
    if not isinstance(receipt, Mapping):
        raise FormatError("receipt: expected an object")
    v, suite = receipt.get("v"), receipt.get("suite")
    if not isinstance(v, int) or isinstance(v, bool) or not isinstance(suite, str):
        raise FormatError("receipt: missing v or suite")
    if v != VERSION or suite != SUITE:
        raise UnsupportedVersion("receipt: unsupported version")
    ts = receipt.get("ts")
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts <= MAX_INT:
        raise FormatError("receipt: ts must be an integer")
    entry = b64u_decode(receipt.get("entry"), 32, what="receipt entry")
    sig = b64u_decode(receipt.get("sig"), 64, what="receipt sig")
    P.ed25519_verify(server_pub, sig, _receipt_message(entry, ts), what="receipt")
    return entry, ts
