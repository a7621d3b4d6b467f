"""Server-side sessions: a random 256-bit token in the cookie, its SHA-256 in the database.

A database copy therefore holds no usable session. A session belongs to one device of one
account, dies after ``SESSION_IDLE_SECONDS`` without use or ``SESSION_ABSOLUTE_SECONDS`` after
sign-in, is replaced on every sign-in (no fixation), and is deleted on sign-out and when its
device is revoked. Activity is recorded to the minute, so a busy sync writes the row at most
once a minute and the table never says more precisely when someone was online.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from spcrypto import FormatError
from spcrypto import b64u_decode, b64u_encode
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import clock, settings
from ..db import db
from ..errors import ApiError
from ..models import Account, AuthSession, Device

TOKEN_LEN = 32


@dataclass(frozen=True)
class Opened:
    """A new session: ``token`` goes into the cookie, ``csrf`` into the answer body."""

    token: str
    csrf: str


@dataclass(frozen=True)
class Current:
    """The signed-in account and device of a request."""

    account: Account
    device_id: str
    csrf: str
    token_hash: str

    def csrf_matches(self, presented: str | None) -> bool:
        # Constant time: the comparison must not tell an attacker how much of a guess was right.
        return presented is not None and hmac.compare_digest(
            presented.encode("utf-8"), self.csrf.encode("utf-8"))


def _hash(token: str) -> str | None:
    """SHA-256 of the cookie's token, or None if the cookie cannot be one of ours."""
    try:
        raw = b64u_decode(token, TOKEN_LEN)
    except FormatError:
        return None
    return b64u_encode(hashlib.sha256(raw).digest())


def open_session(session: Session, account_id: str, device_id: str,
                 replaces: str | None = None) -> Opened:
    """Add a session row in the caller's transaction, deleting the one the browser presented
    (``replaces``, the old cookie), so sign-in always rotates the token."""
    if replaces and (old := _hash(replaces)):
        session.execute(delete(AuthSession).where(AuthSession.token_hash == old))
    token = b64u_encode(secrets.token_bytes(TOKEN_LEN))
    csrf = b64u_encode(secrets.token_bytes(32))
    now = clock.minute_ms()
    session.add(AuthSession(token_hash=_hash(token), account_id=account_id, device_id=device_id,
                            csrf=csrf, created_ms=now, seen_ms=now))
    return Opened(token, csrf)


def authenticate(token: str | None) -> Current:
    """The live session for the cookie's ``token``; raises 401 unauthenticated for a missing,
    unknown, expired or killed one (one answer for all). Records activity to the minute."""
    token_hash = _hash(token) if token else None
    if token_hash is None:
        raise ApiError.of("unauthenticated")
    config = settings.current()
    now = clock.now_ms()
    with db.transaction() as session:
        # One query for the session, its device and its account: this runs on every request.
        found = session.execute(
            select(AuthSession, Device.revoked, Account)
            .join(Device, (Device.account_id == AuthSession.account_id)
                  & (Device.id == AuthSession.device_id))
            .join(Account, Account.id == AuthSession.account_id)
            .where(AuthSession.token_hash == token_hash)).first()
        if found is None:
            raise ApiError.of("unauthenticated")
        row, revoked, account = found
        if (revoked or now - row.seen_ms > config.session_idle_ms
                or now - row.created_ms > config.session_absolute_ms):
            session.delete(row)
            session.commit()
            raise ApiError.of("unauthenticated")
        minute = clock.minute_ms()
        if minute > row.seen_ms:
            row.seen_ms = minute
        return Current(account, row.device_id, row.csrf, token_hash)


def close(token: str | None) -> None:
    """Delete the session named by ``token`` (sign-out). Unknown tokens are ignored."""
    token_hash = _hash(token) if token else None
    if token_hash is not None:
        with db.transaction() as session:
            session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))


def end_device(session: Session, account_id: str, device_id: str) -> None:
    """Delete every session of one device, in the caller's transaction (revocation)."""
    session.execute(delete(AuthSession).where(AuthSession.account_id == account_id,
                                              AuthSession.device_id == device_id))
