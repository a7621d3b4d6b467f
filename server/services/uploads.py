"""Attachment uploads in resumable parts, and downloads, without ever holding a whole file.

The signed record header declares each attachment's ciphertext length and chunk hash
(SP1 §8.1); the server checks both keylessly (§8.2). Ciphertext is stored one SP1 chunk
(65552 B, the last one shorter) per row with its SHA-256, and every part is a whole number of
chunks committed in one transaction. So:

- a cut connection loses at most the part in flight: the stored offset is always the end of the
  last committed part, and ``GET /api/uploads/<aid>`` tells the client where to resume;
- the final check ``SHA-256(DST("chunks") ‖ SHA-256(c_0) ‖ …)`` is computed from the stored
  chunk hashes, so it needs no hash state in memory and works on whichever app server receives
  the last part;
- memory per request is one part (1 MiB), whatever the attachment's size.

Declaring an ``aid`` is idempotent on the same ``(ct_len, hash)``; the ids are the client's
idempotency keys.

An upload left incomplete (a phone wiped or lost mid-sync, a delegate who never synced again)
would otherwise keep its ciphertext forever. Each declaration and part marks the upload with the
UTC day (``touched``: a day, like every stored time here, says little about when someone was
online), and ``purge_stale`` — ``flask --app server uploads purge`` from a daily timer — deletes
the incomplete ones untouched for ``days``. A phone that comes back later
loses nothing: its next sync declares the attachment again and uploads it from offset 0.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from spcrypto import CT_CHUNK, b64u_decode, chunk_hash, is_attachment_ct_len
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import clock, settings
from ..db import db
from ..errors import ApiError
from ..models import Attachment, AttachmentChunk
from . import receipts, shares

DOWNLOAD_BATCH = 16  # chunks read per database round trip when streaming a download (1 MiB)


def declare(account_id: str, aid: str, ct_len: int, hash_text: str) -> tuple[Attachment, bool]:
    """Start (or find) the upload of ``aid``; returns it and whether it is new.

    Raises 400 invalid-request for a length SP1 cannot produce or over ``MAX_ATTACHMENT``, and
    409 upload-conflict if ``aid`` was declared with another length or hash.
    """
    if not (is_attachment_ct_len(ct_len) and ct_len <= settings.current().max_attachment):
        raise ApiError.of("invalid-request",
                          "ct_len is not an SP1 attachment length within the server's limit.")
    try:
        with db.transaction() as session:
            row = session.get(Attachment, (account_id, aid))
            if row is None:
                row = Attachment(account_id=account_id, aid=aid, ct_len=ct_len, hash=hash_text,
                                 received=0, complete_ms=None, touched=clock.today())
                session.add(row)
                created = True
            else:
                created = False
                if row.complete_ms is None and row.touched != clock.today():
                    row.touched = clock.today()  # the phone is back: the grace period restarts
    except IntegrityError:  # a concurrent declaration of the same aid won
        row, created = state(account_id, aid), False
    if (row.ct_len, row.hash) != (ct_len, hash_text):
        raise ApiError.of("upload-conflict")
    return row, created


def receipt(row: Attachment) -> dict[str, Any] | None:
    """The attachment receipt (SP1 §12: the chunk hash, signed with the minute it completed)."""
    if row.complete_ms is None:
        return None
    return receipts.receipt(b64u_decode(row.hash, 32), row.complete_ms)


def state(account_id: str, aid: str) -> Attachment:
    """The upload of ``aid`` by this account; 404 not-found for an unknown aid or another
    account's (the same answer)."""
    row = db.session().get(Attachment, (account_id, aid), populate_existing=True)
    if row is None:
        raise ApiError.of("not-found")
    return row


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes; shorter only at the end of the body (chunked bodies read short)."""
    parts, got = [], 0
    while got < n:
        data = stream.read(n - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _misaligned() -> ApiError:
    return ApiError.of("invalid-request", "A part must be whole SP1 chunks (65552 bytes), ending "
                       "at a chunk boundary or at ct_len, within the declared length.")


def _read_part(stream: BinaryIO, declared: int | None, offset: int, ct_len: int
               ) -> list[tuple[bytes, bytes]]:
    """Read one part as ``[(chunk, sha256)]``, checking its alignment as it streams in."""
    part_size = settings.current().part_size
    remaining = ct_len - offset
    if declared is not None:
        if declared > part_size:
            raise ApiError.of("too-large")
        if declared == 0 or declared > remaining or (declared % CT_CHUNK and declared != remaining):
            raise _misaligned()
    chunks: list[tuple[bytes, bytes]] = []
    total = 0
    # With a declared length, stop at it: under gunicorn (wsgi.input_terminated) werkzeug caps
    # the stream at the route's limit and raises on any read past it, so "read until empty"
    # would turn every full-size part into a 413.
    while declared is None or total < declared:
        want = CT_CHUNK if declared is None else min(CT_CHUNK, declared - total)
        data = _read_exact(stream, want)
        if not data:
            break
        total += len(data)
        if total > part_size:
            raise ApiError.of("too-large")
        if total > remaining or (len(data) < CT_CHUNK and total != remaining):
            raise _misaligned()
        chunks.append((data, hashlib.sha256(data).digest()))
    if total == 0 or (declared is not None and total != declared):
        raise _misaligned()
    return chunks


def write_part(account_id: str, aid: str, offset: int, stream: BinaryIO,
               declared: int | None) -> Attachment:
    """Store one part of ``aid`` starting at ``offset`` from ``stream`` (``declared`` = its
    Content-Length if known).

    Raises 404 not-found, 409 upload-offset (with the stored ``offset``) before reading the
    body, 400 invalid-request for a misaligned part, 413 too-large, and — when the last part
    makes the upload complete but the chunk hash differs from the declared one — 422
    upload-hash after deleting every chunk (the upload restarts at offset 0).
    """
    row = state(account_id, aid)
    if row.complete_ms is not None or offset != row.received:
        stored = row.ct_len if row.complete_ms is not None else row.received
        raise ApiError.of("upload-offset", offset=stored)
    chunks = _read_part(stream, declared, offset, row.ct_len)  # outside any transaction
    end = offset + sum(len(data) for data, _ in chunks)
    first = offset // CT_CHUNK
    hash_failed = False
    with db.transaction() as session:
        moved = session.execute(
            update(Attachment)
            .where(Attachment.account_id == account_id, Attachment.aid == aid,
                   Attachment.received == offset, Attachment.complete_ms.is_(None))
            .values(received=end, touched=clock.today())
        ).rowcount
        if moved != 1:  # a concurrent request stored this part first
            session.rollback()
            current = state(account_id, aid)
            raise ApiError.of("upload-offset", offset=(
                current.ct_len if current.complete_ms is not None else current.received))
        # One executemany for the part's chunks, not a statement per chunk.
        session.execute(insert(AttachmentChunk), [
            {"account_id": account_id, "aid": aid, "idx": first + i, "data": data, "sha256": digest}
            for i, (data, digest) in enumerate(chunks)])
        if end == row.ct_len:
            if _chunk_hash(account_id, aid) == b64u_decode(row.hash, 32):
                session.execute(update(Attachment)
                                .where(Attachment.account_id == account_id, Attachment.aid == aid)
                                .values(complete_ms=clock.minute_ms()))
            else:
                hash_failed = True
                session.execute(delete(AttachmentChunk).where(
                    AttachmentChunk.account_id == account_id, AttachmentChunk.aid == aid))
                session.execute(update(Attachment)
                                .where(Attachment.account_id == account_id, Attachment.aid == aid)
                                .values(received=0))
    if hash_failed:
        raise ApiError.of("upload-hash")
    return state(account_id, aid)


@dataclass(frozen=True)
class Purged:
    uploads: int
    bytes: int  # ciphertext bytes deleted


def purge_stale(days: int) -> Purged:
    """Delete every incomplete upload last touched more than ``days`` UTC days ago, with its
    chunks (ON DELETE CASCADE), in one transaction. No record can name one: a push needs its
    attachments complete (records.py, ``is_complete``).

    A part arriving at the same moment either commits first (the upload is touched today and
    kept: the DELETE re-checks the condition, and PostgreSQL does so against the committed row)
    or finds the upload gone (404 not-found; the next sync declares it again).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = clock.today() - timedelta(days=days)
    stale = (Attachment.complete_ms.is_(None), Attachment.touched < cutoff)
    with db.transaction() as session:
        candidates = session.execute(
            select(Attachment.account_id, Attachment.aid, Attachment.received).where(*stale)).all()
        uploads = freed = 0
        for account_id, aid, received in candidates:
            gone = session.execute(delete(Attachment).where(
                Attachment.account_id == account_id, Attachment.aid == aid, *stale)).rowcount
            uploads, freed = uploads + gone, freed + gone * received
    return Purged(uploads, freed)


