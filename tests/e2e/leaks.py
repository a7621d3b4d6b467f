"""Looking for a secret in bytes it must not be in: every encoding a careless program could put it
in, a dump of every row of every table, and the search itself."""
from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

from sqlalchemy import MetaData, select

from server.db import make_engine


def _base64_runs(raw: bytes, alphabet: str) -> dict[str, bytes]:
    """The part of base64(raw) that is the same wherever raw sits in a longer stream: one run
    per alignment (raw starting at byte 0, 1 or 2 of a 3-byte group). Characters that also
    depend on the neighbouring bytes are cut off at both ends."""
    encode = base64.b64encode if alphabet == "std" else base64.urlsafe_b64encode
    runs = {}
    for shift in range(3):
        text = encode(b"\0" * shift + raw).rstrip(b"=")
        head = (0, 2, 3)[shift]  # characters holding bits of the padding bytes
        tail = 1 if (shift + len(raw)) % 3 else 0  # last character also holds the next byte's bits
        runs[f"base64-{alphabet}@{shift}"] = text[head:len(text) - tail]
    return runs


def encodings(secret: str) -> dict[str, bytes]:
    """`secret` as UTF-8, UTF-16LE/BE, base64 and base64url (3 alignments, of UTF-8 and UTF-16LE),
    hex, URL-encoding and JSON string escapes."""
    utf8 = secret.encode()
    utf16 = secret.encode("utf-16-le")
    forms = {
        "utf-8": utf8,
        "utf-16le": utf16,
        "utf-16be": secret.encode("utf-16-be"),
        "hex": utf8.hex().encode(),
        "HEX": utf8.hex().upper().encode(),
        "url": quote(secret, safe="").encode(),
        "url-lower": quote(secret, safe="").lower().encode(),
        "url-plus": quote_plus(secret).encode(),
        "json": json.dumps(secret)[1:-1].encode(),  # \uXXXX for anything not ASCII
        "json-upper": re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(),
                             json.dumps(secret)[1:-1]).encode(),
    }
    for raw, name in ((utf8, "utf8"), (utf16, "utf16le")):
        for alphabet in ("std", "url"):
            for key, run in _base64_runs(raw, alphabet).items():
                forms[f"{key}({name})"] = run
    return forms


def find_leaks(haystack: bytes, secrets: dict[str, str]) -> list[str]:
    """Which secret was found in which encoding (an empty list is what a test wants)."""
    found = []
    for label, secret in secrets.items():
        for form, needle in encodings(secret).items():
            if needle and needle in haystack:
                found.append(f"{label} as {form}")
    return found


def _value_bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return str(value).encode()


def dump_database(url: str) -> tuple[bytes, dict[str, int]]:
    """Every row of every table (reflected, so nothing the models forget is skipped), values as
    stored — bytes as bytes, text as UTF-8. Returns the dump and the row count per table."""
    engine = make_engine(url, pooled=False)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        parts: list[bytes] = []
        counts: dict[str, int] = {}
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows = conn.execute(select(table)).all()
                counts[table.name] = len(rows)
                for row in rows:
                    parts.extend(_value_bytes(value) for value in row)
        return b"\n".join(parts), counts
    finally:
        engine.dispose()
