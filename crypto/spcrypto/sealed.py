"""Sealed files (SPEC.md §17): one file under a passphrase, to carry an evidence bundle outside
the app (a USB stick, an e-mail to a lawyer).

    file   = "SP1-SEALED\\n" || header || "\\n" || ct
    A      = Argon2id(NFC(passphrase), kdf)                    (§3.1 stretching, §4 floor/ceiling)
    K_file = HKDF(A, salt = SHA-256(header), info = DST("sealed"))
    ct     = the attachment STREAM of §8.1 with CEK = K_file and att.salt = header.salt

The STREAM is ``stream.py``'s, chunk for chunk; only the chunk-hash comparison of §8.3 step 4 is
dropped, because no signed header holds a hash to compare with (R19). The public recipes check
the KDF policy and draw the salts; the ``_..._from_parts`` functions take them as arguments and
apply no policy, so the vectors can pin their output.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from . import _primitives as P
from ._encoding import MAX_INT, b64u_decode, b64u_encode, canonical_dumps, dst, strict_json_loads
from .account import KdfParams, _stretch, check_kdf_policy, new_kdf_params
from .errors import FormatError, UnsupportedVersion
from .stream import _decrypt_stream, encrypt_attachment

__all__ = [
    "MAGIC",
    "open_sealed_file",
    "open_sealed_stream",
    "seal_file",
    "seal_stream",
]

MAGIC = b"SP1-SEALED\n"
# The longest header a conforming sealer writes is under 200 bytes; the bound lets a reader
# give up on a file that is not a sealed file without reading it whole (SPEC.md §17.3 step 2).
MAX_HEADER_LEN = 1024
TYP = "sp1-sealed"
VERSION = 1
SALT_LEN = 16
_MEMBERS = {"kdf", "salt", "size", "typ", "v"}


@dataclass(frozen=True)
class _Header:
    """A parsed header, with the exact bytes that were read (they are what K_file binds)."""

    text: bytes
    kdf: KdfParams
    salt: bytes = field(repr=False)
    size: int


def _header_text(kdf: KdfParams, salt: bytes, size: int) -> bytes:
    obj = {"kdf": kdf.to_json(), "salt": b64u_encode(salt), "size": size, "typ": TYP, "v": VERSION}
    return canonical_dumps(obj).encode("ascii")


def _parse_header(text: bytes) -> _Header:
    """SPEC.md §17.3 steps 3–4: parse order, schema, then the KDF policy without pinning.

    Raises FormatError, UnsupportedVersion or KdfPolicyError, before any Argon2 work.
    """
    obj: Any = strict_json_loads(text, ascii_only=True)
    if not isinstance(obj, dict):
        raise FormatError("sealed file: header is not a JSON object")
    v = obj.get("v")
    # Integers outside 0 … 2^53 − 1 are a FormatError on both sides: JavaScript cannot tell
    # them apart from their neighbours, so it could not call them "version 2".
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_INT:
        raise FormatError("sealed file: header has no integer v")
    if v != VERSION:
        raise UnsupportedVersion("sealed file: unsupported version")
    if canonical_dumps(obj) != text.decode("ascii"):
        raise FormatError("sealed file: header is not canonical JSON")
    if set(obj) != _MEMBERS:
        raise FormatError("sealed file: header has the wrong members")
    if obj["typ"] != TYP:
        raise FormatError("sealed file: not a sealed file header")
    salt = b64u_decode(obj["salt"], SALT_LEN, what="sealed file salt")
    size = obj["size"]
    if not isinstance(size, int):
        raise FormatError("sealed file: size must be an integer")
    if not isinstance(obj["kdf"], dict):
        raise FormatError("sealed file: kdf must be an object")
    # §4 steps 1–2. Step 3 (pinning) has nothing to pin against: the file comes from outside.
    kdf = check_kdf_policy(KdfParams.parse(obj["kdf"]))
    return _Header(text=text, kdf=kdf, salt=salt, size=size)


def _file_key(passphrase: str, header_text: bytes, kdf: KdfParams) -> bytes:
    """K_file: the header's bytes are the HKDF salt, so changing any of them changes the key."""
    a = _stretch(passphrase, kdf)
    return P.hkdf(a, salt=P.sha256(header_text), info=dst("sealed"))


