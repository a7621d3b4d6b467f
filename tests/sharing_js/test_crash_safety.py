"""Sharing survives a killed page and lost answers: what a share queues is in IndexedDB before
any request, and every request "Sync now" repeats is idempotent on the server, so nothing is
lost and nothing arrives twice."""
from __future__ import annotations

import pytest
from playwright.sync_api import Route

from .steps import delegate_and_verified_focal_point, incident, reopen

pytestmark = pytest.mark.browser

CONSENT = "{ contact: true, statistics: false, legal: false }"


def _lose_answer(route: Route) -> None:
    """The server commits, the phone never hears back."""
    route.fetch()
    route.abort("connectionreset")


def test_a_share_survives_a_killed_page_and_lost_answers(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate whose report is already on the server, and a focal point
    delegate, a = delegate_and_verified_focal_point(new_device, make_invite)
    rid = incident(delegate, "already synced")["rid"]
    assert delegate.sync()["ok"]

    # When she shares it and the phone kills the page before any sync
    assert delegate.attempt(f"t.s.share([arg.rid], {{ to: [arg.to], consent: {CONSENT} }})", {"rid": rid, "to": a.uid})["ok"]
    context = delegate.page.context
    delegate.page.close(run_before_unload=False)
    delegate.page = context.new_page()
    reopen(delegate)
    # Then the share is still queued after unlocking again
    plan = delegate.run("async () => t.a.plan()")
    assert plan["messages"] == 1 and plan["wraps"] == 2, plan
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["queued"]

    # When the answers of the push (message + its wrap) and then of the added wrap are lost
    delegate.run("async () => (await import('/js/sync/api.js')).setRetryPolicy({ attempts: 1 })")
    for path in ("**/api/records", "**/api/shares"):
        delegate.page.route(path, _lose_answer)
        assert delegate.sync()["code"] == "offline"
        delegate.page.unroute(path, _lose_answer)
    delegate.run("async () => (await import('/js/sync/api.js')).setRetryPolicy(null)")
    # Then the next sync completes: the server answers the repeats as it did the first time
    done = delegate.sync()
    assert done["ok"], done
    after = delegate.run("async () => t.a.plan()")
    assert (after["records"], after["messages"], after["wraps"], after["revocations"]) == (0, 0, 0, 0)
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["shared"]

    # And the focal point receives it exactly once
    got = a.sync()
    assert got["ok"] and got["value"]["received"]["inbox"] == 2, got
    [item] = a.run("async () => t.s.inbox()")
    assert item["rid"] == rid and item["flags"] == [] and item["verified"] is True
    assert a.sync()["value"]["received"]["inbox"] == 0
