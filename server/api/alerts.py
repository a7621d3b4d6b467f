"""``/api/alerts``: hold a check-in or duress alert, list them, check in, and release a duress
alert by its token (the one route here without a session: the duress decoy has none)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify

from ..models import Alert
from ..services import alerts, records
from . import guards
from .parsing import b64u, integer, invalid, json_object, members, path_id, small_object

bp = Blueprint("alerts", __name__)


def alert_json(row: Alert) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "deadline": row.deadline_ms,
            "state": "held" if row.released_ms is None else "released",
            "released": row.released_ms}


def _hold(body: Mapping[str, Any]) -> alerts.Hold:
    kind = body["kind"]
    if kind not in alerts.KINDS:
        raise invalid("kind must be checkin or duress.")
    if ("deadline" in body, "token" in body) != (kind == "checkin", kind == "duress"):
        raise invalid("A checkin alert needs deadline and a duress alert needs token (only).")
    if not isinstance(body["envelope"], dict):
        raise invalid("envelope must be a JSON object.")
    wrap = records.wrap_text(small_object(body["wrap"], "wrap", records.MAX_WRAP))
    wraps = body["shares"]
    if not isinstance(wraps, list) or not 1 <= len(wraps) <= alerts.MAX_SHARES:
        raise invalid(f"shares must be a list of 1 to {alerts.MAX_SHARES} wraps.")
    return alerts.Hold(
        kind=kind, envelope=body["envelope"], wrap=str(wrap),
        shares=tuple(small_object(w, "shares[]", records.MAX_WRAP) for w in wraps),
        deadline_ms=integer(body, "deadline") if kind == "checkin" else None,
        token=b64u(body, "token", alerts.TOKEN_LEN) if kind == "duress" else None)


@bp.post("/alerts")
def hold() -> tuple[Response, int]:
    current = guards.signed_in(csrf=True)
    body = members(json_object(), "body", {"kind", "envelope", "wrap", "shares"},
                   frozenset({"deadline", "token"}))
    row = alerts.hold(current, _hold(body))
    return jsonify({"id": row.id, "kind": row.kind, "deadline": row.deadline_ms}), 201


@bp.get("/alerts")
def list_alerts() -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify({"alerts": [alert_json(a) for a in alerts.list_alerts(current)]})


@bp.post("/alerts/<alert_id>/checkin")
def checkin(alert_id: str) -> Response:
    current = guards.signed_in(csrf=True)
    alerts.checkin(current, path_id(alert_id))
    return Response(status=204)


@bp.post("/alerts/release")
def release() -> Response:
    """No session (the duress decoy has none): the 256-bit token is the credential. The API's
    Origin check still applies, and a tight per-address rate limit (config RATELIMITS)."""
    body = members(json_object(), "body", {"token"})
    alerts.release_by_token(b64u(body, "token", alerts.TOKEN_LEN))
    return Response(status=204)
