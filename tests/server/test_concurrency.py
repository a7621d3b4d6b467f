"""Concurrent syncs of one account: cursors are assigned under the account's row lock in the
inserting transaction, so a puller running alongside the pushers never skips a record that
commits late (on PostgreSQL a global autoincrement id would allow exactly that)."""
from __future__ import annotations

import secrets
import threading

from tests.server.factories import Delegate, enrolled_account

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
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def push(device: Delegate) -> None:
        try:
            for _ in range(RECORDS):
                device.push_ok(device.seal())
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def pull() -> None:
        after, finished = 0, False
        try:
            while True:
                finished = done.is_set()  # read before the pull: one more pass after the end
                page = puller.pull(after).get_json()
                seen.extend(r["cursor"] for r in page["records"])
                after = page["next"]
                if finished and not page["more"]:
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(d,)) for d in pushers]
    reader = threading.Thread(target=pull)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    reader.join(60)
    assert not errors, errors
    assert seen == list(range(1, PUSHERS * RECORDS + 1))
