"""``/api/devices``: list this account's devices, revoke a lost or seized one."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..services import devices
from . import guards
from .parsing import path_id

bp = Blueprint("devices", __name__)


@bp.get("/devices")
def list_devices() -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify({"devices": [{
        "id": d.id,
        "current": d.id == current.device_id,
        "revoked": d.revoked,
        "created": d.created.isoformat(),
        "last_sync": d.last_sync.isoformat() if d.last_sync else None,
    } for d in devices.list_devices(current.account.id)]})


@bp.post("/devices/<device_id>/revoke")
def revoke(device_id: str) -> Response:
    current = guards.signed_in(csrf=True)
    devices.revoke(current.account.id, path_id(device_id))
    response = Response(status=204)
    if device_id == current.device_id:  # revoking this device signs it out
        guards.clear_session_cookie(response)
    return response
