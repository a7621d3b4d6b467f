"""Shares: HPKE recipient wraps (SP1 §9.2) that give one account one record, and who may read
what because of them.

A share row is a delivery: the recipient finds it in her inbox (services/inbox.py) and, while it
lives, may download the attachments the record names. Every wrap is checked keylessly, in the
order of docs/sharing-contract.md §3.2, before it is stored:

1. the wrap is ``{"t":"hpke","kid","by","ct","sig"}`` with members of the right sizes
   (400 invalid-wrap);
2. ``by`` is the caller's kid (403 forbidden): nobody attests a share for someone else;
3. ``kid`` is an account's kid (404 recipient-unknown) and not the caller's own (400 invalid-wrap);
4. the caller may address that account (403 not-addressable): it is a focal point or legal
   supporter, or it has itself a live share to the caller — so the relay never becomes a way to
   reach delegates unasked;
5. the caller may read the record: it is her own account's, or she holds a live share of it
   (404 not-found, like an unknown rid);
6. the share attestation verifies under the caller's bundle (400 invalid-wrap).

Storing is idempotent per ``(rid, recipient)``: a live share answers success and changes
nothing. Revoking (by the sharer, or by the record's author) deletes the row; copies already
pulled cannot be recalled.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import spcrypto
from spcrypto import FormatError, b64u_decode
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import clock
from ..db import db
from ..errors import ApiError
from ..models import Account, Record, RecordAttachment, Share
from . import cursors, directory
from .directory import CONTACT_ROLES
from .sessions import Current

MAX_PER_RECORD = 32  # wraps in one pushed record (docs/sharing-contract.md §3.2)
MAX_BATCH = 200  # items of one POST /api/shares
# SP1 §9.2 sizes: kid and by 16 bytes, ct = HPKE enc (32) ‖ AES-GCM(CEK) (32 + 16), sig 64.
_WRAP_SIZES = {"kid": 16, "by": 16, "ct": 80, "sig": 64}


@dataclass(frozen=True)
class Checked:
    """A recipient wrap that passed every check, ready to store."""

    recipient_id: str
    kid: str  # the recipient's
    wrap: str  # compact JSON


def _shape(wrap: Any) -> None:
    if not isinstance(wrap, Mapping) or set(wrap) != {"t", *_WRAP_SIZES} or wrap["t"] != "hpke":
        raise ApiError.of("invalid-wrap")
    try:
        for member, size in _WRAP_SIZES.items():
            b64u_decode(wrap[member], size, what=member)
    except FormatError:
        raise ApiError.of("invalid-wrap") from None


def may_address(session: Session, caller: Account, recipient: Account) -> bool:
    """Anyone may address focal points and legal supporters; anyone else only once they have
    shared something with the caller (a focal point answering the delegate who reported)."""
    if recipient.role in CONTACT_ROLES:
        return True
    return bool(session.scalar(select(exists().where(
        Share.recipient_id == caller.id, Share.by_kid == recipient.kid))))


def may_read(session: Session, account_id: str, record: Record) -> bool:
    """The record is this account's own, or the account holds a live share of it."""
    return record.account_id == account_id or bool(session.scalar(select(exists().where(
        Share.rid == record.rid, Share.recipient_id == account_id))))


def check(session: Session, caller: Account, bundle: spcrypto.Bundle, wrap: Any,
          record_hdr: str | None, readable: bool) -> Checked:
    """Run the checks of the module docstring on one wrap of a record with header text
    ``record_hdr`` (None: no such record) that the caller may (``readable``) or may not read.
    Returns what to store; raises the documented ApiError."""
    _shape(wrap)
    if wrap["by"] != caller.kid:
        raise ApiError.of("forbidden", "A share is attested by someone other than this account.")
    recipient = session.scalar(select(Account).where(Account.kid == wrap["kid"]))
    if recipient is None:
        raise ApiError.of("recipient-unknown")
    if recipient.id == caller.id:
        raise ApiError.of("invalid-wrap", "A share cannot be addressed to its own sharer.")
    if not may_address(session, caller, recipient):
        raise ApiError.of("not-addressable")
    if record_hdr is None or not readable:
        raise ApiError.of("not-found")
    try:
        spcrypto.verify_share(record_hdr, wrap, bundle)
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-wrap") from None
    return Checked(recipient.id, recipient.kid,
                   json.dumps(dict(wrap), separators=(",", ":"), sort_keys=True))


