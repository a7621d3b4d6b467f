"""``/api/inbox``: what other accounts shared with this one, by a per-recipient cursor."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import settings
from ..services import inbox
from . import guards
from .parsing import MAX_INT, query_int

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
def pull() -> Response:
    current = guards.signed_in(csrf=False)
    config = settings.current()
    after = query_int("after", 0, lo=0, hi=MAX_INT)
    limit = query_int("limit", config.max_pull, lo=1, hi=config.max_pull)
    page = inbox.pull(current, after, limit)
    return jsonify({"items": page.items, "next": page.next, "more": page.more})
