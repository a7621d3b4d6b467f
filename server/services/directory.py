"""The directory: the focal points and legal supporters a delegate can pick, with their signed
bundles and the contact cards they publish (SP1 §5.4).

The server serves what the contacts signed and nothing it could rewrite: a card is verified under
its account's own bundle before it is stored, and clients verify both again and pin the bundle, so
a relay that swapped a name would need another key — which pinning and safety numbers catch.
Delegates are not listed and cannot publish a card: their names travel only inside their own
encrypted messages.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import spcrypto
from sqlalchemy import select

from ..db import db
from ..errors import ApiError
from ..models import Account, Card
from . import cursors
from .sessions import Current

# Roles anyone may find and address (docs/sharing-contract.md §3.1, §3.2).
CONTACT_ROLES = ("focal-point", "legal")


@dataclass(frozen=True)
class Contact:
    account: Account
    card: Card | None


def contacts() -> list[Contact]:
    """Every focal point and legal supporter, ordered by account id, with its card if any."""
    rows = db.session().execute(
        select(Account, Card).outerjoin(Card, Card.account_id == Account.id)
        .where(Account.role.in_(CONTACT_ROLES)).order_by(Account.id))
    return [Contact(account, card) for account, card in rows]


def bundle_of(account: Account) -> spcrypto.Bundle:
    """The account's verified bundle. (It was verified at enrolment; verifying again is how
    spcrypto hands out a Bundle, and it catches a tampered row.)"""
    return spcrypto.verify_bundle({"bundle": account.bundle, "sig": account.bundle_sig})


def put_card(current: Current, signed: Mapping[str, Any]) -> None:
    """Publish (or replace) the caller's contact card.

    Raises 403 forbidden for a delegate and 400 invalid-card unless ``signed`` verifies with
    ``spcrypto.verify_card`` under the caller's own bundle.
    """
    account = current.account
    if account.role not in CONTACT_ROLES:
        raise ApiError.of("forbidden", "Only focal points and legal supporters publish a card.")
    try:
        spcrypto.verify_card(signed, bundle_of(account))
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-card") from None
    with db.transaction() as session:
        cursors.lock(session, [account.id])  # two devices publishing at once: one after the other
        row = session.get(Card, account.id)
        if row is None:
            session.add(Card(account_id=account.id, card=signed["card"], sig=signed["sig"]))
        else:
            row.card, row.sig = signed["card"], signed["sig"]
