"""What a shared report and a verified contact carry over, in Chromium against the live server:
an edit of a report already shared goes to the people who hold it (and not to one who was
revoked), merges included, with every check of the focal point still passing; and a contact
verified on one phone is verified on the delegate's next phone, where a key the server swaps —
even before that phone ever saw the real one — is caught as "changed"."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from .steps import Person, another_phone, delegate_and_verified_focal_point, enrol, incident, kinds_in_order, swapped_directory

pytestmark = pytest.mark.browser

CONSENT = "{ contact: true, statistics: true, legal: false }"
SHARE = f"t.s.share(arg.rids, {{ to: arg.to, consent: {CONSENT} }})"
ALL_OK = {"signature": "ok", "chain": "ok", "receipt": "ok", "sender": "ok", "order": "ok"}


def edit(person: Person, rid: str, what: str, merges: Sequence[str] = ()) -> dict[str, Any]:
    """The delegate saves a new version of the incident `rid` (resolving `merges`, if any)."""
    return person.run(
        """async ({ rid, what, merges }) => {
              const { current } = await t.v.getIncident(rid);
              return t.v.saveIncident({ ...current.content, what }, { supersedes: rid, merges });
           }""",
        {"rid": rid, "what": what, "merges": list(merges)},
    )


def shares(person: Person, rid: str) -> list[tuple[str, str, bool]]:
    return [(s["uid"], s["state"], s["update"]) for s in person.run("async (rid) => t.s.sharesOf(rid)", rid)]


def contact(person: Person, uid: str) -> dict[str, Any]:
    return next(c for c in person.run("async () => t.s.contacts()") if c["uid"] == uid)


def checks(report: dict[str, Any]) -> dict[str, str]:
    return {name: check["state"] for name, check in report["verification"].items()}


def test_an_edit_of_a_shared_report_follows_it_to_those_who_still_hold_it(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate who shared a report with focal points A and B, then revoked B
    delegate = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    b = enrol(new_device(), make_invite("focal-point"), "Bashir", card="Bashir")
    delegate.run("async () => t.s.refreshDirectory()")
    for uid in (a.uid, b.uid):
        delegate.run("async (uid) => t.s.markVerified(uid)", uid)
    first = incident(delegate, "held at the gate", text="first account")["rid"]
    assert delegate.attempt(SHARE, {"rids": [first], "to": [a.uid, b.uid]})["ok"]
    assert delegate.sync()["ok"]
    assert a.sync()["ok"] and b.sync()["ok"]
    a.run("async (uid) => t.s.markVerified(uid)", delegate.uid)
    delegate.run("async ({ rid, uid }) => t.s.revoke(rid, uid)", {"rid": first, "uid": b.uid})
    assert delegate.sync()["ok"]
    assert b.sync()["ok"] and b.run("async () => t.s.inbox()") == []

    # When she corrects the report
    second = edit(delegate, first, "corrected account")["rid"]
    # Then "Shared with" says the new version goes to A with the next sync; B gets nothing
    assert shares(delegate, second) == [(a.uid, "shared", True)]
    plan = delegate.run("async () => t.a.plan()")
    assert (plan["records"], plan["messages"], plan["wraps"]) == (2, 1, 2), plan  # version + share; a wrap of each for A
    # And the share she did not make by hand is signed like hers: same consent, the new version
    forwarded = delegate.run(
        """async () => [...t.port.unlocked().records.values()].filter((r) => r.message && r.message.kind === 'sp.share')
              .sort((x, y) => x.header.seq - y.header.seq).map((r) => r.message)""")
    a_kid = contact(delegate, a.uid)["kid"]
    last = forwarded[-1]
    assert [x["rid"] for x in last["items"]] == [second] and last["to"] == [a_kid] and last["n"] == {a_kid: 2}
    assert last["consent"] == forwarded[0]["consent"] == {"contact": True, "statistics": True, "legal": False}

    # When she syncs
    sent = delegate.sync()
    assert sent["ok"], sent
    assert sent["value"]["sent"]["messages"] == 1
    assert shares(delegate, second) == [(a.uid, "shared", False)]
    # And A syncs
    got = a.sync()
    assert got["ok"] and got["value"]["received"]["inbox"] == 2, got
    # Then A's inbox shows the report once, at its new version, every check passed
    [entry] = a.run("async () => t.s.inbox()")
    assert entry["rid"] == second and entry["verified"] is True and entry["flags"] == []
    report = a.run("async (rid) => t.s.report(rid)", first)
    assert report["rid"] == second and report["content"]["what"] == "corrected account"
    assert checks(report) == ALL_OK
    assert report["versions"] == [first, second]
    assert report["consent"] == {"contact": True, "statistics": True, "legal": False}
    # And her statistics count it once
    assert a.run("async () => t.s.statistics()")["total"] == 1

    # When the delegate makes two versions of it (a conflict on one phone) and then merges them
    left = edit(delegate, second, "left version")["rid"]
    right = edit(delegate, second, "right version")["rid"]
    merged = edit(delegate, left, "merged account", merges=[right])["rid"]
    assert shares(delegate, merged) == [(a.uid, "shared", True)]
    assert delegate.run("async () => t.a.plan()")["messages"] == 3
    assert delegate.sync()["ok"]
    # Then A has every version, the merge shown, her numbering unbroken
    assert a.sync()["ok"]
    [entry] = a.run("async () => t.s.inbox()")
    assert entry["rid"] == merged and entry["flags"] == [] and entry["verified"] is True
    report = a.run("async (rid) => t.s.report(rid)", merged)
    assert report["content"]["what"] == "merged account" and checks(report) == ALL_OK
    assert report["versions"][:2] == [first, second] and set(report["versions"][2:4]) == {left, right}
    assert report["versions"][4] == merged

    # And B, who was revoked, received nothing of any of it
    got_b = b.sync()
    assert got_b["ok"] and got_b["value"]["received"]["inbox"] == 0
    assert b.run("async () => t.s.inbox()") == []
    for rid in (second, merged):
        assert b.attempt("t.s.report(arg)", rid)["code"] == "not-found"
    # And nothing is left queued on the delegate's phone
    after = delegate.run("async () => t.a.plan()")
    assert (after["records"], after["wraps"], after["revocations"]) == (0, 0, 0)


def test_a_version_saved_while_the_page_died_is_forwarded_by_the_next_sync(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate whose report is shared with A
    delegate, a = delegate_and_verified_focal_point(new_device, make_invite)
    first = incident(delegate, "searched")["rid"]
    assert delegate.attempt(SHARE, {"rids": [first], "to": [a.uid]})["ok"]
    assert delegate.sync()["ok"]
    # When a new version is saved but its forwarding never ran (the page died in between)
    delegate.run("async () => t.port.onNewVersion(null)")
    second = edit(delegate, first, "more detail")["rid"]
    assert delegate.run("async () => t.a.plan()")["messages"] == 0
    # Then the next sync forwards it all the same
    sent = delegate.sync()
    assert sent["ok"] and sent["value"]["sent"]["messages"] == 1, sent
    assert a.sync()["ok"]
    [entry] = a.run("async () => t.s.inbox()")
    assert entry["rid"] == second and entry["flags"] == []


def test_a_verified_contact_stays_verified_on_a_new_phone_and_a_swap_is_caught(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate who verifies focal point A on her first phone
    phone1 = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    phone1.run("async () => t.s.refreshDirectory()")
    real_kid = contact(phone1, a.uid)["kid"]
    phone1.run("async (uid) => t.s.markVerified(uid)", a.uid)
    # Then her chain holds a contact note for her own devices only: no recipient, no incident
    notes = phone1.run(
        """async () => [...t.port.unlocked().records.values()].filter((r) => r.kind === 'sp.contact')
              .map((r) => ({ contact: r.contact, rcpt: r.header.rcpt, incident: r.incident, message: r.message }))""")
    assert notes == [{"contact": {"uid": a.uid, "kid": real_kid, "state": "verified", "ts": notes[0]["contact"]["ts"]},
                      "rcpt": [], "incident": None, "message": None}]
    assert phone1.run("async () => t.v.listIncidents()") == []
    # (marking her again seals nothing more)
    phone1.run("async (uid) => t.s.markVerified(uid)", a.uid)
    assert [kind for _, kind, _ in kinds_in_order(phone1)].count("sp.contact") == 1
    assert phone1.sync()["ok"]

    # When she signs in on a second phone, syncs and updates her contacts there
    phone2 = another_phone(phone1, new_device())
    assert phone2.sync()["ok"]
    assert phone2.run("async () => t.s.contacts()") == []
    assert phone2.run("async () => t.s.refreshDirectory()")["changed"] == []
    # Then A is verified there too, and nothing of the note shows as an incident
    mine = contact(phone2, a.uid)
    assert mine["state"] == "verified" and mine["kid"] == real_kid and mine["conflict"] is False
    assert phone2.run("async () => t.v.listIncidents()") == []
    rid = incident(phone2, "from the second phone")["rid"]
    assert phone2.attempt(SHARE, {"rids": [rid], "to": [a.uid]})["ok"]  # no "Share anyway" needed

    # When the server then swaps A's key on that phone
    swap = swapped_directory(a)
    phone2.page.route("**/api/directory", swap)
    assert phone2.run("async () => t.s.refreshDirectory()")["changed"] == [a.uid]
    phone2.page.unroute("**/api/directory", swap)
    # Then A is "changed" and cannot be shared with
    assert contact(phone2, a.uid)["state"] == "changed"
    assert phone2.attempt(SHARE, {"rids": [rid], "to": [a.uid]})["code"] == "key-changed"

    # When she signs in on a third phone whose very first directory answer is the forged one
    phone3 = another_phone(phone1, new_device())
    phone3.page.route("**/api/directory", swap)
    refreshed = phone3.run("async () => t.s.refreshDirectory()")
    phone3.page.unroute("**/api/directory", swap)
    # Then the forged key is pinned but not trusted: her own record names another key
    assert refreshed["changed"] == [a.uid]
    caught = contact(phone3, a.uid)
    assert caught["state"] == "changed" and caught["conflict"] is True and caught["kid"] != real_kid
    rid3 = incident(phone3, "from the third phone")["rid"]
    share = f"t.s.share(arg.rids, {{ to: arg.to, consent: {CONSENT}, confirmUnverified: true }})"
    assert phone3.attempt(share, {"rids": [rid3], "to": [a.uid]})["code"] == "key-changed"
    assert phone3.attempt("t.s.markVerified(arg)", a.uid)["code"] == "key-changed"
    # And when the directory shows the real key again, the phone pins it, verified
    assert phone3.run("async () => t.s.refreshDirectory()")["changed"] == []
    back = contact(phone3, a.uid)
    assert back["state"] == "verified" and back["kid"] == real_kid and back["conflict"] is False
    assert phone3.attempt(SHARE, {"rids": [rid3], "to": [a.uid]})["ok"]


def test_a_key_accepted_on_one_phone_is_the_one_the_others_expect(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate on two phones who both verified A
    phone1, a = delegate_and_verified_focal_point(new_device, make_invite)
    assert phone1.sync()["ok"]
    phone2 = another_phone(phone1, new_device())
    phone2.run("async () => t.s.refreshDirectory()")
    assert contact(phone2, a.uid)["state"] == "verified"

    # When phone 1 is shown another key for A and she accepts it there
    swap = swapped_directory(a)
    phone1.page.route("**/api/directory", swap)
    phone1.run("async () => t.s.refreshDirectory()")
    phone1.run("async (uid) => t.s.acceptNewKey(uid)", a.uid)
    phone1.page.unroute("**/api/directory", swap)
    accepted = contact(phone1, a.uid)
    assert accepted["state"] == "unverified"
    assert phone1.sync()["ok"]
    # Then phone 2, still pinned to the old key, says A changed once it has synced
    assert phone2.sync()["ok"]
    changed = contact(phone2, a.uid)
    assert changed["state"] == "changed" and changed["conflict"] is True
    # And accepting there the key that phone was given settles it on that phone
    phone2.run("async (uid) => t.s.acceptNewKey(uid)", a.uid)
    settled = contact(phone2, a.uid)
    assert settled["state"] == "unverified" and settled["conflict"] is False
