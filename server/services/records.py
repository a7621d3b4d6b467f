"""Records: append-only push with keyless checks, pull by cursor, and chain heads.

The server cannot read a record, but it can check everything SP1 exposes on purpose
(SPEC.md §6, §11): the header is canonical, the signature verifies under the account's own
identity key, the record extends its device's hash chain exactly (no fork, no gap), and every
attachment it names is fully uploaded with the declared length and chunk hash. Each record is
stored in its own transaction, so a batch cut short keeps everything before the cut.

Cursors are a per-account counter incremented in the same transaction as the insert, under the
account row's lock (services/cursors.py): one account's pushes are serialised and a later cursor
is never committed before an earlier one — a puller on PostgreSQL can never skip a record that
commits late, which a global autoincrement would allow.

A pushed record may carry recipient wraps (``shares``, docs/sharing-contract.md §3.2): they are
checked like any share (services/shares.py) and stored in the record's transaction, so a message
and its delivery commit together or not at all. The server also notes which attachments each
record names (``record_attachments``), which is what lets a recipient download them.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import spcrypto
from spcrypto import ChainHead, Envelope, Header
from spcrypto import b64u_decode, b64u_encode
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import clock
from ..db import db
from ..errors import ApiError
from ..models import Account, Alert, Record, RecordAttachment
from . import cursors, devices, directory, receipts, shares, uploads
from .sessions import Current

MAX_WRAP = 1024  # an owner wrap is ~110 bytes of JSON; a recipient wrap ~250


@dataclass(frozen=True)
class Push:
    """One item of ``POST /api/records``: the envelope as received, the owner wrap's JSON and the
    recipient wraps as received (checked when the record is stored)."""

    envelope: Mapping[str, Any]
    wrap: str
    shares: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Stored:
    rid: str
    receipt: dict[str, Any]


def wrap_text(wrap: Mapping[str, Any]) -> str | None:
    """The wrap as compact JSON, or None if it is larger than ``MAX_WRAP`` bytes."""
    text = json.dumps(wrap, separators=(",", ":"), ensure_ascii=False)
    return text if len(text.encode("utf-8")) <= MAX_WRAP else None


def push(current: Current, items: list[Push]) -> list[Stored]:
    """Store ``items`` in order, one transaction each; returns a receipt per record.

    The first failing record stops the batch: its ApiError carries ``rid`` (None if its header
    did not parse) and ``results`` for the records already stored. Codes: 400 invalid-record,
    403 forbidden (another author), 403 device-revoked, 409 chain-fork, chain-gap,
    attachment-missing, record-conflict, and the share codes of services/shares.py for a bad
    wrap in ``shares``.
    """
    bundle = directory.bundle_of(current.account)
    results: list[Stored] = []
    for item in items:
        try:
            results.append(_push_one(current.account, bundle, item))
        except ApiError as exc:
            raise ApiError(exc.code or 400, exc.api_code, exc.description,
                           rid=_rid_of(item), results=[_result_json(r) for r in results]) from None
    devices.mark_synced(current.account.id, current.device_id)
    return results


def _result_json(stored: Stored) -> dict[str, Any]:
    return {"rid": stored.rid, "receipt": stored.receipt}


def _rid_of(item: Push) -> str | None:
    try:
        return b64u_encode(spcrypto.parse_header(item.envelope.get("hdr")).rid)
    except spcrypto.CryptoError:
        return None


def verify_envelope(bundle: spcrypto.Bundle, obj: Mapping[str, Any]) -> tuple[Envelope, Header]:
    """The envelope and its header if it is a valid SP1 record signed by ``bundle``'s owner.

    Raises 400 invalid-record, or 403 forbidden for a record by another author — compared before
    the signature is verified, so someone else's record is "forbidden", not merely invalid.
    """
    try:
        envelope = Envelope.from_json(obj)
        header = spcrypto.parse_header(envelope.hdr)
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-record") from None
    if header.author != bundle.kid:
        raise ApiError.of("forbidden")
    try:
        spcrypto.verify_record(envelope, bundle)
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-record") from None
    return envelope, header


def insert(session: Session, account: Account, envelope: Envelope, header: Header, wrap: str,
           received_ms: int) -> None:
    """Add a checked record to the account in the caller's transaction (which holds the
    account's lock): the next record cursor, and a link to each attachment it names."""
    rid = b64u_encode(header.rid)
    session.add(Record(
        rid=rid, author=b64u_encode(header.author), dev=b64u_encode(header.dev),
        seq=header.seq, entry_hash=b64u_encode(envelope.entry_hash),
        hdr=envelope.hdr.encode("ascii"), body=envelope.body, sig=envelope.sig,
        received_ms=received_ms, account_id=account.id,
        account_seq=cursors.next_record(session, account.id), wrap=wrap))
    session.flush()  # the links reference the record; there is no ORM relationship to order them
    session.add_all(RecordAttachment(rid=rid, aid=b64u_encode(att.aid), account_id=account.id)
                    for att in header.att)
    session.flush()


