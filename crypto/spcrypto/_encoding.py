"""Private encodings: strict base64url, canonical JSON, domain separation tags (SPEC.md §1–2).

Nothing here is cryptographic, but everything here decides which bytes get hashed and signed, so
the rules are strict: one byte string has one encoding, one header has one text.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FormatError

SUITE = "SP1"
VERSION = 1
MAX_INT = 2**53 - 1  # the largest integer both JSON parsers (Python and JS) represent exactly

_B64U_RE = re.compile(r"[A-Za-z0-9_-]*")
_CANON_STR_RE = re.compile(r"[A-Za-z0-9_.:-]*")


def dst(label: str) -> bytes:
    """DST(label) = ASCII("SP1/" + label) || 0x00; the NUL makes every tag prefix-free."""
    return b"SP1/" + label.encode("ascii") + b"\x00"


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: object, length: int | None = None, *, what: str = "value") -> bytes:
    """Decode unpadded base64url, rejecting every non-canonical spelling (SPEC.md §2.2).

    Raises FormatError on padding, foreign characters, impossible lengths, non-zero unused
    trailing bits, or (when ``length`` is given) a decoded length other than ``length``.
    """
    if not isinstance(text, str) or not _B64U_RE.fullmatch(text) or len(text) % 4 == 1:
        raise FormatError(f"{what}: not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Re-encoding catches non-zero trailing bits: "AB" and "AA" would otherwise both decode to 0x00.
    if b64u_encode(raw) != text:
        raise FormatError(f"{what}: non-canonical base64url")
    if length is not None and len(raw) != length:
        raise FormatError(f"{what}: expected {length} bytes")
    return raw


def canonical_dumps(value: Any) -> str:
    """Serialise ``value`` as canonical JSON (SPEC.md §2.1); raises FormatError if it cannot be."""
    out: list[str] = []
    _emit(value, out)
    return "".join(out)


def _emit(value: Any, out: list[str]) -> None:
    # bool is a subclass of int in Python; canonical JSON has no booleans at all.
    if isinstance(value, bool) or value is None:
        raise FormatError("canonical JSON: booleans and null are not allowed")
    if isinstance(value, int):
        if not 0 <= value <= MAX_INT:
            raise FormatError("canonical JSON: integer out of range")
        out.append(str(value))
    elif isinstance(value, str):
        if not _CANON_STR_RE.fullmatch(value):
            raise FormatError("canonical JSON: string outside [A-Za-z0-9_.:-]")
        out.append('"' + value + '"')
    elif isinstance(value, Mapping):
        out.append("{")
        for i, key in enumerate(sorted(value)):
            if not isinstance(key, str) or not _CANON_STR_RE.fullmatch(key):
                raise FormatError("canonical JSON: bad key")
            if i:
                out.append(",")
            out.append('"' + key + '":')
            _emit(value[key], out)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _emit(item, out)
        out.append("]")
    else:
        raise FormatError("canonical JSON: unsupported value type")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, val in pairs:
        if key in obj:
            raise FormatError("JSON: duplicate key")
        obj[key] = val
    return obj


def _reject_float(_text: str) -> Any:
    raise FormatError("JSON: floats are not allowed")


def _reject_constant(_text: str) -> Any:
    raise FormatError("JSON: NaN and Infinity are not allowed")


def strict_json_loads(text: object, *, ascii_only: bool, allow_floats: bool = False) -> Any:
    """Parse JSON rejecting duplicate keys and NaN, and floats unless ``allow_floats`` (record
    bodies may hold coordinates); optionally require pure ASCII.

    This is step 1 of SPEC.md §6.2; the caller still compares a canonical re-serialisation.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("ascii" if ascii_only else "utf-8")
        except UnicodeDecodeError:
            raise FormatError("JSON: bad text encoding") from None
    if not isinstance(text, str):
        raise FormatError("JSON: expected text")
    if ascii_only and not text.isascii():
        raise FormatError("JSON: non-ASCII text")
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=float if allow_floats else _reject_float,
            parse_constant=_reject_constant,
        )
    except (ValueError, RecursionError):
        # JSONDecodeError is a ValueError; FormatError is not, so it propagates unchanged.
        raise FormatError("JSON: does not parse") from None


def parse_versioned_canonical(text: object) -> dict[str, Any]:
    """The parse order of SPEC.md §6.2 steps 1–3 for headers, bundles and KDF-free objects.

    Returns the parsed object; raises FormatError or UnsupportedVersion.
    """
    from .errors import UnsupportedVersion

    obj = strict_json_loads(text, ascii_only=True)
    if not isinstance(obj, dict):
        raise FormatError("expected a JSON object")
    v, suite = obj.get("v"), obj.get("suite")
    if not isinstance(v, int) or isinstance(v, bool) or not isinstance(suite, str):
        raise FormatError("missing v or suite")
    if v != VERSION or suite != SUITE:
        raise UnsupportedVersion("unsupported version")
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("ascii")
    if canonical_dumps(obj) != text:
        raise FormatError("not canonical JSON")
    return obj
