"""The inbox: a focal point pulls what was shared with her by a cursor of her own, in the order the
server stored it, a page at a time — and never misses a share that commits late while several
delegates share with her at once (the cursor is assigned under her account row's lock)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from tests.server.factories import Delegate, enrolled_account
from tests.server.racing import cursors_seen_while_writing

SHARERS, REPORTS = 3, 6


def test_pages_follow_the_focal_points_own_cursor(app) -> None:  # type: ignore[no-untyped-def]
    focal = enrolled_account(app.test_client(), role="focal-point")
    first, second = (enrolled_account(app.test_client()) for _ in range(2))
    # Two delegates share five reports, interleaved; their own record cursors differ from hers
    for who in (first, second, first, second, first):
        who.push_ok(who.seal(to=(focal,)))
    page = focal.inbox(limit=2).get_json()
    assert [i["cursor"] for i in page["items"]] == [1, 2]
    assert page["next"] == 2 and page["more"] is True
    page = focal.inbox(after=2, limit=2).get_json()
    assert [i["cursor"] for i in page["items"]] == [3, 4] and page["more"] is True
    page = focal.inbox(after=4).get_json()
    assert [i["cursor"] for i in page["items"]] == [5] and page["next"] == 5
    assert page["more"] is False
    empty = focal.inbox(after=5).get_json()
    assert empty == {"items": [], "next": 5, "more": False}
    # Who shared what is in each item, signed
    authors = [i["author"]["bundle"] for i in focal.inbox().get_json()["items"]]
    assert authors == [w.answer["account"]["bundle"]["bundle"]
                       for w in (first, second, first, second, first)]


def test_the_inbox_refuses_bad_cursors(app) -> None:  # type: ignore[no-untyped-def]
    focal = enrolled_account(app.test_client(), role="focal-point")
    for query in ("?after=-1", "?after=x", "?limit=0", "?limit=201", "?after=1e3"):
        response = focal.get(f"/api/inbox{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "invalid-request"


def test_a_puller_alongside_concurrent_sharers_sees_every_share_once_in_order(app) -> None:  # type: ignore[no-untyped-def]
    focal = enrolled_account(app.test_client(), role="focal-point")
    sharers = [enrolled_account(app.test_client()) for _ in range(SHARERS)]
    puller = Delegate(app.test_client(), focal.username, focal.role, focal.keys,
                      focal.account_id, focal.device, "", focal.answer)
    assert puller.sign_in().status_code == 200
    def share(delegate: Delegate) -> Callable[[], None]:
        def run() -> None:
            for _ in range(REPORTS):
                delegate.push_ok(delegate.seal(to=(focal,)))
        return run

    seen = cursors_seen_while_writing([share(d) for d in sharers],
                                      lambda after: puller.inbox(after).get_json(), "items")
    assert seen == list(range(1, SHARERS * REPORTS + 1))


def test_crossed_shares_between_two_accounts_do_not_deadlock(app) -> None:  # type: ignore[no-untyped-def]
    # A delegate and a focal point who shared with each other push to each other at once: each
    # push locks both accounts, always in the same order, so neither waits for the other forever.
    delegate = enrolled_account(app.test_client())
    focal = enrolled_account(app.test_client(), role="focal-point")
    delegate.push_ok(delegate.seal(to=(focal,)))
    errors: list[BaseException] = []

    def send(sender: Delegate, to: Delegate) -> None:
        try:
            for _ in range(REPORTS):
                sender.push_ok(sender.seal(to=(to,)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=pair)
               for pair in ((delegate, focal), (focal, delegate))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(focal.inbox_items()) == REPORTS + 1
    assert len(delegate.inbox_items()) == REPORTS
