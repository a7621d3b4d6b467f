"""Held alerts: the check-in timer and the duress alert (docs/sharing-contract.md §3.4).

An alert is an ``sp.alert`` record alone in a fresh device chain (``seq = 1``, a ``dev`` the
account never used), with an owner wrap and recipient wraps. The server holds it apart and
undelivered — the recipients cannot see that it exists — until its condition:

- a **check-in** alert is released once ``server.clock`` passes its deadline (checked before every
  inbox and alerts answer, and by ``flask --app server alerts release-due``), unless the delegate
  checks in first, which deletes it and leaves nothing;
- a **duress** alert is released by its bearer token (``POST /api/alerts/release``, no session:
  the duress decoy has none). Only the token's SHA-256 is stored.

Releasing stores the alert as an ordinary record of the account, with the minute it was first
held as its receipt time (so an early release shows), and its wraps as ordinary shares, which then
appear in the recipients' inboxes. The alert row stays, emptied of its payload, so the delegate's
devices can list that it went out. Why a chain of its own: deleting a held alert on check-in must
not leave a gap in a chain the server and the other devices check.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import spcrypto
from spcrypto import Envelope, b64u_encode
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .. import clock
from ..db import db
from ..errors import ApiError
from ..models import Account, Alert, Device, Record
from . import cursors, directory, records, shares
from .sessions import Current

KINDS = ("checkin", "duress")
MAX_SHARES = 16
TOKEN_LEN = 32
MIN_DELAY_MS = clock.MINUTE_MS  # a check-in deadline is at least a minute away …
MAX_DELAY_MS = 90 * 24 * clock.HOUR_MS  # … and at most 90 days


@dataclass(frozen=True)
class Hold:
    """A parsed ``POST /api/alerts`` body: shapes checked, nothing else yet."""

    kind: str
    envelope: Mapping[str, Any]
    wrap: str  # the owner wrap, compact JSON
    shares: tuple[Any, ...]
    deadline_ms: int | None  # check-in only
    token: bytes | None  # duress only


def token_hash(token: bytes) -> str:
    return b64u_encode(hashlib.sha256(token).digest())


def _minute_ceil(ms: int) -> int:
    return -(-ms // clock.MINUTE_MS) * clock.MINUTE_MS


def hold(current: Current, request: Hold) -> Alert:
    """Check and hold a new alert; returns its row.

    Raises the record checks' 400 invalid-record and 403 forbidden, the share checks' codes
    (services/shares.py) for each wrap, 400 invalid-alert (deadline out of range, not a fresh
    one-record chain: ``seq != 1``, attachments, or a ``dev`` the account already used; a token
    already in use) and 409 record-conflict (the rid is taken). Repeating the same alert returns
    the first answer. The deadline is kept rounded up to the minute (never earlier than asked).
    """
    account = current.account
    deadline = None
    if request.deadline_ms is not None:
        now = clock.now_ms()
        if not now + MIN_DELAY_MS <= request.deadline_ms <= now + MAX_DELAY_MS:
            raise ApiError.of("invalid-alert", "deadline must be 1 minute to 90 days from now.")
        deadline = _minute_ceil(request.deadline_ms)
    bundle = directory.bundle_of(account)
    envelope, header = records.verify_envelope(bundle, request.envelope)
    rid, dev = b64u_encode(header.rid), b64u_encode(header.dev)
    session = db.session()
    try:
        same = _same_alert(session, account.id, rid, envelope)
        if same is not None:
            session.rollback()
            return same
        if header.seq != 1 or header.att:
            raise ApiError.of("invalid-alert", "An alert must be the only record of a fresh "
                              "device chain, without attachments.")
        checked = [shares.check(session, account, bundle, wrap, envelope.hdr, readable=True)
                   for wrap in request.shares]
        cursors.lock(session, [account.id])
        if _dev_used(session, account, dev):
            raise ApiError.of("invalid-alert", "An alert needs a device id never used before.")
        if (session.get(Alert, rid) is not None
                or session.scalar(select(exists().where(Record.rid == rid)))):
            raise ApiError.of("record-conflict")
        hashed = None if request.token is None else token_hash(request.token)
        if hashed is not None and session.scalar(
                select(exists().where(Alert.token_hash == hashed))):
            raise ApiError.of("invalid-alert", "This release token is already in use.")
        row = Alert(
            id=rid, account_id=account.id, dev=dev, kind=request.kind, deadline_ms=deadline,
            token_hash=hashed, hdr=envelope.hdr.encode("ascii"), body=envelope.body,
            sig=envelope.sig, wrap=request.wrap,
            shares=json.dumps([{"to": c.recipient_id, "wrap": c.wrap} for c in checked]),
            created_ms=clock.minute_ms(), released_ms=None)
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


def _same_alert(session: Session, account_id: str, rid: str, envelope: Envelope
                ) -> Alert | None:
    """This account's alert with this rid if it is the same record (a retry), else None."""
    row = session.get(Alert, rid)
    if row is None or row.account_id != account_id:
        return None
    if row.released_ms is None:
        same = row.hdr == envelope.hdr.encode("ascii") and row.body == envelope.body \
            and row.sig == envelope.sig
    else:
        same = session.scalar(select(exists().where(
            Record.rid == rid, Record.entry_hash == b64u_encode(envelope.entry_hash)))) or False
    return row if same else None


