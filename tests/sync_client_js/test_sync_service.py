"""The account and sync service (pwa/js/sync/, issue 5) in Chromium against the live server:
enrolment from an invite, resumable uploads after cut connections, receipts verified and kept,
a lying server (tampered receipts, records hidden or reordered on pull, different chain heads)
caught, conflicts from two devices, revocation, and "Prepare for crossing" then sign-in.

Network faults are made with Playwright routes on the page: ``route.abort()`` cuts a request
before it reaches the server; ``route.fetch()`` then ``route.abort()`` lets the server commit
and cuts the answer; ``route.fulfill()`` with an edited body plays a dishonest server.
Each test runs Argon2id (64 MiB) only where a real delegate would: create, sign in."""
from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.vault.test_vault_service import CANARIES, DUMP

from .steps import PASSPHRASE, create_and_enrol, log_incidents, new_username, open_app, sign_in, sync, titles

pytestmark = pytest.mark.browser

DISPLAY_CANARY = "Amal-كناري-display-5c1e"
CT_CHUNK = 65552
PART = 16 * CT_CHUNK
# plan() with nothing queued (issue 6 added the counts of queued messages, wraps and revocations)
NOTHING = {"records": 0, "attachments": 0, "bytes": 0, "messages": 0, "wraps": 0, "revocations": 0}


def flip(b64u: str) -> str:
    """The same base64url text with its first character changed (a forged signature)."""
    return ("B" if b64u[0] == "A" else "A") + b64u[1:]


