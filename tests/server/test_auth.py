"""Enrolment, prelogin, sign-in, sessions (cookie, rotation, timeouts) and sign-out."""
from __future__ import annotations

import copy
import hashlib
import secrets

import spcrypto
from spcrypto import KdfParams
from sqlalchemy import select

from server.db import db
from server.models import Account, AuthSession
from tests.server.factories import b64, enrolled_account, enrolment_body, make_keys, new_invite

COOKIE = "__Host-sp_session"


def _set_cookie(response) -> str:  # type: ignore[no-untyped-def]
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    return header


def _sessions(app) -> list[AuthSession]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session().scalars(select(AuthSession)))


def _body(client, role: str = "delegate", **changes):  # type: ignore[no-untyped-def]
    keys = make_keys()
    account_id = secrets.token_bytes(16)
    body = enrolment_body(new_invite(client, role), f"user-{secrets.token_hex(4)}", role, keys,
                          account_id, secrets.token_bytes(16))
    return body, keys, account_id


# -- enrolment -----------------------------------------------------------------------------------

def test_enrol_answers_201_with_the_account_and_a_strict_host_cookie(client) -> None:  # type: ignore[no-untyped-def]
    body, keys, account_id = _body(client)
    response = client.post("/api/auth/enrol", json=body)
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == {"csrf", "account", "device", "server"}
    assert answer["account"]["id"] == b64(account_id)
    assert answer["account"]["identity"]["kid"] == b64(keys.identity.kid)
    assert answer["account"]["kdf"] == body["account"]["kdf"]
    assert answer["account"]["bundle"] == body["account"]["bundle"]
    assert answer["device"] == body["device"]
    assert answer["server"]["chunk_size"] == 65552
    cookie = _set_cookie(response)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert attributes == {"secure", "httponly", "samesite", "path"}
    assert "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "Max-Age" not in cookie and "Expires" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(spcrypto.b64u_decode(token)) == 32


def test_the_database_keeps_only_hashes_of_session_tokens(client, app) -> None:  # type: ignore[no-untyped-def]
    body, _, _ = _body(client)
    response = client.post("/api/auth/enrol", json=body)
    token = _set_cookie(response).split(";")[0].split("=", 1)[1]
    (row,) = _sessions(app)
    raw = spcrypto.b64u_decode(token)
    assert row.token_hash == b64(hashlib.sha256(raw).digest())
    assert token not in repr(vars(row))


def test_the_auth_key_is_stored_as_an_argon2id_hash(client, app) -> None:  # type: ignore[no-untyped-def]
    body, keys, account_id = _body(client)
    client.post("/api/auth/enrol", json=body)
    with app.app_context():
        account = db.session().get(Account, b64(account_id))
    assert account.auth_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert b64(keys.auth_key) not in account.auth_hash


def test_a_taken_username_is_refused_and_the_invite_stays_usable(client) -> None:  # type: ignore[no-untyped-def]
    first = enrolled_account(client, username="amina")
    body, _, _ = _body(client)
    body["username"] = "AMINA"  # normalised to the same name
    taken = client.post("/api/auth/enrol", json=body)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "username-taken"
    body["username"] = "amina2"
    assert client.post("/api/auth/enrol", json=body).status_code == 201
    assert first.username == "amina"


def test_malformed_usernames_are_invalid_requests(client) -> None:  # type: ignore[no-untyped-def]
    body, _, _ = _body(client)
    for username in ("ab", "a" * 33, "-abc", "a b c", "a/bc", "", "x" * 200, "ab\u0000c", 7, None):
        body["username"] = username
        response = client.post("/api/auth/enrol", json=body)
        assert response.status_code == 400, username
        assert response.get_json()["error"]["code"] == "invalid-request"
        for route in ("/api/auth/prelogin", "/api/auth/signin"):
            response = client.post(route, json={"username": username, "auth_key": "A" * 43,
                                                "device": "A" * 22} if "signin" in route
                                   else {"username": username})
            assert response.status_code == 400, (route, username)


