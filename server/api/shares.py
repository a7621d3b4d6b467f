"""``/api/shares``: add recipient wraps to stored records, list the ones this account made, and
revoke one."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify

from ..services import records, shares
from . import guards
from .parsing import b64u, invalid, json_object, members, path_id, small_object

bp = Blueprint("shares", __name__)


def _items(body: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    batch = body["shares"]
    if not isinstance(batch, list) or not 1 <= len(batch) <= shares.MAX_BATCH:
        raise invalid(f"shares must be a list of 1 to {shares.MAX_BATCH} items.")
    items = []
    for item in batch:
        item = members(item, "shares[]", {"rid", "wrap"})
        b64u(item, "rid", 16)
        # The wrap's members are the service's to check (400 invalid-wrap).
        items.append((str(item["rid"]), small_object(item["wrap"], "wrap", records.MAX_WRAP)))
    return items


@bp.post("/shares")
def add() -> Response:
    current = guards.signed_in(csrf=True)
    added = shares.add(current, _items(members(json_object(), "body", {"shares"})))
    return jsonify({"results": [{"rid": a.rid, "to": a.to} for a in added]})


@bp.get("/shares")
def made() -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify({"shares": [{"rid": m.rid, "to": m.to, "created": m.created_ms}
                               for m in shares.made_by(current)]})


@bp.delete("/shares/<rid>/<kid>")
def revoke(rid: str, kid: str) -> Response:
    current = guards.signed_in(csrf=True)
    shares.revoke(current, path_id(rid), path_id(kid))
    return Response(status=204)
