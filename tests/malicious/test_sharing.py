"""The server lies between people: it substitutes its own key for a focal point the delegate has
pinned, and it withholds, replays, reorders or invents messages in a focal point's inbox.

A delegate (Amal) is shared by the module's tests; each test has a focal point of its own, fresh,
so each inbox starts at message number 1 and cursor 0 and one test's lies cannot shift another's.
The sharing service (pwa/js/sharing/) runs in Chromium; the lies come from
tests/support/lying_server.py. (tests/sharing_js/test_trust_and_order.py and
tests/e2e/test_malicious_server.py tell the same stories through page routes and the screens.)"""
from __future__ import annotations

import pytest

from tests.sharing_js.steps import Person, enrol, incident, kinds_in_order

from .conftest import World

pytestmark = pytest.mark.browser

SHARE = "t.s.share([arg.rid], { to: [arg.to], consent: { contact: true, statistics: true, legal: false }, confirmUnverified: true })"


@pytest.fixture(scope="module")
def amal(world: World) -> Person:
    return enrol(world.phone(), world.invite("delegate"), "Amal")


def focal_point(world: World, amal: Person, name: str) -> Person:
    """A focal point who published her card; Amal has fetched the directory and pinned her key
    (not verified: that is her pin alone, with no safety-number check behind it)."""
    maria = enrol(world.phone(), world.invite("focal-point"), name, card=name)
    amal.run("async () => t.s.refreshDirectory()")
    pinned = {c["uid"]: c for c in amal.run("async () => t.s.contacts()")}
    assert pinned[maria.uid]["state"] == "unverified"
    return maria


def share_each(amal: Person, to: Person, titles: list[str]) -> tuple[list[str], list[str]]:
    """Amal logs one report per title and shares each one separately with `to` (one signed share
    message each, numbered 1, 2, ... toward her), then syncs. Returns (report rids, message rids)."""
    reports = []
    for title in titles:
        rid = incident(amal, title)["rid"]
        assert amal.attempt(SHARE, {"rid": rid, "to": to.uid})["ok"]
        reports.append(rid)
    assert amal.sync()["ok"]
    messages = [rid for rid, kind, _ in kinds_in_order(amal) if kind == "sp.share"][-len(titles):]
    return reports, messages


def flags(person: Person) -> dict[str, list[str]]:
    return {item["rid"]: item["flags"] for item in person.run("async () => t.s.inbox()")}


def test_a_substituted_key_for_a_pinned_focal_point_is_flagged_and_nothing_is_wrapped_to_it(  # type: ignore[no-untyped-def]
        world: World, amal: Person, security_figure) -> None:
    # Given a focal point whose key Amal's phone pinned from the directory
    maria = focal_point(world, amal, "Maria S")
    pinned = next(c for c in amal.run("async () => t.s.contacts()") if c["uid"] == maria.uid)
    rid = incident(amal, "to share with Maria")["rid"]
    sent_before = len(world.lying.requests)
    # When the directory answers a key pair the operator made, with her account id, role and name
    armed = world.lying.arm("substituted-key", account=maria.uid)
    refreshed = amal.run("async () => t.s.refreshDirectory()")
    # Then she is flagged "changed" and keeps the pinned key
    assert armed.hits == 1 and refreshed["changed"] == [maria.uid], refreshed
    contact = next(c for c in refreshed["contacts"] if c["uid"] == maria.uid)
    assert contact["state"] == "changed" and contact["kid"] == pinned["kid"]
    # And sharing with her is refused before anything is sealed
    assert amal.attempt(SHARE, {"rid": rid, "to": maria.uid})["code"] == "key-changed"
    assert amal.sync()["ok"]
    world.lying.disarm()
    # And nothing the phone sent names the substitute key
    substitute = armed.state["kid"].encode()
    assert [r.path for r in world.lying.requests[sent_before:] if substitute in r.body] == []
    assert amal.run("async () => t.a.plan()")["wraps"] == 0
    # And when the directory shows her real key again, she is back as she was
    back = amal.run("async () => t.s.refreshDirectory()")
    assert next(c for c in back["contacts"] if c["uid"] == maria.uid)["state"] == "unverified"
    security_figure("malicious.substituted-key", "detected", "substituted directory key for a pinned contact")


