"""``/api/directory``: the focal points and legal supporters, and their signed contact cards."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ..services import directory
from . import guards
from .parsing import b64u, json_object, members, text

bp = Blueprint("directory", __name__)

MAX_CARD = 1024  # characters of card text; a card with the longest name and org is ~480


def contact_json(contact: directory.Contact) -> dict[str, Any]:
    account, card = contact.account, contact.card
    return {
        "account": account.id,
        "role": account.role,
        "bundle": {"bundle": account.bundle, "sig": account.bundle_sig},
        "card": None if card is None else {"card": card.card, "sig": card.sig},
    }


@bp.get("/directory")
def contacts() -> Response:
    guards.signed_in(csrf=False)
    return jsonify({"contacts": [contact_json(c) for c in directory.contacts()]})


@bp.put("/directory/card")
def put_card() -> Response:
    current = guards.signed_in(csrf=True)
    body = members(json_object(), "body", {"card", "sig"})
    text(body, "card", max_len=MAX_CARD)
    b64u(body, "sig", 64)
    directory.put_card(current, body)
    return Response(status=204)
