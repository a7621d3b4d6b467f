"""The bundle's layout (contract 0.4) and the small validators of the values in its JSON files.

A validator raises FormatError, which the check that called it turns into a failed check
naming the file: a malformed value is never an exception that escapes the verifier.
"""

from __future__ import annotations

import re
from typing import Any, cast

from .._encoding import MAX_INT, b64u_decode
from ..errors import FormatError

MANIFEST = "manifest.json"
EXPORT = "export.json"
CUSTODY_KIND = "sp.custody"

_ID = r"[A-Za-z0-9_-]{22}"  # base64url of 16 bytes: rid, aid, kid
LAYOUT = {
    "record": re.compile(rf"records/({_ID})\.json"),
    "content": re.compile(rf"content/({_ID})\.json"),
    "ciphertext": re.compile(rf"attachments/({_ID})\.sp1"),
    "original": re.compile(rf"originals/({_ID})/([^/]+)"),
    "bundle": re.compile(rf"bundles/({_ID})\.json"),
}
FIXED_FILES = ("README.txt", "report.html")
HEX64 = re.compile(r"[0-9a-f]{64}")


def as_id(value: Any, what: str) -> str:
    """A base64url 16-byte id (rid, aid, kid) as its text."""
    b64u_decode(value, 16, what=what)
    return cast(str, value)


def as_entry(value: Any, what: str) -> bytes:
    """A base64url 32-byte entry hash."""
    return b64u_decode(value, 32, what=what)


def as_obj(value: Any, what: str, members: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{what}: not a JSON object")
    if members is not None and set(value) != members:
        missing, extra = sorted(members - set(value)), sorted(set(value) - members)
        raise FormatError(f"{what}: wrong members (missing {missing}, unexpected {extra})")
    return value


def as_int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise FormatError(f"{what}: not a non-negative integer")
    return value


def as_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise FormatError(f"{what}: not a string")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{what}: not a list")
    return value


def as_hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise FormatError(f"{what}: not a lowercase hex SHA-256")
    return value


def utf16_key(s: str) -> bytes:
    # JavaScript sorts strings by UTF-16 code unit; the manifest is sorted in the browser.
    return s.encode("utf-16-be", "surrogatepass")
