"""The authorization matrix: every endpoint that takes an id, given another account's id,
answers exactly as for an id that does not exist — same status, same bytes."""
from __future__ import annotations

import secrets
import time

import spcrypto

from tests.server.factories import CHUNK, b64, encrypt, enrolled_account

# Every route with an id in its path; test_every_id_route_is_in_the_matrix keeps this complete.
ID_ROUTES = {"/api/uploads/<aid>", "/api/attachments/<aid>", "/api/devices/<device_id>/revoke",
             "/api/shares/<rid>/<kid>", "/api/alerts/<alert_id>/checkin"}
SESSION_ROUTES = [("GET", "/api/session"), ("GET", "/api/devices"), ("GET", "/api/records"),
                  ("GET", "/api/records/heads"), ("POST", "/api/records"),
                  ("POST", "/api/uploads"), ("POST", "/api/auth/signout"),
                  ("GET", "/api/directory"), ("PUT", "/api/directory/card"),
                  ("GET", "/api/shares"), ("POST", "/api/shares"), ("GET", "/api/inbox"),
                  ("GET", "/api/alerts"), ("POST", "/api/alerts")]


def _random_id() -> str:
    return b64(secrets.token_bytes(16))


def _requests(delegate, aid: str, device: str, rid: str, kid: str, alert: str):  # type: ignore[no-untyped-def]
    return {
        "upload state": delegate.get(f"/api/uploads/{aid}"),
        "upload part": delegate.put_part(aid, 0, b"\x00" * CHUNK),
        "download": delegate.get(f"/api/attachments/{aid}"),
        "revoke": delegate.post(f"/api/devices/{device}/revoke"),
        "revoke share": delegate.delete(f"/api/shares/{rid}/{kid}"),
        "check in": delegate.post(f"/api/alerts/{alert}/checkin"),
    }


def test_every_id_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.arguments and
            r.rule.startswith("/api/")} == ID_ROUTES


def test_another_accounts_ids_look_exactly_like_unknown_ids(app, delegate, other, security_figure) -> None:  # type: ignore[no-untyped-def]
    # The other account has a complete attachment in a record shared with a focal point, an
    # incomplete attachment, a second device and a held check-in alert.
    focal = enrolled_account(app.test_client(), role="focal-point")
    sealed = other.seal((secrets.token_bytes(3 * 65536),), to=(focal,))
    other.push_ok(sealed)
    (complete,) = sealed.attachments
    pending = encrypt(b"pending", spcrypto.new_cek())
    other.declare(pending)
    alert = other.seal_alert("help", (focal,))
    deadline = (int(time.time()) + 3600) * 1000
    assert other.hold(alert, deadline=deadline).status_code == 201
    theirs = [(complete.aid, b64(other.device), sealed.rid, focal.kid, alert.rid),
              (pending.aid, b64(other.device), sealed.rid, focal.kid, alert.rid)]
    unknown = _requests(delegate, *(_random_id() for _ in range(5)))
    denied = 0
    for ids in theirs:
        for name, response in _requests(delegate, *ids).items():
            assert response.status_code == unknown[name].status_code == 404, name
            assert response.data == unknown[name].data, name
            assert response.get_json()["error"]["code"] == "not-found"
            denied += 1
    security_figure("idor.denied", denied,
                    "requests for another account's ids, denied exactly like unknown ids")
    # Nothing of theirs changed, and their session lives.
    assert other.get("/api/session").status_code == 200
    assert other.get(f"/api/attachments/{complete.aid}").data == complete.ct
    assert other.get(f"/api/uploads/{pending.aid}").get_json()["offset"] == 0
    assert [s["rid"] for s in other.get("/api/shares").get_json()["shares"]] == [sealed.rid]
    assert [a["state"] for a in other.alerts()] == ["held"]
    assert len(focal.inbox_items()) == 1
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
    answers += [client.get(f"/api/uploads/{_random_id()}"),
                client.get(f"/api/attachments/{_random_id()}"),
                client.delete(f"/api/shares/{_random_id()}/{_random_id()}"),
                client.post(f"/api/alerts/{_random_id()}/checkin")]
    assert {a.status_code for a in answers} == {401}
    assert len({a.data for a in answers}) == 1
