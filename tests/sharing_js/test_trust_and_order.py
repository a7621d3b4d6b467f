"""What the sharing service does when the server lies: a contact's key swapped in the directory
(pinned contacts turn "changed" and are never shared with or silently re-pinned), and an inbox
that withholds, repeats or reorders messages or forges a receipt (each report flagged)."""
from __future__ import annotations

import copy
import json

import pytest
from playwright.sync_api import Route

from .steps import delegate_and_verified_focal_point, enrol, header_rid, inbox_rows, incident, kinds_in_order, swapped_directory

pytestmark = pytest.mark.browser

CONSENT = "{ contact: true, statistics: true, legal: false }"
FORMULA = '=HYPERLINK("http://x.example/","a")'


def flip(b64u: str) -> str:
    return ("B" if b64u[0] == "A" else "A") + b64u[1:]


def test_a_key_swapped_in_the_directory_is_caught_and_never_shared_with(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate who pinned and verified focal point A, and a legal supporter L
    delegate = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    legal = enrol(new_device(), make_invite("legal"), "Layla", card="Layla")
    delegate.run("async () => t.s.refreshDirectory()")
    delegate.run("async (uid) => t.s.markVerified(uid)", a.uid)
    rid = incident(delegate, "at the gate")["rid"]
    pinned = {c["uid"]: c for c in delegate.run("async () => t.s.contacts()")}
    assert pinned[a.uid]["state"] == "verified" and pinned[legal.uid]["role"] == "legal"
    number = delegate.run("async (uid) => t.s.safetyNumber(uid)", a.uid)

    # A report goes to legal support only with the delegate's signed consent to it
    no_consent = delegate.attempt(
        f"t.s.share([arg.rid], {{ to: [arg.to], consent: {CONSENT}, confirmUnverified: true }})", {"rid": rid, "to": legal.uid})
    assert no_consent["code"] == "no-consent"

    # When the server swaps A's key for another self-signed bundle with her uid, role and name
    swap = swapped_directory(a)

    delegate.page.route("**/api/directory", swap)
    refreshed = delegate.run("async () => t.s.refreshDirectory()")
    # Then A is "changed", keeps her pinned key, and cannot be shared with or verified
    assert refreshed["changed"] == [a.uid]
    contact = next(c for c in refreshed["contacts"] if c["uid"] == a.uid)
    assert contact["state"] == "changed" and contact["kid"] == pinned[a.uid]["kid"]
    share = f"t.s.share([arg.rid], {{ to: [arg.to], consent: {CONSENT}, confirmUnverified: true }})"
    assert delegate.attempt(share, {"rid": rid, "to": a.uid})["code"] == "key-changed"
    assert delegate.attempt("t.s.markVerified(arg)", a.uid)["code"] == "key-changed"
    assert delegate.attempt("t.s.verifyScanned(arg.uid, arg.code)", {"uid": a.uid, "code": "SP1-SAFETY:" + number.replace(" ", "")})["code"] == "key-changed"
    assert delegate.run("async (uid) => t.s.safetyNumber(uid)", a.uid) == number  # of the pinned key
    # And a second look at the same forgery reports nothing new (it is still "changed")
    assert delegate.run("async () => t.s.refreshDirectory()")["changed"] == []
    delegate.page.unroute("**/api/directory", swap)

    # When the directory shows the pinned key again, A is back to verified
    back = delegate.run("async () => t.s.refreshDirectory()")
    assert back["changed"] == [] and next(c for c in back["contacts"] if c["uid"] == a.uid)["state"] == "verified"

    # When the delegate accepts a new key (after a swap), it is pinned as unverified...
    delegate.page.route("**/api/directory", swap)
    delegate.run("async () => t.s.refreshDirectory()")
    delegate.run("async (uid) => t.s.acceptNewKey(uid)", a.uid)
    accepted = next(c for c in delegate.run("async () => t.s.contacts()") if c["uid"] == a.uid)
    assert accepted["state"] == "unverified" and accepted["kid"] != pinned[a.uid]["kid"]
    assert delegate.run("async (uid) => t.s.safetyNumber(uid)", a.uid) != number
    # A share to a key the server does not know is refused for good, without blocking the sync
    assert delegate.attempt(share, {"rid": rid, "to": a.uid})["ok"]
    refused = delegate.sync()
    assert refused["ok"], refused
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["failed"]
    plan = delegate.run("async () => t.a.plan()")
    assert (plan["records"], plan["wraps"]) == (0, 0)
    delegate.page.unroute("**/api/directory", swap)
    # ...and the real key is then a change again: nothing is ever re-pinned silently
    assert delegate.run("async () => t.s.refreshDirectory()")["changed"] == [a.uid]

    # When the delegate accepts the real key again and shares anew, A receives it
    delegate.run("async (uid) => t.s.acceptNewKey(uid)", a.uid)
    assert delegate.attempt(share, {"rid": rid, "to": a.uid})["ok"]
    assert delegate.sync()["ok"]
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["shared"]
    assert a.sync()["ok"]
    assert [item["rid"] for item in a.run("async () => t.s.inbox()")] == [rid]


def _shares_of(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [rid for rid, kind, _ in kinds_in_order(person) if kind == "sp.share"]


def test_an_inbox_that_withholds_repeats_or_reorders_messages_is_flagged(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate who shares five reports with A, one share at a time
    delegate, a = delegate_and_verified_focal_point(new_device, make_invite)
    # (the first one's place is text a spreadsheet would run as a formula)
    rids = [incident(delegate, f"report {n}", where=FORMULA if n == 1 else "Border post K")["rid"] for n in range(1, 6)]
    share = f"t.s.share([arg.rid], {{ to: [arg.to], consent: {CONSENT} }})"
    for rid in rids[:2]:
        assert delegate.attempt(share, {"rid": rid, "to": a.uid})["ok"]
    assert delegate.sync()["ok"]
    first, second = _shares_of(delegate)

    # When the server delivers the second share message before the first
    answered: list[tuple[int, list[int]]] = []  # (status, where the two were) per inbox request

    def swapped(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        items = body.get("items", [])
        at = [n for n, item in enumerate(items) if header_rid(item) in (first, second)]
        answered.append((answer.status, at))
        if len(at) == 2:
            i, j = at
            items[i], items[j] = items[j], items[i]
            items[i]["cursor"], items[j]["cursor"] = items[j]["cursor"], items[i]["cursor"]
        # (anything else goes through as it came: a handler that raises leaves the page hanging)
        route.fulfill(response=answer, body=json.dumps(body))

    a.page.route("**/api/inbox?*", swapped)
    assert a.sync()["ok"]
    a.page.unroute("**/api/inbox?*", swapped)
    # (CI failed here once with both reports clean and no trace of why: what the route saw and
    # what the phone kept now go with the assertion)
    assert any(len(at) == 2 for _, at in answered), answered
    flags = {item["rid"]: item["flags"] for item in a.run("async () => t.s.inbox()")}
    # Then the late one is flagged as re-ordered; the gap it left was filled, so the other is clean
    assert flags == {rids[0]: ["reorder"], rids[1]: []}, (answered, inbox_rows(a))
    order = a.run("async (rid) => t.s.report(rid)", rids[0])["verification"]["order"]
    assert order == {"state": "warn", "reasons": ["reorder"]}

    # When three more shares go out and the server withholds the fourth message, delivering the
    # third one again in its place, and forges the receipt of the fifth report
    for rid in rids[2:]:
        assert delegate.attempt(share, {"rid": rid, "to": a.uid})["ok"]
    assert delegate.sync()["ok"]
    third, fourth, _fifth = _shares_of(delegate)[2:]

    def lying(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        items = body["items"]
        copy_of_third = next(item for item in items if header_rid(item) == third)
        for n, item in enumerate(items):
            if header_rid(item) == fourth:
                items[n] = {**copy.deepcopy(copy_of_third), "cursor": item["cursor"]}
            elif header_rid(item) == rids[4]:
                item["receipt"]["sig"] = flip(item["receipt"]["sig"])
        route.fulfill(response=answer, body=json.dumps(body))

    a.page.route("**/api/inbox?*", lying)
    pulled = a.sync()
    a.page.unroute("**/api/inbox?*", lying)
    assert pulled["ok"], pulled
    listed = {item["rid"]: item for item in a.run("async () => t.s.inbox()")}
    # Then the repeated message, the gap after the withheld one and the forged receipt are flagged
    assert listed[rids[2]]["flags"] == ["repeat"]
    assert listed[rids[4]]["flags"] == ["receipt-invalid", "gap"]
    assert listed[rids[4]]["verified"] is False
    receipt = a.run("async (rid) => t.s.report(rid)", rids[4])["verification"]["receipt"]
    assert receipt == {"state": "fail", "reasons": ["receipt-invalid"]}
    # And the report whose share message was withheld is there, with no signed consent: it is
    # said to lack its share message and left out of the statistics
    fourth_report = a.run("async (rid) => t.s.report(rid)", rids[3])
    assert fourth_report["consent"] is None
    assert fourth_report["verification"]["order"] == {"state": "warn", "reasons": ["no-share-message"]}
    stats = a.run("async () => t.s.statistics()")
    assert stats["excluded"] == 1 and stats["total"] == 4
    assert stats["byPlace"] == {FORMULA: 1, "Border post K": 3}
    # And the CSV export keeps the formula as text
    csv = a.run("async () => t.s.statisticsCsv()").split("\r\n")
    assert csv[0] == "dimension,value,count" and "place,Border post K,3" in csv
    assert "place,\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"a\"\")\",1" in csv
    # And the honest reports stay verified
    assert listed[rids[1]]["verified"] is True and listed[rids[1]]["flags"] == []
