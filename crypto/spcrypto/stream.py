"""Attachment encryption: age's STREAM with AES-256-GCM and Padmé padding (SPEC.md §8).

Both directions work on file objects one chunk at a time, so memory use does not depend on the
attachment size (a 500 MB video never sits in memory whole).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import _primitives as P
from ._encoding import MAX_INT, b64u_decode, b64u_encode, dst
from .errors import AuthError, FormatError
from .padding import padme

__all__ = [
    "AttachmentEncryptor",
    "AttachmentRef",
    "attachment_ct_len",
    "decrypt_attachment",
    "encrypt_attachment",
]

CHUNK = 65536  # plaintext bytes per chunk, as in age
CT_CHUNK = CHUNK + P.TAG_LEN  # 65552 ciphertext bytes per full chunk
ID_LEN = 16
SALT_LEN = 16
_LAST = b"\x01"
_NOT_LAST = b"\x00"


@dataclass(frozen=True)
class AttachmentRef:
    """The header's ``att`` entry: what the server checks keylessly and the reader needs."""

    aid: bytes
    salt: bytes
    ct_len: int
    hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "aid": b64u_encode(self.aid),
            "ct_len": self.ct_len,
            "hash": b64u_encode(self.hash),
            "salt": b64u_encode(self.salt),
        }

    @classmethod
    def from_json(cls, obj: Any) -> AttachmentRef:
        if not isinstance(obj, dict) or set(obj) != {"aid", "ct_len", "hash", "salt"}:
            raise FormatError("att: wrong members")
        ct_len = obj["ct_len"]
        if not isinstance(ct_len, int) or isinstance(ct_len, bool) or not 0 <= ct_len <= MAX_INT:
            raise FormatError("att: ct_len must be an integer")
        return cls(
            aid=b64u_decode(obj["aid"], ID_LEN, what="att aid"),
            salt=b64u_decode(obj["salt"], SALT_LEN, what="att salt"),
            ct_len=ct_len,
            hash=b64u_decode(obj["hash"], 32, what="att hash"),
        )


