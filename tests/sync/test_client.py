"""The Python sync client against the real server: what the other sync tests rely on.

Its local store survives an app restart; "Prepare for crossing" leaves nothing behind and a
sign-in brings everything back, verified; a server whose receipt key changed is refused.
"""
from __future__ import annotations

import os

import pytest

from tests.support.sync_client import Device, Unverified, new_account


def test_local_store_survives_a_restart_and_keeps_its_chain(server_process, new_invite, tmp_path):
    # Given a phone with synced and unsynced records and an attachment
    (phone,) = new_account(server_process.url, new_invite("delegate"), seed=1,
                           store_dir=tmp_path / "phone")
    phone.create_record({"kind": "incident", "text": "one"},
                        attachments=[("a.jpg", "image/jpeg", os.urandom(70_000))])
    phone.sync()
    phone.create_record({"kind": "incident", "text": "two, offline"})
    # When the app is closed and opened again (the store reloaded, unlocked by passphrase)
    phone.save(tmp_path / "phone.json")
    phone.close()
    again = Device.load(tmp_path / "phone.json", server_process.url, phone.creds)
    # Then it holds the same records, and its chain continues where it stopped
    assert {r: x.entry_hash for r, x in again.records.items()} == {
        r: x.entry_hash for r, x in phone.records.items()}
    assert again.plan()["records"] == 1
    again.create_record({"kind": "incident", "text": "three"})
    again.sync()
    again.verify_receipts()
    again.check_heads()
    again.close()


def test_prepare_for_crossing_then_sign_in_restores_everything(server_process, new_invite):
    # Given a phone with incidents and a photo not yet synced
    (phone,) = new_account(server_process.url, new_invite("delegate"), seed=2)
    photo = os.urandom(1_500_000)
    rid = phone.create_record({"kind": "incident", "text": "checkpoint"},
                              attachments=[("p.jpg", "image/jpeg", photo)])
    phone.edit(rid, {"text": "checkpoint, corrected"})
    before = {r: x.entry_hash for r, x in phone.records.items()}
    # When the delegate prepares for crossing
    phone.prepare_for_crossing()
    # Then nothing is left on the phone
    assert not phone.records and not phone.attachments and phone.ak is None
    # And signing in afterwards (a fresh install) restores every record and the photo, verified
    restored = Device(server_process.url, phone.creds)
    restored.sign_in()
    restored.sync()
    assert {r: x.entry_hash for r, x in restored.records.items()} == before
    (att,) = restored.attachments.values()
    assert att.size == len(photo)
    assert restored.server_key is not None  # pinned from the account's own profile record
    restored.verify_receipts()
    restored.check_heads()
    for dev in (phone, restored):
        dev.close()


def test_receipts_from_a_server_with_another_key_are_refused(server_process, new_invite):
    # Given a phone that pinned the server's receipt key at enrolment
    (phone,) = new_account(server_process.url, new_invite("delegate"), seed=3)
    # When the server comes back with another key (restored from a backup on another host)
    server_process.kill()
    server_process.server_key = os.urandom(32)
    server_process.start()
    phone.create_record({"kind": "incident", "text": "after the move"})
    # Then the phone refuses its receipts instead of trusting them
    with pytest.raises(Unverified):
        phone.sync()
    phone.close()
