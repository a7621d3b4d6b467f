"""``GET /api/server``: the receipt key clients pin at enrolment, and the sync limits."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..services import receipts

bp = Blueprint("server_info", __name__)


@bp.get("/server")
def server_info() -> Response:
    return jsonify(receipts.server_info())
