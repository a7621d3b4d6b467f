"""Invitations: the only way in (phishing of invite links is a live state threat).

An operator creates one with ``flask --app server invite create --role R``; the token is 32
random bytes that travel only in the URL fragment (browsers never send a fragment to a server)
and the database keeps only their SHA-256, so neither a log nor a database copy can be used to
enrol. A token is redeemed by deleting its row inside the enrolment transaction, which makes
redemption atomic: of two concurrent enrolments with one token, exactly one commits.
"""
from __future__ import annotations

import hashlib
import secrets

from spcrypto import FormatError
from spcrypto import b64u_decode, b64u_encode
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import clock, settings
from ..db import db
from ..errors import ApiError
from ..models import Invite

ROLES = ("delegate", "focal-point", "legal")
TOKEN_LEN = 32  # 256 bits: far beyond guessing, even without the rate limit on enrolment


def token_hash(token: bytes) -> str:
    return b64u_encode(hashlib.sha256(token).digest())


def create_invite(role: str, hours: int | None = None) -> str:
    """Store a new single-use invite for ``role`` valid ``hours`` (default 72); return the token
    text (unpadded base64url). Call inside an app context. Raises ValueError for an unknown role
    or an out-of-range duration. Expired invites are purged on the way."""
    config = settings.current()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    hours = config.invite_default_hours if hours is None else hours
    if not 1 <= hours <= config.invite_max_hours:
        raise ValueError(f"hours must be from 1 to {config.invite_max_hours}")
    token = secrets.token_bytes(TOKEN_LEN)
    now = clock.now_ms()
    with db.transaction() as session:
        session.execute(delete(Invite).where(Invite.expires_ms <= now))
        session.add(Invite(token_hash=token_hash(token), role=role,
                           expires_ms=clock.hour_ceil_ms(now + hours * clock.HOUR_MS)))
    return b64u_encode(token)


def invite_url(token: str, role: str | None = None) -> str:
    """``PUBLIC_URL/#invite=<token>&role=<role>`` (docs/sync-api.md "Invite URLs").

    Without ``role``, the stored invite's role is used (inside an app context); raises
    ValueError if there is no such live invite.
    """
    if role is None:
        try:
            role = peek(b64u_decode(token, TOKEN_LEN)).role
        except (FormatError, ApiError):
            raise ValueError("no live invite has this token") from None
    return f"{settings.current().public_url}/#invite={token}&role={role}"


def peek(token: bytes) -> Invite:
    """The live invite for ``token``, without using it up; raises 410 invite-invalid."""
    invite = db.session().scalar(select(Invite).where(
        Invite.token_hash == token_hash(token), Invite.expires_ms > clock.now_ms()))
    if invite is None:
        raise ApiError.of("invite-invalid")
    return invite


def redeem(session: Session, token: bytes) -> str:
    """Use up the invite inside the caller's transaction and return its role; raises 410
    invite-invalid for an unknown, used or expired token (one answer for all three). If the
    caller's transaction rolls back, the invite is still there."""
    role = session.scalar(
        delete(Invite)
        .where(Invite.token_hash == token_hash(token), Invite.expires_ms > clock.now_ms())
        .returning(Invite.role)
    )
    if role is None:
        raise ApiError.of("invite-invalid")
    return role
