"""``/api/records``: push sealed records, pull them by cursor, read the chain heads."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify

from .. import settings
from ..services import records, shares
from . import guards
from .parsing import MAX_INT, invalid, json_object, members, query_int, small_object

bp = Blueprint("records", __name__)


def _items(body: Mapping[str, Any]) -> list[records.Push]:
    """The batch, shape-checked as a whole before anything is stored."""
    batch = body["records"]
    limit = settings.current().max_batch
    if not isinstance(batch, list) or not 1 <= len(batch) <= limit:
        raise invalid(f"records must be a list of 1 to {limit} items.")
    items = []
    for item in batch:
        item = members(item, "records[]", {"envelope", "wrap"}, frozenset({"shares"}))
        if not isinstance(item["envelope"], dict):
            raise invalid("envelope must be a JSON object.")
        if not isinstance(item["wrap"], dict):
            raise invalid("wrap must be a JSON object.")
        wrap = records.wrap_text(item["wrap"])
        if wrap is None:
            raise invalid(f"wrap must be at most {records.MAX_WRAP} bytes of JSON.")
        # Recipient wraps: their members are the service's to check (400 invalid-wrap).
        wraps = item.get("shares", [])
        if not isinstance(wraps, list) or len(wraps) > shares.MAX_PER_RECORD:
            raise invalid(f"shares must be a list of at most {shares.MAX_PER_RECORD} wraps.")
        recipients = tuple(small_object(w, "shares[]", records.MAX_WRAP) for w in wraps)
        items.append(records.Push(item["envelope"], wrap, recipients))
    return items


@bp.post("/records")
def push() -> Response:
    current = guards.signed_in(csrf=True)
    items = _items(members(json_object(), "body", {"records"}))
    stored = records.push(current, items)
    return jsonify({"results": [{"rid": s.rid, "receipt": s.receipt} for s in stored]})


@bp.get("/records")
def pull() -> Response:
    current = guards.signed_in(csrf=False)
    config = settings.current()
    after = query_int("after", 0, lo=0, hi=MAX_INT)
    limit = query_int("limit", config.max_pull, lo=1, hi=config.max_pull)
    page = records.pull(current, after, limit)
    return jsonify({"records": page.records, "next": page.next, "more": page.more})


@bp.get("/records/heads")
def heads() -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify({"heads": records.heads(current)})
