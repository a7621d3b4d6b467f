"""Concurrent syncs of one account: cursors are assigned under the account's row lock in the
inserting transaction, so a puller running alongside the pushers never skips a record that
commits late (on PostgreSQL a global autoincrement id would allow exactly that)."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from tests.server.factories import Delegate, enrolled_account
from tests.server.racing import cursors_seen_while_writing

PUSHERS, RECORDS = 3, 8


def _device(app, owner: Delegate) -> Delegate:  # type: ignore[no-untyped-def]
    device = Delegate(app.test_client(), owner.username, owner.role, owner.keys,
                      owner.account_id, secrets.token_bytes(16), "", owner.answer)
    assert device.sign_in(device.device).status_code == 200
    return device


def test_a_puller_alongside_concurrent_pushers_sees_every_record_once_in_order(app) -> None:  # type: ignore[no-untyped-def]
    owner = enrolled_account(app.test_client())
    pushers = [owner] + [_device(app, owner) for _ in range(PUSHERS - 1)]
    puller = _device(app, owner)

    def push(device: Delegate) -> Callable[[], None]:
        def run() -> None:
            for _ in range(RECORDS):
                device.push_ok(device.seal())
        return run

    seen = cursors_seen_while_writing([push(d) for d in pushers],
                                      lambda after: puller.pull(after).get_json(), "records")
    assert seen == list(range(1, PUSHERS * RECORDS + 1))
