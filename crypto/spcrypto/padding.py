"""Length padding (SPEC.md §7): Padmé for attachments, Padmé with a 1024-byte floor for bodies."""

from __future__ import annotations

from ._encoding import u32
from .errors import FormatError

BODY_MIN_PADDED = 1024  # SPEC.md Changes 1 / R6: Padmé alone barely pads short bodies


def padme(length: int) -> int:
    """Padmé(L) from PURBs (PETS 2019): overhead < 12 %, leaks O(log log L) bits of L."""
    if length < 0:
        raise ValueError("length must be non-negative")
    if length == 0:
        return 0
    e = length.bit_length() - 1  # floor(log2 L), exactly, without floats
    s = e.bit_length()  # floor(log2 E) + 1, and 0 when E == 0
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def body_padded_len(json_len: int) -> int:
    return max(BODY_MIN_PADDED, padme(4 + json_len))


def pad_body(body_json: bytes) -> bytes:
    """u32 BE length || json || zeros up to max(1024, Padmé(4 + len))."""
    if len(body_json) >= 2**32:
        raise FormatError("body too large")
    padded = u32(len(body_json)) + body_json
    return padded + bytes(body_padded_len(len(body_json)) - len(padded))


def unpad_body(padded: bytes) -> bytes:
    """Inverse of pad_body; raises FormatError unless the padding is exactly canonical."""
    if len(padded) < 4:
        raise FormatError("body: shorter than its length prefix")
    n = int.from_bytes(padded[:4], "big")
    if n > len(padded) - 4 or len(padded) != body_padded_len(n):
        raise FormatError("body: padded length does not match")
    if any(padded[4 + n :]):
        raise FormatError("body: non-zero padding")
    return padded[4 : 4 + n]
