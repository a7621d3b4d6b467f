"""Reading requests strictly. Every route that takes JSON goes through ``json_object``; fields,
path ids and query numbers go through the readers below, which raise ``400 invalid-request``
with a message naming the field (never repeating what was sent).

Binary fields use SP1's strict base64url (SPEC.md §2.2): one byte string has one spelling, so an
id compared as text is the same id compared as bytes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask import request
from spcrypto import FormatError
from spcrypto import b64u_decode

from ..errors import ApiError

MAX_INT = 2**53 - 1  # what a JavaScript client can represent exactly
_DIGITS = re.compile(r"[0-9]{1,16}")


def invalid(message: str) -> ApiError:
    return ApiError.of("invalid-request", message)


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    Raises ApiError 415 (not JSON) or 400 ``invalid-request`` (not parseable, duplicate keys —
    which would let two parsers disagree —, NaN, nesting deep enough to exhaust the parser, a
    lone UTF-16 surrogate, or not an object).
    """
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported-media-type", "Send the request body as application/json.")
    raw = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH (413 before reading)
    try:
        value = json.loads(raw, object_pairs_hook=_no_duplicates,
                           parse_constant=_no_constants)
        # json.loads lets a lone surrogate through (an escape like "\ud800", or its bytes with
        # surrogatepass). That is not Unicode text (I-JSON, RFC 7493 §2.1): every later
        # .encode("utf-8") — a wrap's size check, a database driver — would fail on it, so it is
        # refused here, once for every route. Encoding the whole value finds it in C.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError):
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object.")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key")
        result[key] = value
    return result


def _no_constants(_name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON")


def members(obj: Any, name: str, required: set[str], optional: frozenset[str] = frozenset()
            ) -> Mapping[str, Any]:
    """``obj`` as an object with exactly the ``required`` members (plus any ``optional``)."""
    if not isinstance(obj, dict):
        raise invalid(f"{name} must be a JSON object.")
    keys = set(obj)
    if not required <= keys:
        raise invalid(f"{name} lacks a required member.")
    if not keys <= required | optional:
        raise invalid(f"{name} has members the API does not know.")
    return obj


def small_object(value: Any, name: str, max_bytes: int) -> dict[str, Any]:
    """A JSON object whose compact serialisation is at most ``max_bytes`` (e.g. a wrap, stored
    opaquely or checked by a service)."""
    if not isinstance(value, dict) or len(json.dumps(
            value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")) > max_bytes:
        raise invalid(f"{name} must be a JSON object of at most {max_bytes} bytes.")
    return value


def b64u(obj: Mapping[str, Any], key: str, length: int | None = None, *,
         max_bytes: int = 4096) -> bytes:
    """A base64url member, decoded; ``length`` = exact decoded size."""
    value = obj.get(key)
    if not isinstance(value, str) or len(value) > (max_bytes * 4 + 2) // 3:
        raise invalid(f"{key} must be base64url text.")
    try:
        return b64u_decode(value, length, what=key)
    except FormatError:
        size = f" of {length} bytes" if length is not None else ""
        raise invalid(f"{key} must be unpadded base64url{size}.") from None


def text(obj: Mapping[str, Any], key: str, *, max_len: int) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise invalid(f"{key} must be a non-empty string of at most {max_len} characters.")
    return value


def integer(obj: Mapping[str, Any], key: str, *, lo: int = 0, hi: int = MAX_INT) -> int:
    value = obj.get(key)
    # bool is an int in Python; JSON true is not a number.
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise invalid(f"{key} must be an integer from {lo} to {hi}.")
    return value


def path_id(value: str, length: int = 16) -> str:
    """An id from the URL path, checked to be canonical base64url of ``length`` bytes."""
    try:
        b64u_decode(value, length, what="id")
    except FormatError:
        raise invalid(f"The id in the address must be base64url of {length} bytes.") from None
    return value


def query_int(name: str, default: int, *, lo: int, hi: int) -> int:
    """A decimal query parameter: ASCII digits only (no sign, exponent or other scripts)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not lo <= int(raw) <= hi:
        raise invalid(f"{name} must be an integer from {lo} to {hi}.")
    return int(raw)
