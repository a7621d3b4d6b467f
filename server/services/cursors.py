"""Per-account counters assigned under the account row's lock: the record cursor (an account's own
records) and the inbox cursor (the shares addressed to it).

A counter is incremented with ``UPDATE accounts SET … = … + 1 … RETURNING`` in the transaction
that inserts the row it numbers. The update takes the account row's lock until commit, so rows
that one counter numbers commit in counter order: a puller that has seen cursor n can never later
find a row below n committing late (a global autoincrement would allow exactly that on
PostgreSQL).

A transaction that numbers rows of several accounts (a record pushed with its shares, an alert
released) first locks every account involved with ``lock``, in account id order: two such
transactions then always queue on the same row first and can never deadlock. On SQLite the first
write takes the database's write lock, so the same calls serialise writers there.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..models import Account


def lock(session: Session, account_ids: Iterable[str]) -> None:
    """Lock these accounts' rows (a no-op update each), in id order, until the transaction ends."""
    for account_id in sorted(set(account_ids)):
        session.execute(update(Account).where(Account.id == account_id)
                        .values(inbox_counter=Account.inbox_counter))


def next_record(session: Session, account_id: str) -> int:
    """The next record cursor of ``account_id`` (locks its row)."""
    value = session.scalar(
        update(Account).where(Account.id == account_id)
        .values(record_counter=Account.record_counter + 1).returning(Account.record_counter))
    if value is None:  # not an assert: python -O would drop it
        raise RuntimeError("the account row is missing, yet the caller is signed in to it")
    return int(value)


def next_inbox(session: Session, account_id: str) -> int:
    """The next inbox cursor of ``account_id`` (locks its row)."""
    value = session.scalar(
        update(Account).where(Account.id == account_id)
        .values(inbox_counter=Account.inbox_counter + 1).returning(Account.inbox_counter))
    if value is None:  # not an assert: python -O would drop it
        raise RuntimeError("the recipient row is missing, yet this request looked it up")
    return int(value)
