"""The production stack — gunicorn's gthread workers, as server/wsgi.py is run — serves a whole
sync: enrolment, a multi-part attachment upload, a record push, and a second device's pull and
download. Everything else in tests/sync runs on werkzeug's server; gunicorn hands the app its
request bodies differently (it sets ``wsgi.input_terminated``), so the upload path is checked
on it too.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serve import ServerProcess
from tests.support.sync_client import new_account


@pytest.fixture
def gunicorn_server(app, database_url: str,  # type: ignore[no-untyped-def]
                    tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(database_url, stack="gunicorn", workers=2, threads=4,
                           config={"DATABASE_POOLING": True}, log_path=tmp_path / "gunicorn.log")
    server.start()
    yield server
    server.stop()


def test_full_sync_on_gunicorn(gunicorn_server, new_invite):
    # Given two devices of one account on the production server stack
    phone, laptop = new_account(gunicorn_server.url, new_invite("delegate"), devices=2, seed=7)
    # and the session cookie as the contract has it
    assert phone.http.cookie_attributes.keys() >= {"secure", "httponly", "samesite", "path"}
    assert phone.http.cookie_attributes["samesite"].lower() == "strict"
    assert "domain" not in phone.http.cookie_attributes
    assert "max-age" not in phone.http.cookie_attributes
    # When the phone syncs a record with a 3.5 MB photo (four parts, three of them full)
    photo = os.urandom(3_500_000)
    rid = phone.create_record({"kind": "incident", "text": "checkpoint"},
                              attachments=[("p.jpg", "image/jpeg", photo)])
    try:
        sent = phone.sync()
        received = laptop.sync()
    except Exception as exc:
        raise AssertionError(f"{exc!r}\ngunicorn log:\n{gunicorn_server.log_tail()}") from exc
    # Then the laptop holds it, verified, with the same ciphertext
    assert (sent.sent_attachments, received.received_records, received.received_attachments) == (
        1, 1, 1)
    (att,) = laptop.attachments.values()
    assert att.blob.sha256() == phone.attachments[att.ref.aid].blob.sha256()
    assert laptop.records[rid].body["text"] == "checkpoint"
    for dev in (phone, laptop):
        dev.verify_receipts()
        dev.check_heads()
        dev.close()