def _seal_stream_from_parts(
    passphrase: str, fin: BinaryIO, fout: BinaryIO, size: int, kdf: KdfParams, salt: bytes
) -> None:
    """The deterministic inner sealer: no KDF policy, so vectors may use any parameters."""
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_INT:
        raise FormatError("sealed file: size out of range")
    if len(salt) != SALT_LEN:
        raise FormatError("sealed file: salt must be 16 bytes")
    header = _header_text(kdf, salt, size)
    key = _file_key(passphrase, header, kdf)
    fout.write(MAGIC + header + b"\n")
    encrypt_attachment(fin, fout, key, size, salt=salt)


def _seal_file_from_parts(passphrase: str, data: bytes, kdf: KdfParams, salt: bytes) -> bytes:
    out = io.BytesIO()
    _seal_stream_from_parts(passphrase, io.BytesIO(data), out, len(data), kdf, salt)
    return out.getvalue()


def _require_passphrase(passphrase: object) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise FormatError("sealed file: a passphrase is required")


def seal_stream(
    passphrase: str, fin: BinaryIO, fout: BinaryIO, size: int, kdf: KdfParams | None = None
) -> None:
    """Seal exactly ``size`` bytes read from ``fin`` into ``fout`` (SPEC.md §17.2).

    ``kdf`` defaults to SP1's account parameters with a fresh salt; given parameters (with a
    salt the caller draws fresh for each file) must pass the §4 floor and ceiling
    (KdfPolicyError), so no conforming opener refuses the result. An
    empty passphrase, or ``fin`` holding more or fewer than ``size`` bytes, is a FormatError;
    on any exception the caller MUST discard what was written to ``fout``.
    """
    _require_passphrase(passphrase)
    params = new_kdf_params() if kdf is None else check_kdf_policy(kdf)
    _seal_stream_from_parts(passphrase, fin, fout, size, params, os.urandom(SALT_LEN))


def seal_file(passphrase: str, data: bytes, kdf: KdfParams | None = None) -> bytes:
    """The sealed file of ``data`` (in memory); see ``seal_stream``."""
    out = io.BytesIO()
    seal_stream(passphrase, io.BytesIO(data), out, len(data), kdf)
    return out.getvalue()


def _read_header(fin: BinaryIO) -> _Header:
    """SPEC.md §17.3 steps 1–4: the magic, the header line, its parse and the KDF policy."""
    magic = fin.read(len(MAGIC))
    if magic != MAGIC:
        raise FormatError("sealed file: not an SP1 sealed file")
    # Byte by byte up to the newline: the header is short, and nothing after it is consumed,
    # so the ciphertext can be read from ``fin`` as it is (no look-back into a buffer).
    line = bytearray()
    while True:
        b = fin.read(1)
        if b == b"\n":
            break
        if not b or len(line) == MAX_HEADER_LEN:
            raise FormatError("sealed file: no header line")
        line += b
    return _parse_header(bytes(line))


def open_sealed_stream(passphrase: str, fin: BinaryIO, fout: BinaryIO) -> int:
    """Open a sealed file read from ``fin``, writing the plaintext to ``fout``; returns its size.

    Follows SPEC.md §17.3 step by step: FormatError (not a sealed file, malformed header,
    non-zero padding), UnsupportedVersion, KdfPolicyError (KDF parameters outside the floor
    and ceiling, refused before Argon2 runs), AuthError (wrong passphrase, any changed byte,
    truncation, trailing bytes). Plaintext is written chunk by chunk before the end of the file
    is authenticated: on any exception the caller MUST discard what was written.
    """
    header = _read_header(fin)
    key = _file_key(passphrase, header.text, header.kdf)
    _decrypt_stream(fin, fout, key, header.salt, header.size, None, what="sealed file")
    return header.size


def open_sealed_file(passphrase: str, data: bytes) -> bytes:
    """The plaintext of a sealed file held in memory; raises like ``open_sealed_stream``."""
    out = io.BytesIO()
    open_sealed_stream(passphrase, io.BytesIO(data), out)
    return out.getvalue()