def _chunk_hash(account_id: str, aid: str) -> bytes:
    """SP1 §8.1's ``hash`` over the stored chunks, from their stored SHA-256s, in order."""
    return chunk_hash(db.session().scalars(
        select(AttachmentChunk.sha256)
        .where(AttachmentChunk.account_id == account_id, AttachmentChunk.aid == aid)
        .order_by(AttachmentChunk.idx)))


def is_complete(session: Session, account_id: str, aid: str, ct_len: int, hash_text: str) -> bool:
    """True if ``aid`` is fully uploaded by this account with exactly this length and hash."""
    row = session.get(Attachment, (account_id, aid))
    return (row is not None and row.complete_ms is not None and row.ct_len == ct_len
            and row.hash == hash_text)


def download(reader_id: str, aid: str) -> tuple[int, Iterator[bytes]]:
    """The ciphertext length and a generator of its chunks, read a batch at a time on a
    connection of its own.

    The reader's own attachment ``aid`` if there is one; otherwise one she may read through a
    live share of a record naming it (services/shares.py). Incomplete, unknown, or another
    account's without such a share → 404 not-found (the same answer).
    """
    row = db.session().get(Attachment, (reader_id, aid), populate_existing=True)
    if row is None:
        owner = shares.attachment_owner(reader_id, aid)
        row = None if owner is None else db.session().get(Attachment, (owner, aid))
    if row is None or row.complete_ms is None:
        raise ApiError.of("not-found")
    account_id = row.account_id
    count = -(-row.ct_len // CT_CHUNK)
    engine = db.engine

    def chunks() -> Iterator[bytes]:
        for start in range(0, count, DOWNLOAD_BATCH):
            with engine.connect() as conn:
                batch = list(conn.scalars(
                    select(AttachmentChunk.data)
                    .where(AttachmentChunk.account_id == account_id, AttachmentChunk.aid == aid,
                           AttachmentChunk.idx >= start,
                           AttachmentChunk.idx < start + DOWNLOAD_BATCH)
                    .order_by(AttachmentChunk.idx)))
            yield from batch

    return row.ct_len, chunks()
