"""Devices: every install that signs in to an account, named by the SP1 ``dev`` id its records
carry. Revoking one (lost or seized) deletes its sessions, refuses its sign-ins and refuses any
record on its chain; signing in again from that phone needs the passphrase and the Secret Key
and makes a new device.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import clock
from ..db import db
from ..errors import ApiError
from ..models import Device
from . import sessions


def register(session: Session, account_id: str, device_id: str) -> Device:
    """The account's device ``device_id``, added if new, in the caller's transaction; raises
    403 device-revoked for a revoked one."""
    device = session.get(Device, (account_id, device_id))
    if device is None:
        device = Device(account_id=account_id, id=device_id, revoked=False, created=clock.today())
        session.add(device)
        session.flush()  # sessions reference it; there is no ORM relationship to order inserts
    elif device.revoked:
        raise ApiError.of("device-revoked")
    return device


def list_devices(account_id: str) -> list[Device]:
    return list(db.session().scalars(
        select(Device).where(Device.account_id == account_id)
        .order_by(Device.created, Device.id)))


def revoke(account_id: str, device_id: str) -> None:
    """Revoke one of the account's devices (idempotent). Another account's device and an unknown
    one both raise the same 404 not-found."""
    with db.transaction() as session:
        device = session.get(Device, (account_id, device_id))
        if device is None:
            raise ApiError.of("not-found")
        device.revoked = True
        sessions.end_device(session, account_id, device_id)


def is_revoked(session: Session, account_id: str, device_id: str) -> bool:
    device = session.get(Device, (account_id, device_id))
    return device is not None and device.revoked


def mark_synced(account_id: str, device_id: str) -> None:
    """Record the day this device last pushed or pulled (at most one write a day)."""
    today = clock.today()
    with db.transaction() as session:
        session.execute(
            update(Device)
            .where(Device.account_id == account_id, Device.id == device_id,
                   (Device.last_sync.is_(None)) | (Device.last_sync != today))
            .values(last_sync=today))