def _dev_used(session: Session, account: Account, dev: str) -> bool:
    """Whether ``dev`` is any chain or device of the account (or another of its alerts)."""
    return bool(
        session.scalar(select(exists().where(Record.author == account.kid, Record.dev == dev)))
        or session.get(Device, (account.id, dev)) is not None
        or session.scalar(select(exists().where(Alert.account_id == account.id,
                                                Alert.dev == dev))))


def list_alerts(current: Current) -> list[Alert]:
    """The account's alerts, held and released, oldest first (due ones released first)."""
    release_due()
    return list(db.session().scalars(
        select(Alert).where(Alert.account_id == current.account.id)
        .order_by(Alert.created_ms, Alert.id)))


def checkin(current: Current, alert_id: str) -> None:
    """Delete a held alert (for a duress alert: cancel it). Due alerts are released first, so a
    check-in after the deadline is too late: 409 alert-released. Another account's or an unknown
    id: 404 not-found."""
    release_due()
    with db.transaction() as session:
        cursors.lock(session, [current.account.id])  # queue behind a release in progress
        row = session.scalar(select(Alert).where(Alert.id == alert_id)
                             .execution_options(populate_existing=True))
        if row is None or row.account_id != current.account.id:
            raise ApiError.of("not-found")
        if row.released_ms is not None:
            raise ApiError.of("alert-released")
        session.delete(row)


def release_by_token(token: bytes) -> None:
    """Release the duress alert registered with ``token`` (idempotent: releasing it again
    succeeds and changes nothing); 404 not-found for an unknown token."""
    alert_id = db.session().scalar(select(Alert.id).where(Alert.token_hash == token_hash(token)))
    if alert_id is None:
        raise ApiError.of("not-found")
    _release(alert_id)


def release_due() -> int:
    """Release every check-in alert whose deadline has passed; returns how many went out."""
    due = list(db.session().scalars(
        select(Alert.id).where(Alert.kind == "checkin", Alert.released_ms.is_(None),
                               Alert.deadline_ms <= clock.now_ms())
        .order_by(Alert.deadline_ms, Alert.id)))
    return sum(_release(alert_id) for alert_id in due)


def _held(session: Session, alert_id: str) -> Alert | None:
    """The alert as the database has it now, if it is still held."""
    return session.scalar(select(Alert).where(Alert.id == alert_id, Alert.released_ms.is_(None))
                          .execution_options(populate_existing=True))


def _release(alert_id: str) -> bool:
    """Store a held alert as a record with its shares, in one transaction; False if it was
    released (or deleted) meanwhile."""
    with db.transaction() as session:
        row = _held(session, alert_id)
        if row is None:
            return False
        wraps = json.loads(row.shares or "[]")
        cursors.lock(session, [row.account_id, *(w["to"] for w in wraps)])
        row = _held(session, alert_id)  # again under the locks: a concurrent release or
        if row is None:                 # check-in has finished by now
            return False
        account = session.get(Account, row.account_id)
        if (account is None or row.hdr is None or row.body is None or row.sig is None
                or row.wrap is None):  # not an assert: python -O would drop it
            raise RuntimeError("a held alert lost its payload or its account")
        envelope = Envelope(row.hdr.decode("ascii"), row.body, row.sig)
        records.insert(session, account, envelope, spcrypto.parse_header(envelope.hdr),
                       row.wrap, row.created_ms)
        for wrap in wraps:
            recipient = session.get(Account, wrap["to"])
            if recipient is not None:
                shares.store(session, row.id, account.kid,
                             shares.Checked(recipient.id, recipient.kid, wrap["wrap"]))
        row.released_ms = clock.minute_ms()
        row.hdr = row.body = row.sig = row.wrap = row.shares = None
    return True