def test_a_message_withheld_from_the_inbox_is_flagged(  # type: ignore[no-untyped-def]
        world: World, amal: Person, security_figure) -> None:
    maria = focal_point(world, amal, "Maria W")
    reports, messages = share_each(amal, maria, ["withheld: one", "withheld: two", "withheld: three"])
    # When the server withholds the second share message from Maria's inbox
    armed = world.lying.arm("withhold-message", rids=[messages[1]])
    assert maria.sync()["ok"]
    world.lying.disarm()
    # Then the message after it shows the gap, and the report whose message was withheld says it
    # has no signed share message (so no signed consent)
    assert armed.hits == 1
    got = flags(maria)
    assert got[reports[2]] == ["gap"] and got[reports[0]] == [], got
    order = maria.run("async (rid) => t.s.report(rid)", reports[1])["verification"]["order"]
    assert order == {"state": "warn", "reasons": ["no-share-message"]}
    security_figure("malicious.withheld-message", "detected", "message withheld from a focal point's inbox")


def test_a_message_replayed_in_the_inbox_is_flagged(  # type: ignore[no-untyped-def]
        world: World, amal: Person, security_figure) -> None:
    maria = focal_point(world, amal, "Maria R")
    reports, messages = share_each(amal, maria, ["replayed: one", "replayed: two"])
    # When the server delivers the first share message again, in the second one's place
    armed = world.lying.arm("replay-message", rid=messages[0], instead_of=messages[1])
    assert maria.sync()["ok"]
    world.lying.disarm()
    # Then the message delivered twice is flagged as a repeat (and stored once)
    assert armed.hits == 1
    assert flags(maria)[reports[0]] == ["repeat"]
    assert len(maria.run("async () => t.s.inbox()")) == 2
    security_figure("malicious.replayed-message", "detected", "message replayed in a focal point's inbox")


def test_messages_reordered_in_the_inbox_are_flagged(  # type: ignore[no-untyped-def]
        world: World, amal: Person, security_figure) -> None:
    maria = focal_point(world, amal, "Maria O")
    reports, messages = share_each(amal, maria, ["reordered: one", "reordered: two"])
    # When the server delivers the second share message before the first
    armed = world.lying.arm("reorder-messages", rids=(messages[0], messages[1]))
    assert maria.sync()["ok"]
    world.lying.disarm()
    # Then the late one is flagged as re-ordered; the gap it filled is no longer flagged
    assert armed.hits == 1
    assert flags(maria) == {reports[0]: ["reorder"], reports[1]: []}
    security_figure("malicious.reordered-messages", "detected", "messages reordered in a focal point's inbox")


def test_a_report_the_server_forged_in_the_inbox_is_rejected_unopened(  # type: ignore[no-untyped-def]
        world: World, amal: Person, security_figure) -> None:
    maria = focal_point(world, amal, "Maria F")
    reports, _ = share_each(amal, maria, ["genuine: one"])
    amal_kid = amal.run("async () => t.sp.b64uEncode(t.port.unlocked().identity.kid)")
    # When the server slips in a report "from Amal", wrapped to Maria's real key, signed by its own
    armed = world.lying.arm("inject-message", author=amal_kid, title="Planted by the server")
    assert maria.sync()["ok"]
    world.lying.disarm()
    # Then it is rejected and not opened: only its count is kept, never its content
    assert armed.hits == 1
    assert maria.run("async () => t.s.rejectedCount()") == 1
    listed = maria.run("async () => t.s.inbox()")
    assert [item["rid"] for item in listed] == reports
    assert listed[0]["verified"] is True
    assert "Planted by the server" not in maria.run("async () => JSON.stringify(await t.dumpIdb())")
    security_figure("malicious.injected-message", "detected", "report forged by the server in a focal point's inbox")
