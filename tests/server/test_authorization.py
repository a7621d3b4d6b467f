"""The authorization matrix: every endpoint that takes an id, given another account's id,
answers exactly as for an id that does not exist — same status, same bytes."""
from __future__ import annotations

import secrets

import spcrypto

from tests.server.factories import CHUNK, b64, encrypt

# Every route with an id in its path; test_every_id_route_is_in_the_matrix keeps this complete.
ID_ROUTES = {"/api/uploads/<aid>", "/api/attachments/<aid>", "/api/devices/<device_id>/revoke"}
SESSION_ROUTES = [("GET", "/api/session"), ("GET", "/api/devices"), ("GET", "/api/records"),
                  ("GET", "/api/records/heads"), ("POST", "/api/records"),
                  ("POST", "/api/uploads"), ("POST", "/api/auth/signout")]


def _requests(delegate, aid: str, device: str):  # type: ignore[no-untyped-def]
    return {
        "upload state": delegate.get(f"/api/uploads/{aid}"),
        "upload part": delegate.put_part(aid, 0, b"\x00" * CHUNK),
        "download": delegate.get(f"/api/attachments/{aid}"),
        "revoke": delegate.post(f"/api/devices/{device}/revoke"),
    }


def test_every_id_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.arguments and
            r.rule.startswith("/api/")} == ID_ROUTES


def test_another_accounts_ids_look_exactly_like_unknown_ids(delegate, other) -> None:  # type: ignore[no-untyped-def]
    # The other account has a complete attachment, an incomplete one and a second device.
    sealed = other.seal((secrets.token_bytes(3 * 65536),))
    other.push_ok(sealed)
    (complete,) = sealed.attachments
    pending = encrypt(b"pending", spcrypto.new_cek())
    other.declare(pending)
    theirs = [(complete.aid, b64(other.device)), (pending.aid, b64(other.device))]
    unknown = _requests(delegate, b64(secrets.token_bytes(16)), b64(secrets.token_bytes(16)))
    for aid, device in theirs:
        for name, response in _requests(delegate, aid, device).items():
            assert response.status_code == unknown[name].status_code == 404, name
            assert response.data == unknown[name].data, name
            assert response.get_json()["error"]["code"] == "not-found"
    # Nothing of theirs changed, and their session lives.
    assert other.get("/api/session").status_code == 200
    assert other.get(f"/api/attachments/{complete.aid}").data == complete.ct
    assert other.get(f"/api/uploads/{pending.aid}").get_json()["offset"] == 0
    # An unknown address in the API answers the same bytes as an unknown id.
    assert delegate.get("/api/no-such-thing").data == unknown["download"].data


def test_ids_are_per_account_namespaces(delegate, other) -> None:  # type: ignore[no-untyped-def]
    sealed = other.seal((b"their file",))
    other.push_ok(sealed)
    (att,) = sealed.attachments
    # Declaring the same aid is my own upload (no conflict that would reveal theirs) ...
    mine = encrypt(b"my file, of another size", spcrypto.new_cek())
    response = delegate.post("/api/uploads", {**mine.declaration(), "aid": att.aid})
    assert response.status_code == 201 and response.get_json()["offset"] == 0
    # ... and a record naming their complete attachment does not find it.
    naming_theirs = delegate.seal(borrowed=(att,))
    response = delegate.push(naming_theirs)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "attachment-missing"
    assert other.get(f"/api/attachments/{att.aid}").data == att.ct


def test_session_routes_refuse_everyone_without_a_session_alike(client) -> None:  # type: ignore[no-untyped-def]
    answers = [client.open(url, method=method, json={}) for method, url in SESSION_ROUTES]
    answers += [client.get(f"/api/uploads/{b64(secrets.token_bytes(16))}"),
                client.get(f"/api/attachments/{b64(secrets.token_bytes(16))}")]
    assert {a.status_code for a in answers} == {401}
    assert len({a.data for a in answers}) == 1