def test_enrol_then_uploads_resume_after_cuts_and_every_receipt_is_verified(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    page = new_device()
    requests: list[tuple[str, str]] = []
    page.on("request", lambda r: requests.append((r.method, r.url)))

    # Given a delegate who opened an invite link and created a vault
    invite = make_invite("delegate")
    enrolled = create_and_enrol(page, invite, display_name="Amal")
    # Then the token left the address bar before anything else, and never travelled in a URL
    assert "#" not in enrolled["url"] and enrolled["invited"] is True and enrolled["pendingAfter"] is False
    token = invite.split("=")[1].split("&")[0]
    assert not [u for _, u in requests if token in u]
    status = enrolled["status"]
    assert status["enrolled"] and status["signedIn"] and status["role"] == "delegate"
    assert status["displayName"] == "Amal" and status["username"] == enrolled["username"]

    # When an incident with a 2.5 MB file (40 chunks = parts of 16, 16, 8) is synced while the
    # connection is cut twice: once before part 2 reaches the server, once after part 3 was
    # committed but before its answer arrived
    log_incidents(page, ["with a photo"], file_size=2_500_000)
    plan = page.evaluate("async () => t.a.plan()")
    assert plan["records"] == 2 and plan["attachments"] == 1  # the profile record and the incident
    puts: list[int] = []
    cuts = {"before": 2, "after": 3}

    def on_put(route: Route) -> None:
        offset = int(route.request.url.split("offset=")[1])
        puts.append(offset)
        n = len(puts)
        if n == cuts["before"]:
            route.abort("connectionreset")
        elif n == cuts["after"] + 1:  # the 3rd distinct part, sent after the re-sent 2nd one
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/uploads/*?offset=*", on_put)
    result = sync(page)
    page.unroute("**/api/uploads/*?offset=*")

    # Then the sync completed, re-sending only the part cut before it arrived
    assert result["ok"], result
    assert puts == [0, PART, PART, 2 * PART], puts
    sent = result["value"]["sent"]
    assert sent["records"] == 2 and sent["attachments"] == 1 and 2_500_000 < sent["bytes"] <= plan["bytes"]
    checked = page.evaluate(
        """async () => {
            const server = await (await fetch('/api/server')).json();
            const key = t.sp.b64uDecode(server.receipt_key, 32);
            const [[aid, row]] = await t.raw("attachments");
            // The server holds exactly the ciphertext this device holds.
            const chunks = (await t.raw("chunks")).filter(([k]) => k[0] === aid).map(([, c]) => c.ct);
            const local = await t.sha(await new Blob(chunks).arrayBuffer());
            const remote = await t.sha(await (await fetch('/api/attachments/' + aid)).arrayBuffer());
            // Every receipt kept verifies under the server key for what it covers.
            const records = await t.raw("records");
            const receipts = new Map((await t.raw("receipts")).map(([rid, r]) => [rid, r.receipt]));
            const verified = [];
            for (const [rid, r] of records) {
              const { entryHash, header } = await t.sp.verifyRecord(r.envelope, {
                kid: t.sp.b64uDecode(JSON.parse(r.envelope.hdr).author, 16),
                sigPub: (await t.raw("vault")).find(([k]) => k === "meta")[1].identity.sigPub });
              verified.push(await t.sp.verifyReceipt(receipts.get(rid), key, entryHash) > 0);
              for (const a of header.att) verified.push(await t.sp.verifyReceipt(row.receipt, key, t.sp.b64uDecode(a.hash, 32)) > 0);
            }
            return { local, remote, verified, complete: row.complete, plan: await t.a.plan() };
        }"""
    )
    assert checked["local"] == checked["remote"]
    assert checked["verified"] == [True, True, True] and checked["complete"] is True
    assert checked["plan"] == NOTHING

    # When a server answers a push with a forged record receipt
    def forge(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        for r in body.get("results", []):
            r["receipt"]["sig"] = flip(r["receipt"]["sig"])
        route.fulfill(response=answer, body=json.dumps(body))

    log_incidents(page, ["second"])
    page.route("**/api/records", forge)
    forged = sync(page)
    page.unroute("**/api/records", forge)
    # Then the sync stops as unverified and nothing is marked as synced
    assert forged == {"ok": False, "code": "unverified", "name": "AccountError", "message": forged["message"]}
    assert page.evaluate("async () => (await t.a.plan()).records") == 1
    assert page.evaluate("async () => (await t.raw('receipts')).length") == 2

    # And a forged attachment receipt is refused the same way
    def forge_upload(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        if body.get("receipt"):
            body["receipt"]["sig"] = flip(body["receipt"]["sig"])
        route.fulfill(response=answer, body=json.dumps(body))

    log_incidents(page, ["third"], file_size=1000)
    page.route("**/api/uploads**", forge_upload)
    forged = sync(page)
    page.unroute("**/api/uploads**", forge_upload)
    assert forged["code"] == "unverified"
    assert page.evaluate("async () => t.a.plan()")["attachments"] == 1

    # When the honest answers come back, the same pushes get the same receipts (idempotent)
    again = sync(page)
    assert again["ok"] and again["value"]["sent"]["records"] == 2, again
    assert page.evaluate("async () => t.a.plan()") == NOTHING
    assert page.evaluate("async () => (await t.raw('receipts')).length") == 4

    # The auth key lives only while unlocked: lock() zeroes it
    zeroed = page.evaluate(
        """async () => {
            const port = await import('/js/vault/sync-port.js');
            const key = port.unlocked().authKey;
            const before = key.some((b) => b !== 0);
            t.v.lock();
            return { before, after: key.every((b) => b === 0) };
        }"""
    )
    assert zeroed == {"before": True, "after": True}


def test_a_page_killed_mid_upload_resumes_from_the_server_offset(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate syncing a 5 MB video (80 chunks = 5 parts)
    page = new_device()
    create_and_enrol(page, make_invite("delegate"))
    log_incidents(page, ["video"], file_size=5_000_000)
    puts: list[int] = []
    page.context.on("request", lambda r: r.method == "PUT" and puts.append(int(r.url.split("offset=")[1])))
    with page.expect_response(lambda r: r.request.method == "PUT" and f"offset={PART}" in r.url):
        page.evaluate("() => { window.__sync = t.a.syncNow(); window.__sync.catch(() => {}); }")
    # When the phone kills the page in the middle of the upload
    context = page.context
    page.close(run_before_unload=False)
    sent_before = list(puts)

    # Then after reopening and unlocking, Sync now continues where the server stands
    again = context.new_page()
    open_app(again)
    again.evaluate("async (pass) => t.v.unlock(pass)", PASSPHRASE)
    result = sync(again)
    assert result["ok"], result
    resumed = puts[len(sent_before):]
    # (the answer to the part at offset PART had arrived: the server held at least two parts)
    assert resumed and resumed[0] >= 2 * PART, (sent_before, resumed)
    # the resumed sync sent every part from where the server stood to the end, and at most the
    # part in flight at the kill went twice (a request of the killed page can reach the server
    # without its event reaching this listener, so the parts seen before the kill may have a hole)
    assert sorted(set(resumed)) == [n * PART for n in range(resumed[0] // PART, 5)], (sent_before, resumed)
    assert set(puts) <= {n * PART for n in range(5)} and len(puts) <= 5 + 1, puts
    # Nothing lost or duplicated: the server holds this device's chain head and the same bytes
    check = again.evaluate(
        """async () => {
            const heads = (await (await fetch('/api/records/heads')).json()).heads;
            const records = await t.raw("records");
            const [[aid]] = await t.raw("attachments");
            const chunks = (await t.raw("chunks")).filter(([k]) => k[0] === aid).map(([, c]) => c.ct);
            return { heads: heads.map((h) => h.seq), records: records.length, plan: await t.a.plan(),
                     same: await t.sha(await new Blob(chunks).arrayBuffer()) === await t.sha(await (await fetch('/api/attachments/' + aid)).arrayBuffer()) };
        }"""
    )
    assert check == {"heads": [2], "records": 2, "plan": NOTHING, "same": True}


def _edit_pulled_page(edit) -> Any:  # type: ignore[no-untyped-def]
    """A route handler that passes GET /api/records through `edit(records)` (a dishonest server)."""

    def handler(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["records"] = edit(body["records"])
        route.fulfill(response=answer, body=json.dumps(body))

    return handler


def _cursor(page: Page) -> int:
    return page.evaluate("async () => ((await t.raw('sync')).find(([k]) => k === 'cursor') || [0, 0])[1]")


def test_two_devices_pull_catches_a_lying_server_and_keep_both_sides_of_a_conflict(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate's phone A with three incidents synced, and phone B signed in from them
    a, b = new_device(), new_device()
    bodies: list[bytes] = []
    for page in (a, b):
        page.on("request", lambda r: bodies.append(r.post_data_buffer or b""))
    creds = create_and_enrol(a, make_invite("legal"), display_name=DISPLAY_CANARY)
    first = log_incidents(a, ["one", "two", "three"], file_size=70_000)
    a.evaluate("async (c) => t.v.saveIncident({ title: 'canaries', what: c.join(' ') })", CANARIES)
    assert sync(a)["ok"]
    signed = sign_in(b, {"username": creds["username"], "secretKeyText": creds["secretKeyText"]})
    assert signed["state"] == "unlocked" and signed["result"]["records"] == 5 and signed["result"]["pendingAttachments"] == 0
    assert {"kdf", "pull", "download"} <= set(signed["phases"])
    assert titles(b) == ["canaries", "one", "three", "two"]
    assert b.evaluate("async () => (await t.a.status()).displayName") == DISPLAY_CANARY
    # What either phone stores or sends holds none of it in clear (the username included:
    # it is stored sealed under the account key; it is sent only to sign in)
    secrets_ = [*CANARIES, DISPLAY_CANARY, creds["username"]]
    for page in (a, b):
        dump = page.evaluate(DUMP, secrets_)
        assert dump["found"] == [] and all(extractable is False for _, extractable, _ in dump["keys"])
    sent = b"\n".join(bodies)
    assert not [c for c in [*CANARIES, DISPLAY_CANARY] if c.encode() in sent or c.encode("utf-16-le") in sent]

    # When A logs three more and the server hides the middle one from B's pull
    log_incidents(a, ["four", "five", "six"])
    assert sync(a)["ok"]
    cursor = _cursor(b)
    handler = _edit_pulled_page(lambda recs: recs[:1] + recs[2:])
    b.route("**/api/records?after=*", handler)
    hidden = sync(b)
    b.unroute("**/api/records?after=*", handler)
    # Then B refuses the page: nothing stored, the cursor did not move
    assert hidden["code"] == "unverified"
    assert titles(b) == ["canaries", "one", "three", "two"] and _cursor(b) == cursor

    # When the server reorders them instead
    handler = _edit_pulled_page(lambda recs: [recs[1], recs[0], *recs[2:]] if len(recs) > 1 else recs)
    b.route("**/api/records?after=*", handler)
    reordered = sync(b)
    b.unroute("**/api/records?after=*", handler)
    assert reordered["code"] == "unverified" and _cursor(b) == cursor

    # When the server is honest again, B gets all of them
    honest = sync(b)
    assert honest["ok"] and honest["value"]["received"]["records"] == 3, honest
    assert titles(b) == ["canaries", "five", "four", "one", "six", "three", "two"]

    # Given both phones offline, each editing incident "one"
    one = first[0]["rid"]
    for page, title in ((a, "one, edited on A"), (b, "one, edited on B")):
        page.context.set_offline(True)
        page.evaluate("async ({ rid, title }) => t.v.saveIncident({ title }, { supersedes: rid })", {"rid": one, "title": title})
        page.context.set_offline(False)
    # When both sync
    assert sync(a)["ok"]
    on_b = sync(b)
    assert on_b["ok"] and on_b["value"]["conflicts"] == 1
    on_a = sync(a)
    assert on_a["ok"] and on_a["value"]["conflicts"] == 1
    # Then both versions survive, shown once as a conflict, with the file of version 1 kept
    view = b.evaluate(
        """async (rid) => {
            const list = await t.v.listIncidents();
            const row = list.find((i) => i.content.title.startsWith("one"));
            const detail = await t.v.getIncident(rid);
            return { count: list.filter((i) => i.content.title.startsWith("one")).length, row, detail };
        }""",
        one,
    )
    assert view["count"] == 1 and len(view["row"]["conflicts"]) == 1
    detail = view["detail"]
    both = sorted([detail["current"]["content"]["title"], detail["conflicts"][0]["content"]["title"]])
    assert both == ["one, edited on A", "one, edited on B"]
    assert [h["rid"] for h in detail["history"]] == [one]
    assert detail["current"]["attachments"] == detail["conflicts"][0]["attachments"] == first[0]["attachments"]

    # When B resolves it (supersedes its head, merges A's) and both sync
    merged = b.evaluate(
        """async (rid) => {
            const { current, conflicts } = await t.v.getIncident(rid);
            return t.v.saveIncident({ title: "one, merged" }, { supersedes: current.rid, merges: conflicts.map((c) => c.rid) });
        }""",
        one,
    )
    assert merged["version"] == 3 and merged["conflicts"] == []
    assert sync(b)["value"]["conflicts"] == 0
    assert sync(a)["value"]["conflicts"] == 0
    for page in (a, b):
        detail = page.evaluate("async (rid) => t.v.getIncident(rid)", one)
        assert detail["current"]["content"]["title"] == "one, merged" and detail["conflicts"] == []
        assert len(detail["history"]) == 3
        assert page.evaluate("async () => (await t.v.listIncidents()).length") == 7

    # When B revokes A (lost phone), A can no longer sync
    devices = b.evaluate("async () => t.a.listDevices()")
    assert len(devices) == 2 and sum(d["current"] for d in devices) == 1
    lost = next(d for d in devices if not d["current"])
    b.evaluate("async (id) => t.a.revokeDevice(id)", lost["id"])
    assert [d["revoked"] for d in b.evaluate("async () => t.a.listDevices()") if d["id"] == lost["id"]] == [True]
    assert sync(a)["code"] == "device-revoked"


def test_prepare_for_crossing_proves_the_server_holds_everything_then_sign_in_restores_it(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a phone with incidents and a file, never synced
    page = new_device()
    creds = create_and_enrol(page, make_invite("focal-point"))
    log_incidents(page, ["before the border", "second"], file_size=200_000)
    before = page.evaluate(
        """async () => {
            const list = await t.v.listIncidents();
            const att = list.find((i) => i.attachments.length).attachments[0];
            return { list, sha: await t.sha(await t.v.readAttachment(att.aid)), aid: att.aid };
        }"""
    )
    page.evaluate("async () => navigator.serviceWorker.ready")

    # When the server's chain heads do not match what the phone holds
    def stale_heads(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["heads"][0]["seq"] -= 1
        route.fulfill(response=answer, body=json.dumps(body))

    page.route("**/api/records/heads", stale_heads)
    refused = page.evaluate("async () => t.attempt(() => t.a.prepareForCrossing())")
    page.unroute("**/api/records/heads", stale_heads)
    # Then nothing is deleted (although everything was synced)
    assert refused["code"] == "unverified"
    assert page.evaluate("async () => t.v.state()") == "unlocked"
    assert page.evaluate("async () => t.a.plan()") == NOTHING

    # When the checks pass
    phases = page.evaluate(
        """async () => {
            const phases = [];
            await t.a.prepareForCrossing({ onProgress: (p) => phases.push(p.phase) });
            return [...new Set(phases)];
        }"""
    )
    assert {"verify", "delete"} <= set(phases)
    # Then the phone is empty, but the app shell is still cached for offline use
    after = page.evaluate(
        """async () => ({ state: await t.v.state(), dbs: (await indexedDB.databases()).map((d) => d.name),
                          caches: (await caches.keys()).length,
                          workers: (await navigator.serviceWorker.getRegistrations()).length,
                          session: (await fetch('/api/session')).status })"""
    )
    assert after == {"state": "none", "dbs": [], "caches": after["caches"], "workers": 1, "session": 401}
    assert after["caches"] >= 1
    page.context.set_offline(True)
    open_app(page)
    assert page.evaluate("async () => t.v.state()") == "none"
    page.context.set_offline(False)

    # When a server that swapped its receipt key answers the sign-in
    def other_key(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["receipt_key"] = "A" * 43
        route.fulfill(response=answer, body=json.dumps(body))

    page.route("**/api/server", other_key)
    swapped = page.evaluate(
        """async ({ username, secretKeyText, pass }) =>
            t.attempt(() => t.a.signIn({ username, passphrase: pass, secretKey: secretKeyText }))""",
        {**creds, "pass": PASSPHRASE},
    )
    page.unroute("**/api/server", other_key)
    # Then the sign-in stops before storing anything
    assert swapped["code"] == "server-changed"
    assert page.evaluate("async () => t.v.state()") == "none"

    # When the delegate signs in after the border, everything is back, receipts included
    signed = sign_in(page, creds)
    assert signed["result"]["records"] == 3 and signed["result"]["pendingAttachments"] == 0
    restored = page.evaluate(
        """async (aid) => ({ list: await t.v.listIncidents(), sha: await t.sha(await t.v.readAttachment(aid)),
                             plan: await t.a.plan(), status: await t.a.status() })""",
        before["aid"],
    )
    assert restored["list"] == before["list"] and restored["sha"] == before["sha"]
    assert restored["plan"] == NOTHING
    assert restored["status"]["role"] == "focal-point" and restored["status"]["enrolled"]
    # And the new device's vault opens again with the passphrase alone after a reload
    open_app(page)
    reopened = page.evaluate(
        """async (pass) => { await t.v.unlock(pass);
                             return { list: await t.v.listIncidents(), integrity: await t.v.integrity(), plan: await t.a.plan() }; }""",
        PASSPHRASE,
    )
    assert reopened == {"list": before["list"], "integrity": {"damaged": 0, "chain": "ok"}, "plan": restored["plan"]}


def test_schema_v2_vault_upgrades_with_a_row_per_attachment(page: Page, page_guard) -> None:  # type: ignore[no-untyped-def]
    # Given a database left by the issue-4 app (schema v2) holding one record with two files
    open_app(page)
    out = page.evaluate(
        """async () => {
            const db = await import('/js/store/db.js');
            await db.deleteDatabase();
            const hdr = JSON.stringify({ att: [{ aid: "AAAAAAAAAAAAAAAAAAAAAA" }, { aid: "BBBBBBBBBBBBBBBBBBBBBB" }] });
            await new Promise((resolve, reject) => {
              const open = indexedDB.open("safe-passage", 2);
              open.onupgradeneeded = () => {
                const d = open.result;
                d.createObjectStore("prefs");
                d.createObjectStore("vault");
                d.createObjectStore("records", { keyPath: "rid" }).put({ rid: "r1", envelope: { hdr }, wrap: {} });
                d.createObjectStore("chunks", { keyPath: ["aid", "i"] });
                d.createObjectStore("drafts");
              };
              open.onsuccess = () => { open.result.close(); resolve(); };
              open.onerror = () => reject(open.error);
            });
            // When this version opens it
            const opened = await db.database();
            const version = opened.version;
            const stores = [...opened.objectStoreNames].sort();
            await db.closeDatabase();
            return { version, stores, attachments: await t.raw("attachments"), records: (await t.raw("records")).length };
        }"""
    )
    # Then it is at the current version (v3's stores, and v4's for sharing), each attachment
    # complete and without a receipt
    assert out["version"] == 4
    assert out["stores"] == ["attachments", "chunks", "contacts", "drafts", "inbox", "outbox", "prefs", "receipts",
                             "records", "sync", "vault"]
    assert [row for _, row in out["attachments"]] == [
        {"aid": "AAAAAAAAAAAAAAAAAAAAAA", "complete": True, "receipt": None},
        {"aid": "BBBBBBBBBBBBBBBBBBBBBB", "complete": True, "receipt": None},
    ]
    assert out["records"] == 1
    page.evaluate("async () => (await import('/js/store/db.js')).deleteDatabase()")


def test_enrolment_refusals_and_an_enrolment_whose_answer_was_lost(new_device, make_invite) -> None:  # type: ignore[no-untyped-def]
    # Given a new vault opened from an invite
    a = new_device()
    invite = make_invite("delegate")
    open_app(a, invite)
    a.evaluate("async (pass) => t.v.createVault(pass)", PASSPHRASE)
    username = new_username()
    # A username outside the rule is refused before anything is sent
    bad = a.evaluate("async () => t.attempt(() => t.a.enrol({ username: 'x', displayName: 'A' }))")
    assert bad["code"] == "invalid-username"

    # When the server creates the account but the answer never arrives (and no retry gets it)
    def lost(route: Route) -> None:
        route.fetch()
        route.abort("connectionreset")

    a.route("**/api/auth/enrol", lost)
    cut = a.evaluate(
        """async (username) => {
            const api = await import('/js/sync/api.js');
            api.setRetryPolicy({ attempts: 1 });
            try { return await t.attempt(() => t.a.enrol({ username, displayName: "Amal" })); }
            finally { api.setRetryPolicy(null); }
        }""",
        username,
    )
    a.unroute("**/api/auth/enrol", lost)
    assert cut["code"] == "offline"
    assert a.evaluate("async () => (await t.a.status()).pendingEnrolment") is True
    # Then after the page is gone (and the invite with it), enrolling again completes it
    open_app(a)
    done = a.evaluate(
        """async ({ pass, username }) => {
            await t.v.unlock(pass);
            const invited = t.a.pendingInvite();
            return { invited, status: await t.a.enrol({ username, displayName: "Amal" }), plan: await t.a.plan() };
        }""",
        {"pass": PASSPHRASE, "username": username},
    )
    assert done["invited"] is False
    assert done["status"]["enrolled"] and not done["status"]["pendingEnrolment"] and done["status"]["displayName"] == "Amal"
    assert done["plan"]["records"] == 1  # the profile, sealed once

    # When another vault tries the same username, then the used invite
    b = new_device()
    open_app(b, make_invite("legal"))
    b.evaluate("async (pass) => t.v.createVault(pass)", PASSPHRASE)
    taken = b.evaluate("async (username) => t.attempt(() => t.a.enrol({ username, displayName: 'B' }))", username)
    assert taken["code"] == "username-taken"
    assert b.evaluate("async () => t.a.status()")["pendingEnrolment"] is False
    used = b.evaluate(
        """async (fragment) => {
            history.replaceState(null, "", "/" + fragment);
            const taken = t.a.takeInviteFromUrl();
            return { taken, url: location.href, result: await t.attempt(() => t.a.enrol({ username: "b" + Date.now(), displayName: "B" })) };
        }""",
        invite,
    )
    assert used["taken"] is True and "#" not in used["url"] and used["result"]["code"] == "invite-invalid"
