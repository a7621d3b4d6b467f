"""Nothing tells an outsider whether a username has an account: prelogin and sign-in answer
known and unknown names with the same status and body shape, and the fake KDF parameters are
stable, so asking twice does not give the game away."""
from __future__ import annotations

import secrets

import spcrypto

from server import create_app
from tests.server.factories import b64


def _prelogin(client, name: str):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/prelogin", json={"username": name})


def test_prelogin_answers_known_and_unknown_names_alike(client, delegate) -> None:  # type: ignore[no-untyped-def]
    known = _prelogin(client, delegate.username)
    unknown = _prelogin(client, "nobody-" + secrets.token_hex(4))
    assert known.status_code == unknown.status_code == 200
    assert known.headers["Content-Type"] == unknown.headers["Content-Type"]
    assert set(known.get_json()) == set(unknown.get_json()) == {"kdf"}
    for answer in (known, unknown):
        # Both blocks pass the client's policy and have the same canonical shape.
        params = spcrypto.check_kdf_policy(answer.get_json()["kdf"])
        assert len(params.salt) == 16
    fake = spcrypto.check_kdf_policy(unknown.get_json()["kdf"])
    default = spcrypto.new_kdf_params()
    assert (fake.t, fake.m, fake.p) == (default.t, default.m, default.p)


def test_fake_parameters_are_stable_and_per_name(client, app_config) -> None:  # type: ignore[no-untyped-def]
    first = _prelogin(client, "ghost.user").get_json()
    assert _prelogin(client, "ghost.user").get_json() == first
    assert _prelogin(client, "GHOST.USER").get_json() == first  # the normalised name decides
    assert _prelogin(client, "ghost.user2").get_json() != first
    # A restarted server with the same server key gives the same answer; another key does not.
    assert _prelogin(create_app(app_config).test_client(), "ghost.user").get_json() == first
    app_config.SERVER_KEY = secrets.token_bytes(32)
    assert _prelogin(create_app(app_config).test_client(), "ghost.user").get_json() != first


def test_sign_in_answers_known_and_unknown_names_alike(client, delegate) -> None:  # type: ignore[no-untyped-def]
    answers = [client.post("/api/auth/signin", json={
        "username": name, "auth_key": b64(secrets.token_bytes(32)),
        "device": b64(secrets.token_bytes(16))}) for name in (delegate.username, "nobody-at-all")]
    assert answers[0].status_code == answers[1].status_code == 401
    assert answers[0].data == answers[1].data
    assert answers[0].headers["Content-Type"] == answers[1].headers["Content-Type"]


def test_unknown_names_still_pay_for_a_hash_verification(client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server import settings

    hasher = settings.build(app.config).hasher
    calls = []
    real_verify = type(hasher).verify
    monkeypatch.setattr(type(hasher), "verify",
                        lambda self, h, p: calls.append(h) or real_verify(self, h, p))
    client.post("/api/auth/signin", json={"username": "nobody-at-all",
                                          "auth_key": b64(secrets.token_bytes(32)),
                                          "device": b64(secrets.token_bytes(16))})
    assert len(calls) == 1 and calls[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
