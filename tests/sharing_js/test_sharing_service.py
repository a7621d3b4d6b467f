"""The sharing service (pwa/js/sharing/, issue 6) in Chromium against the live server: a delegate
shares a report with a photo with one focal point, who verifies it, reads it and acknowledges it;
the delegate sees the answer; a second focal point sees nothing; revocation removes it from the
first focal point's inbox; and IndexedDB on every phone holds nothing of it in clear.

Each person is a phone of their own (a browser context). Argon2id (64 MiB) runs only where a
real person would: creating a vault."""
from __future__ import annotations

import hashlib

import pytest

from tests.e2e.leaks import find_leaks
from tests.vault.test_vault_service import CANARIES

from .steps import enrol, idb_bytes, incident

pytestmark = pytest.mark.browser

PHOTO = bytes((i * 31 + 7) & 255 for i in range(150_000))  # 3 ciphertext chunks
NAME_A = "Maria-كناري-a41c"
NAME_DELEGATE = "Amal-canary-d3f2"
NOTE = "note-canary-77e1 only for focal points"


def test_share_verify_acknowledge_revoke_and_nothing_in_clear(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate and two focal points who published their cards
    delegate = enrol(new_device(), make_invite("delegate"), NAME_DELEGATE)
    a = enrol(new_device(), make_invite("focal-point"), NAME_A, card=NAME_A)
    b = enrol(new_device(), make_invite("focal-point"), "Bashir", card="Bashir")

    # When the delegate refreshes the directory
    directory = delegate.run("async () => t.s.refreshDirectory()")
    # Then both focal points are pinned, unverified, with the names their cards sign (the live
    # server's database also holds the focal points of earlier tests)
    assert directory["changed"] == []
    by_uid = {c["uid"]: c for c in directory["contacts"]}
    assert {a.uid, b.uid} <= set(by_uid) and delegate.uid not in by_uid
    assert by_uid[a.uid]["name"] == NAME_A and by_uid[a.uid]["state"] == "unverified"
    assert by_uid[a.uid]["role"] == "focal-point" and by_uid[a.uid]["source"] == "directory"

    # Given an incident with a photo
    logged = incident(delegate, "checkpoint " + CANARIES[0], text=" ".join(CANARIES), files=[("photo.jpg", "image/jpeg", PHOTO)])
    rid = logged["rid"]
    share = "t.s.share([arg.rid], { to: [arg.to], consent: { contact: true, statistics: true, legal: false }, confirmUnverified: arg.confirm })"
    # When she shares it with an unverified focal point, it is refused until she confirms
    refused = delegate.attempt(share, {"rid": rid, "to": a.uid, "confirm": False})
    assert refused["code"] == "unverified-contact"
    # And a code scanned from someone else is not A's
    wrong = delegate.attempt("t.s.verifyScanned(arg, 'SP1-SAFETY:' + '0'.repeat(60))", a.uid)
    assert wrong["code"] == "mismatch"
    # And a share needs a recipient
    assert delegate.attempt("t.s.share([arg], { to: [], consent: { contact: true, statistics: true, legal: false } })", rid)["code"] == "invalid"
    shared = delegate.attempt(share, {"rid": rid, "to": a.uid, "confirm": True})
    assert shared["ok"], shared
    # Then it is queued: the share message and two wraps (the message's and the report's)
    plan = delegate.run("async () => t.a.plan()")
    assert plan["messages"] == 1 and plan["wraps"] == 2 and plan["records"] == 2, plan
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["queued"]

    # When the delegate syncs
    sent = delegate.sync()
    assert sent["ok"], sent
    assert sent["value"]["sent"]["messages"] == 1 and sent["value"]["sent"]["wraps"] == 0
    assert delegate.run("async () => t.a.plan()")["wraps"] == 0
    assert [(s["uid"], s["state"], s["name"]) for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == [(a.uid, "shared", NAME_A)]

    # And A syncs
    got = a.sync()
    assert got["ok"], got
    assert got["value"]["received"]["inbox"] == 2 and got["value"]["received"]["attachments"] == 1
    # Then A has pinned the delegate as a sender, named by her signed message
    contacts = a.run("async () => t.s.contacts()")
    assert [(c["uid"], c["source"], c["state"], c["name"]) for c in contacts if c["role"] == "delegate"] == [
        (delegate.uid, "sender", "unverified", NAME_DELEGATE)]
    # And both phones show the same safety number; A scans the delegate's code
    number_a = a.run("async (uid) => t.s.safetyNumber(uid)", delegate.uid)
    assert len(number_a.split(" ")) == 12 and all(len(g) == 5 for g in number_a.split(" "))
    assert number_a == delegate.run("async (uid) => t.s.safetyNumber(uid)", a.uid)
    code = delegate.run("async (uid) => t.s.qrText(uid)", a.uid)
    assert code == "SP1-SAFETY:" + number_a.replace(" ", "")
    a.run("async ({ uid, code }) => t.s.verifyScanned(uid, code)", {"uid": delegate.uid, "code": code})
    delegate.run("async (uid) => t.s.markVerified(uid)", a.uid)

    # Then the report is in A's inbox, every check passed
    listed = a.run("async () => t.s.inbox()")
    assert len(listed) == 1
    item = listed[0]
    assert item["rid"] == rid and item["kind"] == "report" and item["verified"] is True and item["flags"] == []
    assert item["title"] == "checkpoint " + CANARIES[0] and item["type"] == "device-search" and item["status"] == "new"
    assert item["sender"]["uid"] == delegate.uid and item["sender"]["state"] == "verified" and item["attachments"] == 1
    report = a.run("async (rid) => t.s.report(rid)", rid)
    assert {k: v["state"] for k, v in report["verification"].items()} == {
        "signature": "ok", "chain": "ok", "receipt": "ok", "sender": "ok", "order": "ok"}
    assert report["content"]["what"] == " ".join(CANARIES) and report["content"]["where"] == "Border post K"
    assert report["consent"] == {"contact": True, "statistics": True, "legal": False}
    assert report["coRecipients"] == [] and report["statuses"] == [] and report["status"] == "new"
    [att] = report["attachments"]
    assert att["name"] == "photo.jpg" and att["mime"] == "image/jpeg" and att["size"] == len(PHOTO) and att["available"] is True
    sha = a.run("async ({ rid, aid }) => t.sha(await t.s.readAttachment(rid, aid))", {"rid": rid, "aid": att["aid"]})
    assert sha == hashlib.sha256(PHOTO).hexdigest()
    # And its statistics count it, with a formula-safe CSV
    stats = a.run("async () => t.s.statistics()")
    assert stats["total"] == 1 and stats["excluded"] == 0 and stats["byType"] == {"device-search": 1}
    assert stats["byMonth"] == {"2026-11": 1} and stats["byPlace"] == {"Border post K": 1}
    csv = a.run("async () => t.s.statisticsCsv()")
    assert csv.splitlines()[0] == "dimension,value,count" and "month,2026-11,1" in csv.splitlines()

    # And B, who was not chosen, received nothing
    got_b = b.sync()
    assert got_b["ok"] and got_b["value"]["received"]["inbox"] == 0
    assert b.run("async () => t.s.inbox()") == []
    assert b.attempt("t.s.report(arg)", rid)["code"] == "not-found"

    # When A acknowledges and adds a note, and both sync
    a.run("async (rid) => t.s.acknowledge([rid])", rid)
    a.run("async ({ rid, note }) => t.s.addNote(rid, note)", {"rid": rid, "note": NOTE})
    assert a.sync()["ok"]
    assert delegate.sync()["ok"]
    # Then the delegate sees that A holds it and acknowledged it
    [held] = delegate.run("async (rid) => t.s.sharesOf(rid)", rid)
    assert held["uid"] == a.uid and held["state"] == "shared"
    assert [(s["status"], s["by"]["uid"]) for s in held["statuses"]] == [("acknowledged", a.uid)]
    # And A's own view shows the status and the note (the note never went to the delegate)
    report = a.run("async (rid) => t.s.report(rid)", rid)
    assert report["status"] == "acknowledged" and [n["text"] for n in report["notes"]] == [NOTE]
    assert a.run("async () => t.s.inbox({ status: 'acknowledged' })")[0]["rid"] == rid
    assert a.run("async () => t.s.inbox({ status: 'new' })") == []
    assert a.run("async () => t.s.inbox({ q: 'CANARY-ascii' })")[0]["rid"] == rid

    # Nothing of it is in clear in any phone's IndexedDB
    secrets = {f"canary{i}": c for i, c in enumerate(CANARIES)}
    secrets |= {"name A": NAME_A, "name delegate": NAME_DELEGATE, "note": NOTE, "status": "acknowledged",
                "place": "Border post K", "photo": PHOTO[1000:1064].hex()}
    for person in (delegate, a, b):
        haystack = idb_bytes(person)
        assert find_leaks(haystack, secrets) == [], person.role
        assert PHOTO[1000:1064] not in haystack

    # When the delegate revokes A
    delegate.run("async ({ rid, uid }) => t.s.revoke(rid, uid)", {"rid": rid, "uid": a.uid})
    assert [s["state"] for s in delegate.run("async (rid) => t.s.sharesOf(rid)", rid)] == ["revoking"]
    assert delegate.run("async () => t.a.plan()")["revocations"] == 1
    assert delegate.sync()["ok"]
    assert delegate.run("async (rid) => t.s.sharesOf(rid)", rid) == []
    # Then after A syncs, the report is gone from her inbox, its photo from her phone
    assert a.sync()["ok"]
    assert a.run("async () => t.s.inbox()") == []
    assert a.run("async () => (await t.raw('chunks')).filter(([k]) => String(k[0]).startsWith('inbox:')).length") == 0
    # And the server no longer serves her its attachment
    assert a.run("async (aid) => (await fetch('/api/attachments/' + aid)).status", att["aid"]) == 404
