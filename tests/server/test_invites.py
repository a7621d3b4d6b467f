"""Invites: the operator command prints a single-use link with a ≥128-bit token in the fragment;
the database keeps only its hash; a token works once and not after it expires."""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from server import create_app
from server.db import db
from server.models import Invite
from server.services.invites import create_invite, invite_url
from tests.server.factories import b64, enrolment_body, make_keys, new_invite


def _enrol(client, invite: str, role: str = "delegate", username: str | None = None):  # type: ignore[no-untyped-def]
    body = enrolment_body(invite, username or f"user-{secrets.token_hex(4)}", role, make_keys(),
                          secrets.token_bytes(16), secrets.token_bytes(16))
    return client.post("/api/auth/enrol", json=body)


def test_cli_prints_the_invite_url_as_its_last_line(app_config) -> None:  # type: ignore[no-untyped-def]
    app_config.PUBLIC_URL = "https://safepassage.example"
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["invite", "create", "--role", "legal"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) >= 2  # a short explanation first
    url = urlsplit(lines[-1])
    assert (url.scheme, url.netloc, url.path, url.query) == ("https", "safepassage.example", "/", "")
    fragment = parse_qs(url.fragment, strict_parsing=True)
    assert fragment["role"] == ["legal"]
    token = fragment["invite"][0]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    with app.app_context():
        stored = db.session().scalars(select(Invite)).all()
    assert [(i.role, i.token_hash) for i in stored] == [
        ("legal", b64(hashlib.sha256(raw).digest()))]
    assert token not in repr([vars(i) for i in stored])


def test_cli_hours_option_and_default_expiry(app, fake_clock) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["invite", "create", "--role", "delegate", "--hours", "5"]).exit_code == 0
    assert runner.invoke(args=["invite", "create", "--role", "focal-point"]).exit_code == 0
    with app.app_context():
        expiries = sorted(i.expires_ms for i in db.session().scalars(select(Invite)))
    now_ms = fake_clock.t * 1000
    hour = 3_600_000
    # Expiry is stored to the hour, never earlier than promised.
    assert all(e % hour == 0 for e in expiries)
    assert now_ms + 5 * hour <= expiries[0] < now_ms + 6 * hour
    assert now_ms + 72 * hour <= expiries[1] < now_ms + 73 * hour


@pytest.mark.parametrize("args", [["--role", "admin"], ["--role", "delegate", "--hours", "0"],
                                  ["--role", "delegate", "--hours", "100000"], []])
def test_cli_refuses_bad_roles_and_durations(app, args) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["invite", "create", *args])
    assert result.exit_code != 0
    assert "#invite=" not in result.output


def test_invite_url_looks_up_the_role(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        token = create_invite("focal-point")
        assert invite_url(token) == f"http://127.0.0.1:8000/#invite={token}&role=focal-point"
        with pytest.raises(ValueError):
            invite_url(b64(secrets.token_bytes(32)))


def test_an_invite_works_once(client) -> None:  # type: ignore[no-untyped-def]
    invite = new_invite(client)
    assert _enrol(client, invite).status_code == 201
    again = _enrol(client, invite)
    assert again.status_code == 410
    assert again.get_json()["error"]["code"] == "invite-invalid"


def test_unknown_and_expired_invites_get_the_same_answer(client, fake_clock) -> None:  # type: ignore[no-untyped-def]
    invite = new_invite(client, hours=1)
    fake_clock.advance(2 * 3600)
    expired = _enrol(client, invite)
    unknown = _enrol(client, b64(secrets.token_bytes(32)))
    assert expired.status_code == unknown.status_code == 410
    assert expired.data == unknown.data


def test_checking_an_invite_tells_its_role_without_using_it(client) -> None:  # type: ignore[no-untyped-def]
    invite = new_invite(client, "legal")
    for _ in range(2):
        response = client.post("/api/auth/invite", json={"invite": invite})
        assert response.status_code == 200 and response.get_json() == {"role": "legal"}
    assert _enrol(client, invite, role="legal").status_code == 201
    used = client.post("/api/auth/invite", json={"invite": invite})
    assert used.status_code == 410 and used.get_json()["error"]["code"] == "invite-invalid"


def test_a_bundle_with_another_role_is_refused_and_the_invite_survives(client) -> None:  # type: ignore[no-untyped-def]
    invite = new_invite(client, "delegate")
    wrong = _enrol(client, invite, role="legal")
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "invalid-request"
    assert _enrol(client, invite, role="delegate").status_code == 201


def test_the_enrolled_account_has_the_invites_role(client) -> None:  # type: ignore[no-untyped-def]
    response = _enrol(client, new_invite(client, "focal-point"), role="focal-point")
    assert response.get_json()["account"]["role"] == "focal-point"
    assert client.get("/api/session").get_json()["account"]["role"] == "focal-point"


def test_creating_an_invite_purges_expired_ones(app, fake_clock) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        create_invite("delegate", hours=1)
        fake_clock.advance(3 * 3600)
        create_invite("delegate")
        assert len(db.session().scalars(select(Invite)).all()) == 1