def _push_one(account: Account, bundle: spcrypto.Bundle, item: Push) -> Stored:
    envelope, header = verify_envelope(bundle, item.envelope)
    rid = b64u_encode(header.rid)
    entry = envelope.entry_hash
    session = db.session()
    try:
        checked = [shares.check(session, account, bundle, wrap, envelope.hdr, readable=True)
                   for wrap in item.shares]
        cursors.lock(session, [account.id, *(c.recipient_id for c in checked)])
        if devices.is_revoked(session, account.id, b64u_encode(header.dev)):
            raise ApiError.of("device-revoked")
        stored_at = _check_chain(session, account.id, envelope, header, b64u_encode(entry))
        if stored_at is None:
            for att in header.att:
                if not uploads.is_complete(session, account.id, b64u_encode(att.aid),
                                           att.ct_len, b64u_encode(att.hash)):
                    raise ApiError.of("attachment-missing")
            stored_at = clock.minute_ms()
            insert(session, account, envelope, header, item.wrap, stored_at)
        # The same record again is the first answer; its shares are still added (each one
        # idempotently), so a retry after a lost answer cannot lose a delivery.
        for one in checked:
            shares.store(session, rid, account.kid, one)
        session.commit()
    except IntegrityError:
        # The chain position and the entry hash were checked under the account lock, so what
        # collided is the rid: a different record already uses it.
        session.rollback()
        raise ApiError.of("record-conflict") from None
    except BaseException:
        session.rollback()
        raise
    return Stored(rid, receipts.receipt(entry, stored_at))


def _check_chain(session: Session, account_id: str, envelope: Envelope, header: Header,
                 entry: str) -> int | None:
    """Under the account lock: the receive time if this exact record is already stored; raises
    409 chain-fork if another record holds its ``(author, dev, seq)`` or a held alert holds its
    chain, 409 chain-gap if it does not extend the stored head (SPEC.md §11, via
    spcrypto.check_chain_link), 409 record-conflict if a held alert uses its rid."""
    author, dev = b64u_encode(header.author), b64u_encode(header.dev)
    at = session.execute(select(Record.entry_hash, Record.received_ms).where(
        Record.author == author, Record.dev == dev, Record.seq == header.seq)).first()
    if at is not None:
        if at.entry_hash == entry:
            return int(at.received_ms)
        raise ApiError.of("chain-fork")
    # A held alert is a record waiting for its place: its one-record chain and its rid are
    # taken until it is released (then it is a record like this one) or deleted.
    if session.scalar(select(Alert.id).where(Alert.account_id == account_id, Alert.dev == dev,
                                             Alert.released_ms.is_(None))) is not None:
        raise ApiError.of("chain-fork")
    if session.scalar(select(Alert.id).where(Alert.id == b64u_encode(header.rid),
                                             Alert.released_ms.is_(None))) is not None:
        raise ApiError.of("record-conflict")
    top = session.execute(
        select(Record.seq, Record.entry_hash).where(Record.author == author, Record.dev == dev)
        .order_by(Record.seq.desc()).limit(1)).first()
    head = None if top is None else ChainHead(header.author, header.dev, int(top.seq),
                                              b64u_decode(top.entry_hash, 32))
    try:
        spcrypto.check_chain_link(head, envelope)
    except spcrypto.ChainError:
        raise ApiError.of("chain-gap") from None
    return None


def envelope_json(record: Record) -> dict[str, str]:
    return {"hdr": record.hdr.decode("ascii"), "body": b64u_encode(record.body),
            "sig": b64u_encode(record.sig)}


def receipt(record: Record) -> dict[str, Any]:
    """The record's receipt (SP1 §12), recomputed: the same record always gets the same one."""
    return receipts.receipt(b64u_decode(record.entry_hash, 32), record.received_ms)


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    next: int
    more: bool


def pull(current: Current, after: int, limit: int) -> Page:
    """This account's records with a cursor above ``after``, in cursor order."""
    rows = list(db.session().scalars(
        select(Record).where(Record.account_id == current.account.id, Record.account_seq > after)
        .order_by(Record.account_seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    page = [{"envelope": envelope_json(r), "wrap": json.loads(r.wrap), "receipt": receipt(r),
             "cursor": r.account_seq} for r in rows]
    devices.mark_synced(current.account.id, current.device_id)
    return Page(page, rows[-1].account_seq if rows else after, more)


def heads(current: Current) -> list[dict[str, Any]]:
    """The stored head ``(dev, seq, entry)`` of each of this account's device chains."""
    kid = current.account.kid
    top = (select(Record.dev, func.max(Record.seq).label("seq"))
           .where(Record.author == kid).group_by(Record.dev).subquery())
    rows = db.session().execute(
        select(Record.dev, Record.seq, Record.entry_hash)
        .join(top, (Record.dev == top.c.dev) & (Record.seq == top.c.seq))
        .where(Record.author == kid).order_by(Record.dev))
    return [{"dev": r.dev, "seq": r.seq, "entry": r.entry_hash} for r in rows]