def _chunk_count(padded_len: int) -> int:
    # An empty stream is still one (empty, final) chunk.
    return max(1, -(-padded_len // CHUNK))


def attachment_ct_len(size: int) -> int:
    """Ciphertext length of a ``size``-byte file: P + 16 per chunk, P = Padmé(size)."""
    padded = padme(size)
    return padded + P.TAG_LEN * _chunk_count(padded)


def is_attachment_ct_len(ct_len: int) -> bool:
    """True if §8.1 can produce a ciphertext of ``ct_len`` bytes (the keyless length check).

    With n = ⌈ct_len / 65552⌉ chunks the padded plaintext is P = ct_len − 16·n; an encoder makes
    exactly n = max(1, ⌈P / 65536⌉) chunks, and P is a Padmé output, so Padmé(P) = P.
    """
    if not isinstance(ct_len, int) or isinstance(ct_len, bool) or not P.TAG_LEN <= ct_len <= MAX_INT:
        return False
    n = -(-ct_len // CT_CHUNK)
    padded = ct_len - P.TAG_LEN * n
    return padded >= 0 and n == _chunk_count(padded) and padme(padded) == padded


def chunk_hash(chunk_digests: Iterable[bytes]) -> bytes:
    """§8.1's ``hash`` from the SHA-256 of each ciphertext chunk, in order: what a server that
    stores chunks with their digests computes keylessly (§8.2)."""
    h = P.new_sha256()
    h.update(dst("chunks"))
    for digest in chunk_digests:
        if len(digest) != 32:
            raise FormatError("chunk digest must be 32 bytes")
        h.update(digest)
    return h.finalize()


def _nonce(i: int, last: bool) -> bytes:
    # 11-byte big-endian counter || last-chunk flag; the counter cannot wrap below 2^88 chunks.
    return i.to_bytes(11, "big") + (_LAST if last else _NOT_LAST)


def _attachment_key(cek: bytes, salt: bytes) -> bytes:
    return P.hkdf(cek, salt=salt, info=dst("att"))


class AttachmentEncryptor:
    """Incremental STREAM encryption of a file of known ``size``.

    ``update`` returns ciphertext as soon as whole chunks are available; ``finalize`` pads,
    emits the last chunk and returns the bytes left. ``ref`` is the header entry afterwards.
    The true size must be known up front because the last chunk is flagged when it is sealed.
    """

    def __init__(
        self, cek: bytes, size: int, *, aid: bytes | None = None, salt: bytes | None = None
    ) -> None:
        if not 0 <= size <= MAX_INT:
            raise FormatError("attachment size out of range")
        self._aid = aid if aid is not None else os.urandom(ID_LEN)
        self._salt = salt if salt is not None else os.urandom(SALT_LEN)
        if len(self._aid) != ID_LEN or len(self._salt) != SALT_LEN:
            raise FormatError("aid and salt must be 16 bytes")
        self._aead = AESGCM(_attachment_key(cek, self._salt))
        self._size = size
        self._padded = padme(size)
        self._n_chunks = _chunk_count(self._padded)
        self._fed = 0
        self._index = 0
        self._buf = bytearray()
        self._chunk_hashes = P.new_sha256()
        self._chunk_hashes.update(dst("chunks"))
        self._ct_len = 0
        self._ref: AttachmentRef | None = None

    def _seal(self, chunk: bytes) -> bytes:
        last = self._index == self._n_chunks - 1
        ct = self._aead.encrypt(_nonce(self._index, last), chunk, None)
        self._index += 1
        self._chunk_hashes.update(P.sha256(ct))
        self._ct_len += len(ct)
        return ct

    def update(self, data: bytes) -> bytes:
        if self._ref is not None:
            raise ValueError("encryptor already finalized")
        self._fed += len(data)
        if self._fed > self._size:
            raise FormatError("more attachment bytes than the declared size")
        out = []
        if not self._buf and len(data) == CHUNK:
            return self._seal(bytes(data))  # the common aligned read: no copy into the buffer
        self._buf += data
        while len(self._buf) >= CHUNK:
            out.append(self._seal(bytes(self._buf[:CHUNK])))
            del self._buf[:CHUNK]
        return b"".join(out)

    def finalize_chunks(self) -> Iterator[bytes]:
        """Pad and seal the remaining chunks one at a time (constant memory), then set ``ref``.

        The padding of a large file can be megabytes (Padmé(500 MB) adds up to 8 MiB), so it is
        generated chunk by chunk rather than as one buffer.
        """
        if self._ref is not None:
            raise ValueError("encryptor already finalized")
        if self._fed != self._size:
            raise FormatError("fewer attachment bytes than the declared size")
        pad_left = self._padded - self._size
        while self._index < self._n_chunks:
            take = min(CHUNK - len(self._buf), pad_left)
            self._buf += bytes(take)
            pad_left -= take
            yield self._seal(bytes(self._buf[:CHUNK]))
            del self._buf[:CHUNK]
        self._ref = AttachmentRef(self._aid, self._salt, self._ct_len, self._chunk_hashes.finalize())

    def finalize(self) -> bytes:
        """All remaining ciphertext at once; use finalize_chunks for large files."""
        return b"".join(self.finalize_chunks())

    @property
    def ref(self) -> AttachmentRef:
        if self._ref is None:
            raise ValueError("encryptor not finalized")
        return self._ref


def encrypt_attachment(
    fin: BinaryIO,
    fout: BinaryIO,
    cek: bytes,
    size: int,
    *,
    aid: bytes | None = None,
    salt: bytes | None = None,
) -> AttachmentRef:
    """Encrypt exactly ``size`` bytes from ``fin`` to ``fout``; returns the header entry."""
    enc = AttachmentEncryptor(cek, size, aid=aid, salt=salt)
    while True:
        data = fin.read(CHUNK)
        if not data:
            break
        fout.write(enc.update(data))
    for ct in enc.finalize_chunks():
        fout.write(ct)
    return enc.ref


def _read_exact(fin: BinaryIO, n: int) -> bytes:
    """Read n bytes unless EOF comes first (file objects may return short reads)."""
    data = fin.read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = fin.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def decrypt_attachment(
    fin: BinaryIO, fout: BinaryIO, cek: bytes, att: AttachmentRef, size: int
) -> None:
    """Decrypt and verify an attachment stream, writing the ``size`` true bytes to ``fout``.

    Follows SPEC.md §8.3 step by step. Raises FormatError or AuthError. Plaintext is written
    before the end of the stream is authenticated: on any exception the caller MUST discard
    what was written.
    """
    if not 0 <= size <= MAX_INT or attachment_ct_len(size) != att.ct_len:
        raise FormatError("attachment: ct_len does not match the size in the body")
    _decrypt_stream(fin, fout, cek, att.salt, size, att.hash)


def _decrypt_stream(
    fin: BinaryIO,
    fout: BinaryIO,
    cek: bytes,
    salt: bytes,
    size: int,
    expected_hash: bytes | None,
    *,
    what: str = "attachment",
) -> None:
    """§8.3 steps 2–5 for a ``size`` whose ct_len step 1 accepted. With ``expected_hash`` None
    the chunk hash is neither computed nor compared: the sealed file (§17) has no signed hash to
    compare it to. ``what`` names the object in error messages."""
    ct_len = attachment_ct_len(size)
    aead = AESGCM(_attachment_key(cek, salt))
    chunk_hashes = P.new_sha256()
    chunk_hashes.update(dst("chunks"))
    total_ct = 0
    written = 0
    padding_ok = True
    index = 0
    cur = _read_exact(fin, CT_CHUNK)
    while True:
        # Look ahead one block: the stream's end, not a length field, marks the last chunk.
        nxt = _read_exact(fin, CT_CHUNK) if len(cur) == CT_CHUNK else b""
        last = not nxt
        if len(cur) < P.TAG_LEN:
            raise AuthError(f"{what}: truncated chunk")
        try:
            pt = aead.decrypt(_nonce(index, last), cur, None)
        except InvalidTag:
            raise AuthError(f"{what}: chunk authentication failed") from None
        total_ct += len(cur)
        if expected_hash is not None:
            chunk_hashes.update(P.sha256(cur))
        if last and index > 0 and not pt:
            raise FormatError(f"{what}: empty final chunk after data")
        keep = max(0, min(len(pt), size - written))
        if keep:
            fout.write(pt[:keep] if keep < len(pt) else pt)
            written += keep
        if keep < len(pt) and pt[keep:] != bytes(len(pt) - keep):
            padding_ok = False  # reported after the hash check, as §8.3 orders it
        if last:
            break
        index += 1
        cur = nxt
    if total_ct != ct_len:
        raise AuthError(f"{what}: ciphertext length differs from ct_len")
    if expected_hash is not None and not P.ct_equal(chunk_hashes.finalize(), expected_hash):
        raise AuthError(f"{what}: chunk hash differs from the header")
    if not padding_ok or written != size:
        raise FormatError(f"{what}: bad padding")
