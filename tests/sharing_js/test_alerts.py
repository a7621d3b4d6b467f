"""Held alerts from the delegate's phone: the check-in timer (set, list, check in; released when
its deadline passes) and the duress passphrase (one Argon2id at unlock; an empty decoy that
saves nothing; the alert released at once and delivered to the focal point)."""
from __future__ import annotations

import time

import pytest

from server import clock
from tests.sync_client_js.steps import PASSPHRASE

from tests.e2e.leaks import find_leaks

from .steps import enrol, idb_bytes, incident

pytestmark = pytest.mark.browser

DURESS = "a different passphrase for the border"
ALERT_TEXT = "duress-canary-5d1e: call my lawyer"


def test_checkin_timer_round_trip_and_release_at_the_deadline(new_device, make_invite, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate and a focal point she knows
    delegate = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    delegate.run("async () => t.s.refreshDirectory()")
    set_checkin = "t.s.setCheckin({ deadline: Date.now() + arg.ms, text: 'crossing at 9', to: [arg.to] })"
    # A deadline in the past (or too soon) is refused before anything is sent
    assert delegate.attempt(set_checkin, {"ms": -1000, "to": a.uid})["code"] == "invalid"

    # When she sets a check-in for two minutes from now
    made = delegate.attempt(set_checkin, {"ms": 120_000, "to": a.uid})
    assert made["ok"], made
    alert_id = made["value"]["id"]
    # Then it is held, with its recipients known on this phone
    [held] = delegate.run("async () => t.s.checkins()")
    assert held["id"] == alert_id and held["state"] == "held" and held["to"] == [a.uid] and held["released"] is None
    # When she checks in, it is gone; checking in twice is "not-found"
    delegate.run("async (id) => t.s.checkIn(id)", alert_id)
    assert delegate.run("async () => t.s.checkins()") == []
    assert delegate.attempt("t.s.checkIn(arg)", alert_id)["code"] == "not-found"

    # When she sets another and does not check in before the deadline (the server's clock moves)
    second = delegate.run(f"async (arg) => {set_checkin}", {"ms": 120_000, "to": a.uid})["id"]
    later = time.time() + 600
    monkeypatch.setattr(clock, "now", lambda: later)
    # Then the focal point's next sync brings the alert, from the delegate
    assert a.sync()["ok"]
    [alert] = a.run("async () => t.s.inbox()")
    assert alert["rid"] == second and alert["kind"] == "alert" and alert["type"] == "checkin"
    assert alert["title"] == "crossing at 9" and alert["sender"]["uid"] == delegate.uid and alert["verified"] is True
    detail = a.run("async (rid) => t.s.report(rid)", second)
    assert detail["content"]["alert"] == "checkin" and isinstance(detail["content"]["deadline"], int)
    # And the delegate sees it went out; checking in now is too late
    [released] = delegate.run("async () => t.s.checkins()")
    assert released["state"] == "released" and isinstance(released["released"], int)
    assert delegate.attempt("t.s.checkIn(arg)", second)["code"] == "alert-released"
    # And her own devices pull the released alert as a record of the account, chains intact
    synced = delegate.sync()
    assert synced["ok"] and synced["value"]["received"]["records"] == 1, synced
    assert delegate.run("async () => t.v.integrity()") == {"damaged": 0, "chain": "ok"}


def test_duress_passphrase_opens_an_empty_decoy_and_releases_the_alert(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate with a report, and a focal point
    delegate = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    delegate.run("async () => t.s.refreshDirectory()")
    incident(delegate, "the real report")
    assert delegate.sync()["ok"]
    meta_slot = "async () => (await t.raw('vault')).find(([k]) => k === 'meta')[1].duress.length"
    # Every vault carries a duress slot, set or not: its presence says nothing
    assert delegate.run(meta_slot) == 60
    assert delegate.run("async () => t.s.duressState()") == {"set": False, "to": []}

    # The real passphrase cannot be the duress passphrase
    same = delegate.attempt("t.s.setDuress({ passphrase: arg.p, text: 'x', to: [arg.to] })", {"p": PASSPHRASE, "to": a.uid})
    assert same["code"] == "invalid"
    # When she sets a duress passphrase that alerts A
    done = delegate.attempt("t.s.setDuress({ passphrase: arg.p, text: arg.text, to: [arg.to] })",
                            {"p": DURESS, "text": ALERT_TEXT, "to": a.uid})
    assert done["ok"], done
    assert delegate.run("async () => t.s.duressState()") == {"set": True, "to": [a.uid]}
    assert delegate.run(meta_slot) == 60
    # Then the server holds the alert, and A receives nothing yet
    assert a.sync()["ok"] and a.run("async () => t.s.inbox()") == []
    stored_before = delegate.run("async () => [(await t.raw('records')).length, (await t.raw('chunks')).length]")

    # When she is forced to unlock: first a wrong passphrase (counted), then the duress one
    releases: list[int] = []
    delegate.page.on("response", lambda r: "/api/alerts/release" in r.url and releases.append(r.status))
    wrong = delegate.run(
        """async () => { t.v.lock(); const r = await t.attempt(() => t.v.unlock("not it at all")); return [r.code, (await t.v.unlockPolicy()).failures]; }""")
    assert wrong == ["wrong-passphrase", 1]
    with delegate.page.expect_response(lambda r: "/api/auth/signout" in r.url):
        decoy = delegate.run(
            """async (p) => {
                await t.v.unlock(p);
                return { state: await t.v.state(), list: await t.v.listIncidents(), status: await t.a.status(),
                         failures: (await t.v.unlockPolicy()).failures, integrity: await t.v.integrity(),
                         plan: await t.attempt(() => t.a.plan()), contacts: await t.attempt(() => t.s.contacts()) };
            }""",
            DURESS,
        )
    # Then an empty vault opens, looking fresh: no incidents, no account
    assert decoy["state"] == "unlocked" and decoy["list"] == [] and decoy["failures"] == 0
    assert decoy["status"]["enrolled"] is False and decoy["status"]["username"] is None
    assert decoy["integrity"] == {"damaged": 0, "chain": "ok"}
    assert decoy["plan"]["code"] == "not-enrolled" and decoy["contacts"]["code"] == "not-enrolled"
    # And the release token went to the server at once, then the real vault's server session
    # this page still held was ended
    assert releases == [204]
    assert delegate.run("async () => (await fetch('/api/session')).status") == 401
    # And what the decoy saves lives in memory only
    saved = delegate.run(
        """async (p) => {
            await t.v.saveIncident({ title: "decoy" }, { files: [new File(["x"], "x.txt", { type: "text/plain" })] });
            await t.v.saveDraft({ title: "draft" });
            const listed = (await t.v.listIncidents()).length;
            t.v.lock();
            await t.v.unlock(p);
            return { listed, after: (await t.v.listIncidents()).length, draft: await t.v.loadDraft(),
                     records: (await t.raw('records')).length, chunks: (await t.raw('chunks')).length };
        }""",
        DURESS,
    )
    assert saved["listed"] == 1 and saved["after"] == 0 and saved["draft"] is None
    assert [saved["records"], saved["chunks"]] == stored_before

    # When A syncs, the duress alert is in her inbox
    assert a.sync()["ok"]
    [alert] = a.run("async () => t.s.inbox()")
    assert alert["kind"] == "alert" and alert["type"] == "duress" and alert["title"] == ALERT_TEXT
    assert alert["sender"]["uid"] == delegate.uid and alert["verified"] is True
    # And neither phone keeps the alert text or the duress passphrase in clear
    for person in (delegate, a):
        assert find_leaks(idb_bytes(person), {"alert": ALERT_TEXT, "duress passphrase": DURESS}) == []

    # And the real passphrase still opens the real vault, whose alert shows as released
    real = delegate.run(
        """async (p) => { t.v.lock(); await t.v.unlock(p); const synced = await t.attempt(() => t.a.syncNow());
                         return { titles: (await t.v.listIncidents()).map((i) => i.content.title), duress: await t.s.duressState(),
                                  synced, alerts: (await (await fetch('/api/alerts')).json()).alerts }; }""",
        PASSPHRASE,
    )
    assert real["titles"] == ["the real report"] and real["duress"]["set"] is True
    # (its next sync signs in again and pulls the released alert, a record of the account now)
    assert real["synced"]["ok"] and real["synced"]["value"]["received"]["records"] == 1, real["synced"]
    assert [(x["kind"], x["state"]) for x in real["alerts"]] == [("duress", "released")]
    # When she clears the duress passphrase, it opens nothing any more (the slot stays, random)
    delegate.run("async () => t.s.clearDuress()")
    assert delegate.run("async () => t.s.duressState()") == {"set": False, "to": []}
    assert delegate.run(meta_slot) == 60
    cleared = delegate.run("async (p) => { t.v.lock(); return t.attempt(() => t.v.unlock(p)); }", DURESS)
    assert cleared["code"] == "wrong-passphrase"