def test_usernames_are_nfkc_and_lowercase(client) -> None:  # type: ignore[no-untyped-def]
    delegate = enrolled_account(client, username="Ｆａｔｉｍａ.K")  # fullwidth letters
    assert client.post("/api/auth/prelogin", json={"username": "fatima.k"}).get_json()["kdf"] == (
        delegate.keys.kdf.to_text())


def _kdf(t: int, m: int, p: int) -> str:
    return KdfParams(t=t, m=m, p=p, salt=secrets.token_bytes(16)).to_text()


MUTATIONS = [
    lambda b: b["account"].update(kdf=_kdf(1, 19456, 1)),                  # below the floor
    lambda b: b["account"].update(kdf=_kdf(2, 1 << 20, 1)),                # above the ceiling
    lambda b: b["account"].update(kdf='{"alg":"scrypt"}'),
    lambda b: b["account"]["bundle"].update(sig=b64(bytes(64))),           # bundle signature
    lambda b: b["account"].update(id=b64(secrets.token_bytes(16))),        # uid != account id
    lambda b: b["account"]["identity"].update(enc_pub=b64(secrets.token_bytes(32))),
    lambda b: b["account"]["identity"].update(kid=b64(secrets.token_bytes(16))),
    lambda b: b["account"].update(wrapped_ak=b64(secrets.token_bytes(10))),
    lambda b: b["account"].update(extra="x"),
    lambda b: b.update(device="not base64url!"),
    lambda b: b.update(invite=b64(secrets.token_bytes(16))),
    lambda b: b["account"]["bundle"].update(bundle=b["account"]["bundle"]["bundle"] + " "),
]


def test_enrolment_checks_everything_it_can_without_keys(client) -> None:  # type: ignore[no-untyped-def]
    body, _, _ = _body(client)
    for i, mutate in enumerate(MUTATIONS):
        bad = copy.deepcopy(body)
        mutate(bad)
        response = client.post("/api/auth/enrol", json=bad)
        assert response.status_code == 400, (i, response.get_json())
        assert response.get_json()["error"]["code"] == "invalid-request"
        assert COOKIE not in response.headers.get("Set-Cookie", "")
    assert client.post("/api/auth/enrol", json=body).status_code == 201  # invite not used up


