"""Canaries: after a full enrol → sign-in → sync → sign-out, no table and no log line holds a
username, a token, an IP address, a user agent or a query string."""
from __future__ import annotations

import base64
import logging
import secrets
import time

import requests
from sqlalchemy import select

from server import create_app
from server.config import TestingConfig
from server.db import db
from server.models import Base
from tests.conftest import LiveServer
from tests.server.factories import enrolled_account

USERNAME = "canary-zq8xw"
USER_AGENT = "CanaryAgent/7.3 (canary-device)"


def _encodings(text: str) -> set[str]:
    raw = text.encode()
    return {text, text.upper(), raw.hex(), base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("=")}


def _dump(app) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table as text, binary columns both raw and hex."""
    lines = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in db.session().execute(select(table)):
                for value in row:
                    if isinstance(value, bytes):
                        lines += [value.decode("latin-1"), value.hex()]
                    else:
                        lines.append(str(value))
    return "\n".join(lines)


def test_no_table_or_log_line_holds_names_addresses_or_tokens(app, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    environ = {"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": USER_AGENT}
    client.environ_base.update(environ)
    delegate = enrolled_account(client, username=USERNAME)
    sealed = delegate.seal((b"canary attachment bytes",), text="canary incident text")
    delegate.push_ok(sealed)
    delegate.pull()
    assert client.post("/api/auth/prelogin", json={"username": USERNAME}).status_code == 200
    assert delegate.sign_in().status_code == 200
    cookie = client.get_cookie("__Host-sp_session").value
    dump = _dump(app)
    for secret in (*_encodings(USERNAME), "203.0.113.77", "CanaryAgent", "canary incident",
                   "canary attachment", cookie, delegate.keys.passphrase):
        assert secret not in dump, secret
        assert secret not in caplog.text, secret
    assert delegate.csrf not in caplog.text
    assert "?after=" not in caplog.text


def test_the_live_server_logs_no_address_and_no_query(database_url, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = LiveServer(create_app(TestingConfig(database_url)))
    try:
        marker = secrets.token_hex(6)
        response = requests.get(f"{server.url}/api/records?after={marker}",
                                headers={"User-Agent": USER_AGENT}, timeout=10)
        assert response.status_code == 401
        requests.get(f"{server.url}/api/health", timeout=10)
    finally:
        server.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /api/records" 401' in line for line in lines), lines
    assert any('"GET /api/health" 200' in line for line in lines), lines
    for line in lines:
        assert "127.0.0.1" not in line and marker not in line and "Canary" not in line, line


def test_sharing_leaves_no_plaintext_in_the_database(app, caplog) -> None:  # type: ignore[no-untyped-def]
    # Given a delegate who shares an incident, acknowledged by a focal point, and who registered
    # a check-in alert (released) and a duress alert (released by its token)
    caplog.set_level(logging.DEBUG)
    delegate = enrolled_account(app.test_client())
    focal = enrolled_account(app.test_client(), role="focal-point")
    assert focal.put_card("Focal Point").status_code == 204
    incident = delegate.seal((b"canary photo bytes",), text="canary shared incident",
                             to=(focal,))
    message = delegate.seal(kind="sp.share", text="", to=(focal,), body={
        "from": "Canary Delegate Name", "consent": {"contact": True, "statistics": False,
                                                     "legal": True}})
    delegate.push_ok(incident, message)
    assert len(focal.inbox_items()) == 2
    focal.push_ok(focal.seal(kind="sp.status", text="canary acknowledgement", to=(delegate,)))
    deadline = (int(time.time()) + 3600) * 1000
    checkin = delegate.seal_alert("canary checkin text", (focal,), deadline=deadline)
    assert delegate.hold(checkin, deadline=deadline).status_code == 201
    token = secrets.token_bytes(32)
    duress = delegate.seal_alert("canary duress text", (focal,), alert="duress")
    assert delegate.hold(duress, token=token).status_code == 201
    assert app.test_client().post("/api/alerts/release",
                                  json={"token": base64.urlsafe_b64encode(token).decode()
                                        .rstrip("=")}).status_code == 204
    assert len(focal.inbox_items()) == 3
    # Then no table and no log line holds any of it in clear, nor the duress token
    dump = _dump(app)
    for secret in ("canary shared incident", "Canary Delegate Name", "canary photo",
                   "canary acknowledgement", "canary checkin", "canary duress",
                   *_encodings("Canary Delegate Name"), token.hex(),
                   base64.urlsafe_b64encode(token).decode().rstrip("=")):
        assert secret not in dump, secret
        assert secret not in caplog.text, secret
