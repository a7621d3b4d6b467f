"""The inbox: every live share addressed to an account, pulled by a per-recipient cursor.

It works like the record pull of issue 5: ``recipient_seq`` is assigned under the recipient's
account row lock in the transaction that stores the share (services/cursors.py), so a puller
never skips a share that commits late. Revoked shares leave holes in the numbering; nothing else
does. Each item carries what the recipient needs to verify it without trusting the server: the
envelope, the recipient wrap, the record's receipt, and the signed bundles of the author and of
the sharer (who attested the wrap).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..db import db
from ..models import Account, Record, Share
from . import alerts, devices, records
from .sessions import Current


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: int
    more: bool


def _bundle_json(account: Account) -> dict[str, str]:
    return {"bundle": account.bundle, "sig": account.bundle_sig}


def pull(current: Current, after: int, limit: int) -> Page:
    """The shares addressed to this account with a cursor above ``after``, in cursor order.
    Due check-in alerts are released first, so an alert past its deadline is in the answer."""
    alerts.release_due()
    author, sharer = aliased(Account), aliased(Account)
    rows = db.session().execute(
        select(Share, Record, author, sharer)
        .join(Record, Record.rid == Share.rid)
        .join(author, author.id == Record.account_id)
        .join(sharer, sharer.kid == Share.by_kid)
        .where(Share.recipient_id == current.account.id, Share.recipient_seq > after)
        .order_by(Share.recipient_seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{
        "cursor": share.recipient_seq,
        "envelope": records.envelope_json(record),
        "wrap": json.loads(share.wrap),
        "receipt": records.receipt(record),
        "author": _bundle_json(by_author),
        "sharer": _bundle_json(by_sharer),
    } for share, record, by_author, by_sharer in rows]
    devices.mark_synced(current.account.id, current.device_id)
    return Page(items, rows[-1][0].recipient_seq if rows else after, more)