def test_repeating_an_enrolment_signs_in_again(client) -> None:  # type: ignore[no-untyped-def]
    body, _, _ = _body(client)
    first = client.post("/api/auth/enrol", json=body)
    again = client.post("/api/auth/enrol", json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["account"] == again.get_json()["account"]
    # ...but a different auth key with the same ids is not the same enrolment.
    body["account"]["auth_key"] = b64(secrets.token_bytes(32))
    assert client.post("/api/auth/enrol", json=body).status_code == 410


# -- prelogin and sign-in -----------------------------------------------------------------------

def test_prelogin_returns_the_stored_kdf_block(client, delegate) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/auth/prelogin", json={"username": delegate.username})
    assert response.status_code == 200
    assert response.get_json() == {"kdf": delegate.keys.kdf.to_text()}


def test_sign_in_on_a_new_device(app, delegate) -> None:  # type: ignore[no-untyped-def]
    phone = app.test_client()
    new_device = secrets.token_bytes(16)
    response = phone.post("/api/auth/signin", json={
        "username": delegate.username, "auth_key": b64(delegate.keys.auth_key),
        "device": b64(new_device)})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["account"] == delegate.answer["account"]
    assert answer["device"] == b64(new_device)
    # The new device can open the vault with what the server handed it.
    kdf = spcrypto.check_kdf_policy(answer["account"]["kdf"])
    keys = spcrypto.derive_account_keys(delegate.keys.passphrase, kdf, delegate.keys.ask)
    ak = spcrypto.unwrap_ak(keys.kek, spcrypto.b64u_decode(answer["account"]["vault_id"]),
                            spcrypto.b64u_decode(answer["account"]["wrapped_ak"]))
    assert ak == delegate.keys.ak
    session = phone.get("/api/session").get_json()
    assert session == {"csrf": answer["csrf"], "device": b64(new_device),
                       "account": {"id": delegate.account_id, "role": "delegate"}}
    devices = delegate.get("/api/devices").get_json()["devices"]
    assert {d["id"] for d in devices} == {b64(delegate.device), b64(new_device)}


def test_wrong_auth_key_and_unknown_username_fail_alike(client, delegate) -> None:  # type: ignore[no-untyped-def]
    device = b64(secrets.token_bytes(16))
    wrong = client.post("/api/auth/signin", json={
        "username": delegate.username, "auth_key": b64(secrets.token_bytes(32)), "device": device})
    unknown = client.post("/api/auth/signin", json={
        "username": "nobody-here", "auth_key": b64(secrets.token_bytes(32)), "device": device})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.data == unknown.data
    assert wrong.get_json()["error"]["code"] == "signin-failed"
    assert "Set-Cookie" not in wrong.headers and "Set-Cookie" not in unknown.headers


def test_sign_in_rotates_the_session(client, app, delegate) -> None:  # type: ignore[no-untyped-def]
    old_cookie = client.get_cookie(COOKIE).value
    assert delegate.sign_in().status_code == 200
    new_cookie = client.get_cookie(COOKIE).value
    assert new_cookie != old_cookie
    assert len(_sessions(app)) == 1  # the old row is gone
    client.set_cookie(COOKIE, old_cookie)
    assert client.get("/api/session").status_code == 401


# -- session lifetime ---------------------------------------------------------------------------

def test_no_cookie_or_a_forged_one_is_unauthenticated(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/api/session")
    client.set_cookie(COOKIE, b64(secrets.token_bytes(32)))
    forged = client.get("/api/session")
    client.set_cookie(COOKIE, "not a token")
    garbage = client.get("/api/session")
    assert first.status_code == forged.status_code == garbage.status_code == 401
    assert first.data == forged.data == garbage.data
    assert first.get_json()["error"]["code"] == "unauthenticated"


def test_idle_timeout(client, fake_clock) -> None:  # type: ignore[no-untyped-def]
    enrolled_account(client)
    for _ in range(4):  # activity keeps the session alive past 30 minutes in total
        fake_clock.advance(25 * 60)
        assert client.get("/api/session").status_code == 200
    fake_clock.advance(31 * 60)
    assert client.get("/api/session").status_code == 401
    fake_clock.advance(-31 * 60)  # the row is gone: going back in time does not revive it
    assert client.get("/api/session").status_code == 401


def test_absolute_timeout(client, fake_clock) -> None:  # type: ignore[no-untyped-def]
    enrolled_account(client)
    for _ in range(12 * 4 - 1):
        fake_clock.advance(15 * 60)
        assert client.get("/api/session").status_code == 200
    fake_clock.advance(16 * 60)
    assert client.get("/api/session").status_code == 401


def test_session_activity_is_stored_to_the_minute(client, app, fake_clock) -> None:  # type: ignore[no-untyped-def]
    enrolled_account(client)
    fake_clock.advance(95.5)
    client.get("/api/session")
    (row,) = _sessions(app)
    assert row.created_ms % 60_000 == 0 and row.seen_ms % 60_000 == 0
    assert row.seen_ms > row.created_ms


def test_sign_out_deletes_the_session_and_clears_the_cookie(client, app, delegate) -> None:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(COOKIE).value
    response = delegate.post("/api/auth/signout")
    assert response.status_code == 204
    cleared = _set_cookie(response)
    assert cleared.startswith(f"{COOKIE}=;") and "Secure" in cleared
    assert _sessions(app) == []
    assert client.get("/api/session").status_code == 401
    client.set_cookie(COOKIE, cookie)  # a copied cookie is dead too
    assert client.get("/api/session").status_code == 401
    assert delegate.post("/api/auth/signout").status_code == 401