def store(session: Session, rid: str, by_kid: str, checked: Checked) -> bool:
    """Add the share in the caller's transaction, which must hold the recipient's row lock
    (``cursors.lock``); False if a live share of ``rid`` for that recipient already exists."""
    if session.scalar(select(exists().where(Share.rid == rid,
                                            Share.recipient_id == checked.recipient_id))):
        return False
    session.add(Share(rid=rid, recipient_id=checked.recipient_id, by_kid=by_kid,
                      wrap=checked.wrap, created_ms=clock.minute_ms(),
                      recipient_seq=cursors.next_inbox(session, checked.recipient_id)))
    session.flush()
    return True


@dataclass(frozen=True)
class Added:
    rid: str
    to: str  # the recipient's kid


def add(current: Current, items: list[tuple[str, Mapping[str, Any]]]) -> list[Added]:
    """``POST /api/shares``: add wraps to stored records, in order, one transaction each.

    The first failing item stops the batch: its ApiError carries ``rid`` and ``results`` for the
    items already stored.
    """
    bundle = directory.bundle_of(current.account)
    results: list[Added] = []
    for rid, wrap in items:
        try:
            results.append(_add_one(current.account, bundle, rid, wrap))
        except ApiError as exc:
            raise ApiError(exc.code or 400, exc.api_code, exc.description, rid=rid,
                           results=[{"rid": r.rid, "to": r.to} for r in results]) from None
    return results


def _add_one(caller: Account, bundle: spcrypto.Bundle, rid: str, wrap: Mapping[str, Any]
             ) -> Added:
    session = db.session()
    try:
        record = session.scalar(select(Record).where(Record.rid == rid))
        readable = record is not None and may_read(session, caller.id, record)
        hdr = record.hdr.decode("ascii") if record is not None else None
        checked = check(session, caller, bundle, wrap, hdr, readable)
        cursors.lock(session, [checked.recipient_id])
        store(session, rid, caller.kid, checked)
        session.commit()
    except IntegrityError:
        # Only a record deleted under us could break a constraint here; records never are.
        session.rollback()
        raise ApiError.of("not-found") from None
    except BaseException:
        session.rollback()
        raise
    return Added(rid, checked.kid)


@dataclass(frozen=True)
class Made:
    rid: str
    to: str
    created_ms: int


def made_by(current: Current) -> list[Made]:
    """``GET /api/shares``: the live shares this account attested, oldest first."""
    rows = db.session().execute(
        select(Share.rid, Account.kid, Share.created_ms)
        .join(Account, Account.id == Share.recipient_id)
        .where(Share.by_kid == current.account.kid).order_by(Share.id))
    return [Made(r.rid, r.kid, r.created_ms) for r in rows]


def revoke(current: Current, rid: str, kid: str) -> None:
    """Delete the live share of ``rid`` to the account ``kid``; 404 not-found if there is none.

    The sharer may revoke her share, and so may the record's **author**, whoever made it: a
    delegate can withdraw her evidence from a legal supporter a focal point referred it to
    (docs/legal-contract.md §0.3). Anyone else gets not-found, as for an unknown share."""
    with db.transaction() as session:
        recipient = select(Account.id).where(Account.kid == kid).scalar_subquery()
        authored = exists().where(Record.rid == rid, Record.account_id == current.account.id)
        gone = session.execute(delete(Share).where(
            Share.rid == rid, Share.recipient_id == recipient,
            (Share.by_kid == current.account.kid) | authored)).rowcount
        if gone != 1:
            raise ApiError.of("not-found")


def attachment_owner(reader_id: str, aid: str) -> str | None:
    """The account whose attachment ``aid`` the reader may download through a live share of a
    record naming it, or None. If several do (ids are per-account, so a hostile account could
    reuse a known aid), the share delivered to the reader first wins, so a later share cannot
    shadow an earlier one; the reader checks the chunk hash against the signed header anyway."""
    return db.session().scalar(
        select(RecordAttachment.account_id)
        .join(Share, Share.rid == RecordAttachment.rid)
        .where(RecordAttachment.aid == aid, Share.recipient_id == reader_id)
        .order_by(Share.recipient_seq).limit(1))

