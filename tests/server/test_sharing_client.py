"""The Python sync client (tests/support/sync_client.py) shares, answers and raises alerts the way
the app will, against the real server over HTTP: what later end-to-end and malicious-server tests
build on. Every item it receives is verified (signatures, share attestation, receipt, key
commitment, attachment hash) before it is kept."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from spcrypto import b64u_encode

from server import clock
from server.services.invites import create_invite
from tests.conftest import LiveServer
from tests.support.sync_client import ApiError, Device, KeyChanged, new_account, release_duress


@pytest.fixture
def server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = LiveServer(app)
    yield live
    live.stop()


def _account(app, server: LiveServer, role: str) -> Device:  # type: ignore[no-untyped-def]
    with app.app_context():
        invite = create_invite(role)
    (device,) = new_account(server.url, invite, role=role)
    return device


def test_a_delegate_and_a_focal_point_exchange_a_report(app, server) -> None:  # type: ignore[no-untyped-def]
    delegate = _account(app, server, "delegate")
    focal = _account(app, server, "focal-point")
    # The focal point publishes her name; the delegate finds her (key pinned, card verified)
    focal.put_card("María", "Red de Apoyo")
    (contact,) = delegate.directory()
    assert (contact.card.name, contact.card.org) == ("María", "Red de Apoyo")
    maria = contact.bundle
    # The delegate shares an incident with a photo, and the signed share message with consent
    photo = os.urandom(150_000)
    rid = delegate.create_record({"kind": "incident", "text": "pushback at the border"},
                                 attachments=[("p.jpg", "image/jpeg", photo)], to=[maria])
    entry = delegate.records[rid].entry_hash
    delegate.send_message("sp.share", [maria], items=[
        {"rid": b64u_encode(rid), "entry": b64u_encode(entry), "author": b64u_encode(
            delegate.bundle.kid)}], consent={"contact": True, "statistics": True, "legal": False})
    delegate.sync()
    # The focal point pulls, verifies, opens, and reads the photo
    report, message = focal.pull_inbox()
    assert report.body["text"] == "pushback at the border" and report.author == report.sharer
    assert message.body["n"] == {b64u_encode(maria.kid): 1}
    aid = report.header.att[0].aid
    assert focal.read_shared_attachment(rid, aid) == photo
    # She acknowledges: the delegate shared with her, so she may address her
    focal.send_message("sp.status", [report.author], status="acknowledged",
                       about=[{"rid": b64u_encode(rid)}])
    focal.sync()
    (ack,) = delegate.pull_inbox()
    assert ack.body["status"] == "acknowledged" and ack.body["from"] == focal.creds.display_name
    # Revoking takes the report and the photo back; sharing again delivers it again
    assert [s["to"] for s in delegate.list_shares()] == [b64u_encode(maria.kid)] * 2
    delegate.revoke_share(rid, maria.kid)
    with pytest.raises(ApiError) as gone:
        focal.read_shared_attachment(rid, aid)
    assert gone.value.status == 404
    delegate.share([rid], [maria])
    focal.inbox.clear()
    focal.inbox_cursor = 0
    assert {i.rid for i in focal.pull_inbox()} == {rid, message.rid}
    for device in (delegate, focal):
        device.close()


def test_check_in_and_duress_alerts_through_the_client(app, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    delegate = _account(app, server, "delegate")
    focal = _account(app, server, "focal-point")
    (contact,) = delegate.directory()
    now = int(time.time() * 1000)
    # A check-in timer she keeps, and one she misses
    kept = delegate.set_checkin([contact.bundle], deadline=now + 10 * 60_000, text="kept")
    missed = delegate.set_checkin([contact.bundle], deadline=now + 5 * 60_000, text="missed")
    delegate.checkin(kept["id"])
    assert focal.pull_inbox() == []
    later = time.time() + 6 * 60
    monkeypatch.setattr(clock, "now", lambda: later)
    (alert,) = focal.pull_inbox()
    assert alert.body["alert"] == "checkin" and alert.body["text"] == "missed"
    with pytest.raises(ApiError) as too_late:
        delegate.checkin(missed["id"])
    assert too_late.value.code == "alert-released"
    # A duress alert, released by the decoy without any session
    _, token = delegate.set_duress([contact.bundle], text="forced to unlock")
    release_duress(server.url, token)
    release_duress(server.url, token)  # the decoy retries; nothing more happens
    (duress,) = focal.pull_inbox()
    assert duress.body["alert"] == "duress"
    with pytest.raises(ApiError) as unknown:
        release_duress(server.url, os.urandom(32))
    assert unknown.value.status == 404
    # Her own devices receive the released alerts as records of one-record chains
    delegate.sync()
    kinds = sorted(r.body["kind"] for r in delegate.records.values())
    assert kinds == ["sp.alert", "sp.alert", "sp.profile"]
    assert [a["state"] for a in delegate.list_alerts()] == ["released", "released"]
    delegate.check_heads()
    for device in (delegate, focal):
        device.close()


def test_a_changed_contact_key_is_refused(app, server) -> None:  # type: ignore[no-untyped-def]
    delegate = _account(app, server, "delegate")
    focal = _account(app, server, "focal-point")
    (contact,) = delegate.directory()
    delegate.pinned[contact.account] = os.urandom(16)  # as if first seen with another key
    with pytest.raises(KeyChanged):
        delegate.directory()
    for device in (delegate, focal):
        device.close()

