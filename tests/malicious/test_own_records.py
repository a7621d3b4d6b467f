"""The server lies about a delegate's own account: the KDF parameters it hands a new phone, the
records a second phone pulls, the receipts of a push, the bytes of an attachment.

Phone A enrolled and synced; phone B is the same delegate signed in on a second phone. Each test
has A log fresh incidents, arms one attack around the step it targets, and checks that the phone
refused it, said the server cannot be trusted (AccountError "unverified") and kept nothing of
the lie; then, honest again, the same sync goes through (nothing was lost by refusing).
The real client modules (pwa/js/sync/, crypto/js/) run in Chromium; the lies come from
tests/support/lying_server.py."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.sync_client_js.steps import PASSPHRASE, create_and_enrol, log_incidents, open_app, sign_in, sync, titles

from .conftest import World

pytestmark = pytest.mark.browser

FILE = 70_000  # two SP1 chunks


@dataclass
class Delegate:
    a: Page
    creds: dict[str, Any]


@pytest.fixture(scope="module")
def delegate(world: World) -> Delegate:
    """Phone A: an enrolled delegate whose profile record is on the server."""
    a = world.phone()
    creds = create_and_enrol(a, world.invite("delegate"))
    assert sync(a)["ok"]
    return Delegate(a, {"username": creds["username"], "secretKeyText": creds["secretKeyText"]})


@pytest.fixture(scope="module")
def second_phone(world: World, delegate: Delegate) -> Iterator[Page]:
    """Phone B: the same delegate, signed in on a second phone."""
    b = world.phone()
    assert sign_in(b, delegate.creds)["state"] == "unlocked"
    yield b


def cursor(page: Page) -> int:
    return int(page.evaluate("async () => ((await t.raw('sync')).find(([k]) => k === 'cursor') || [0, 0])[1]"))


def held(page: Page) -> dict[str, Any]:
    """What a phone holds: incident titles, pull cursor, stored receipts."""
    return {"titles": titles(page), "cursor": cursor(page),
            "receipts": page.evaluate("async () => (await t.raw('receipts')).length")}


def unsent(page: Page) -> int:
    return int(page.evaluate("async () => (await t.a.plan()).records"))


def test_weaker_kdf_parameters_at_prelogin_are_refused_before_anything_derived_is_sent(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, security_figure) -> None:
    # Given the delegate signing in on a new phone
    phone = world.phone()
    open_app(phone)
    sent_before = len(world.lying.requests)
    # When the server answers prelogin with Argon2id parameters far under the floor
    world.lying.arm("weak-kdf")
    refused = phone.evaluate(
        """async ({ username, secretKeyText, pass }) =>
            t.attempt(() => t.a.signIn({ username, passphrase: pass, secretKey: secretKeyText }))""",
        {**delegate.creds, "pass": PASSPHRASE})
    world.lying.disarm()
    # Then the sign-in stops and says the server is not to be trusted
    assert refused.get("code") == "unverified", refused
    assert "KDF" in refused["message"]
    # And nothing derived from the passphrase left the phone: prelogin was its last request
    after = [(r.method, r.path) for r in world.lying.requests[sent_before:] if r.path.startswith("/api/")]
    assert after == [("POST", "/api/auth/prelogin")], after
    # And the phone holds no vault
    assert phone.evaluate("async () => t.v.state()") == "none"
    security_figure("malicious.weak-kdf", "detected", "weaker KDF parameters at prelogin (sign-in refused, nothing derived sent)")


def test_a_record_dropped_from_a_pull_is_caught_and_nothing_of_the_page_is_kept(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, second_phone: Page, security_figure) -> None:
    a, b = delegate.a, second_phone
    # Given three incidents A synced, and B's state before it pulls them
    new = log_incidents(a, ["dropped: first", "dropped: second", "dropped: third"])
    assert sync(a)["ok"]
    before = held(b)
    # When the server leaves the middle one out of B's pull
    armed = world.lying.arm("drop-record", rids=[new[1]["rid"]])
    result = sync(b)
    world.lying.disarm()
    # Then B refuses the page (a gap in A's chain) and stores none of it
    assert armed.hits == 1 and result.get("code") == "unverified", result
    assert "gap" in result["message"]
    assert held(b) == before
    # And honest again, B gets all three
    assert sync(b)["ok"]
    assert {"dropped: first", "dropped: second", "dropped: third"} <= set(titles(b))
    security_figure("malicious.dropped-record", "detected", "record dropped from a pull")


def test_a_record_the_server_forged_in_a_pull_is_refused(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, second_phone: Page, security_figure) -> None:
    a, b = delegate.a, second_phone
    new = log_incidents(a, ["real: before the forgery"])
    assert sync(a)["ok"]
    before = held(b)
    # When the server appends to A's chain a record of its own making, with a genuine receipt
    armed = world.lying.arm("inject-record", after=new[0]["rid"], title="Planted by the server")
    result = sync(b)
    world.lying.disarm()
    # Then B refuses the page: the record does not open or verify under the account's keys
    assert armed.state.get("rid") and result.get("code") == "unverified", result
    assert "does not verify" in result["message"]
    assert held(b) == before
    # And honest again, B gets the real one and never the forgery
    assert sync(b)["ok"]
    assert "real: before the forgery" in titles(b) and "Planted by the server" not in titles(b)
    security_figure("malicious.injected-record", "detected", "forged record injected into a pull")


def test_a_record_replayed_in_a_pull_is_caught(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, second_phone: Page, security_figure) -> None:
    a, b = delegate.a, second_phone
    new = log_incidents(a, ["replayed: first", "replayed: second"])
    assert sync(a)["ok"]
    before = held(b)
    # When the server delivers the first record twice
    armed = world.lying.arm("replay-record", rid=new[0]["rid"])
    result = sync(b)
    world.lying.disarm()
    # Then B refuses the page and stores none of it
    assert armed.hits == 1 and result.get("code") == "unverified", result
    assert "out of order" in result["message"]
    assert held(b) == before
    assert sync(b)["ok"]
    assert {"replayed: first", "replayed: second"} <= set(titles(b))
    security_figure("malicious.replayed-record", "detected", "record replayed in a pull")


def test_records_reordered_in_a_pull_are_caught(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, second_phone: Page, security_figure) -> None:
    a, b = delegate.a, second_phone
    new = log_incidents(a, ["reordered: first", "reordered: second"])
    assert sync(a)["ok"]
    before = held(b)
    # When the server delivers the two records in each other's place
    armed = world.lying.arm("reorder-records", rids=(new[0]["rid"], new[1]["rid"]))
    result = sync(b)
    world.lying.disarm()
    # Then B refuses the page and stores none of it
    assert armed.hits == 1 and result.get("code") == "unverified", result
    assert "out of order" in result["message"]
    assert held(b) == before
    assert sync(b)["ok"]
    assert {"reordered: first", "reordered: second"} <= set(titles(b))
    security_figure("malicious.reordered-records", "detected", "records reordered in a pull")


def test_forged_receipts_on_a_push_mark_nothing_as_synced(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, security_figure) -> None:
    a = delegate.a
    log_incidents(a, ["receipted: forged"])
    before = held(a)
    assert unsent(a) == 1
    # When the server signs the push's receipts with another key, then with a broken signature
    for how in ("other-key", "bad-signature"):
        armed = world.lying.arm("forged-receipt", how=how)
        result = sync(a)
        world.lying.disarm()
        # Then the sync stops as unverified and the record is still waiting to be sent
        assert armed.hits == 1 and result.get("code") == "unverified", (how, result)
        assert "receipt does not verify" in result["message"]
        assert unsent(a) == 1 and held(a)["receipts"] == before["receipts"], how
    # And honest again, the same push gets a receipt that verifies
    honest = sync(a)
    assert honest["ok"] and honest["value"]["sent"]["records"] == 1, honest
    assert unsent(a) == 0
    security_figure("malicious.forged-receipt", "detected", "forged receipts on a push (other key, bad signature)")


def test_a_stale_receipt_on_a_push_marks_nothing_as_synced(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, security_figure) -> None:
    a = delegate.a
    log_incidents(a, ["receipted: stale"])
    before = held(a)
    # When the server answers the push with a genuine receipt it signed for an older record
    armed = world.lying.arm("stale-receipt")
    result = sync(a)
    world.lying.disarm()
    # Then the receipt is refused: it does not cover what was pushed
    assert armed.hits == 1 and result.get("code") == "unverified", result
    assert "receipt does not verify" in result["message"]
    assert unsent(a) == 1 and held(a)["receipts"] == before["receipts"]
    honest = sync(a)
    assert honest["ok"] and unsent(a) == 0, honest
    security_figure("malicious.stale-receipt", "detected", "stale receipt (an older record's) on a push")


ATTACHMENT_ROWS = """async (aid) => ({
    complete: ((await t.raw("attachments")).find(([k]) => k === aid) || [null, { complete: null }])[1].complete,
    chunks: (await t.raw("chunks")).filter(([k]) => k[0] === aid).length,
})"""


def test_a_swapped_truncated_or_altered_attachment_is_refused_and_nothing_is_stored_as_it(  # type: ignore[no-untyped-def]
        world: World, delegate: Delegate, second_phone: Page, security_figure) -> None:
    a, b = delegate.a, second_phone
    # Given two photos A synced, of the same size
    x, y = log_incidents(a, ["photo X", "photo Y"], file_size=FILE)
    assert sync(a)["ok"]
    aid_x, aid_y = x["attachments"][0]["aid"], y["attachments"][0]["aid"]
    want = a.evaluate("async (aid) => t.sha(await t.v.readAttachment(aid))", aid_x)
    # When B downloads X and the server answers Y's ciphertext, then X cut short, then X with one
    # bit flipped
    lies = [("swapped-attachment", {"aid": aid_x, "other": aid_y}), ("truncated-attachment", {"aid": aid_x}),
            ("bit-flipped-attachment", {"aid": aid_x})]
    for name, params in lies:
        armed = world.lying.arm(name, **params)
        result = sync(b)
        world.lying.disarm()
        # Then B refuses it, and holds nothing of it as X
        assert armed.hits == 1 and result.get("code") == "unverified", (name, result)
        assert "does not match its record" in result["message"]
        assert b.evaluate(ATTACHMENT_ROWS, aid_x) == {"complete": False, "chunks": 0}, name
    # And honest again, B downloads X, byte for byte A's
    assert sync(b)["ok"]
    assert b.evaluate(ATTACHMENT_ROWS, aid_x)["complete"] is True
    assert b.evaluate("async (aid) => t.sha(await t.v.readAttachment(aid))", aid_x) == want
    security_figure("malicious.swapped-attachment", "detected", "swapped, truncated or bit-flipped attachment download")
