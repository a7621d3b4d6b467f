"""The CSRF matrix: every state-changing route refuses GET, another origin and a cross-site fetch;
those that act on a session also need the session's X-CSRF-Token."""
from __future__ import annotations

from tests.server.factories import Delegate

ID = "AAAAAAAAAAAAAAAAAAAAAA"
# Every POST/PUT route, classified. A new route fails test_every_unsafe_route_is_classified
# until it is added here.
SESSION_FREE = {("POST", "/api/auth/prelogin"), ("POST", "/api/auth/invite"),
                ("POST", "/api/auth/enrol"), ("POST", "/api/auth/signin"),
                ("POST", "/api/alerts/release")}
SESSION_BOUND = {("POST", "/api/auth/signout"), ("POST", "/api/devices/<device_id>/revoke"),
                 ("POST", "/api/uploads"), ("PUT", "/api/uploads/<aid>"),
                 ("POST", "/api/records"), ("PUT", "/api/directory/card"),
                 ("POST", "/api/shares"), ("DELETE", "/api/shares/<rid>/<kid>"),
                 ("POST", "/api/alerts"), ("POST", "/api/alerts/<alert_id>/checkin")}
ALL = sorted(SESSION_FREE | SESSION_BOUND)
# GET on these reads (a list, a pull, an upload's state): 200 or 404, never a state change.
READ_TOO = {"/api/records", "/api/uploads/<aid>", "/api/shares", "/api/alerts"}


def _url(rule: str) -> str:
    for argument in ("<device_id>", "<aid>", "<rid>", "<kid>", "<alert_id>"):
        rule = rule.replace(argument, ID)
    return rule + ("?offset=0" if rule == f"/api/uploads/{ID}" else "")


def _send(delegate: Delegate, method: str, rule: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return delegate.client.open(_url(rule), method=method, json={}, headers=headers)


def test_every_unsafe_route_is_classified(app) -> None:  # type: ignore[no-untyped-def]
    unsafe = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods & {"POST", "PUT", "DELETE", "PATCH"}}
    assert unsafe == SESSION_FREE | SESSION_BOUND


CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
]


def test_cross_site_requests_are_refused(delegate) -> None:  # type: ignore[no-untyped-def]
    for method, rule in ALL:
        for headers in CROSS_SITE:
            response = _send(delegate, method, rule, {**delegate.headers, **headers})
            assert response.status_code == 403, (method, rule, headers, response.get_json())
            assert response.get_json()["error"]["code"] == "csrf"
    assert delegate.get("/api/session").status_code == 200  # nothing happened (e.g. sign-out)


def test_session_routes_need_the_csrf_token(delegate) -> None:  # type: ignore[no-untyped-def]
    for method, rule in sorted(SESSION_BOUND):
        for token in (None, "", "wrong", "x" * 43, delegate.csrf[:-1]):
            headers = {} if token is None else {"X-CSRF-Token": token}
            response = _send(delegate, method, rule, headers)
            assert response.status_code == 403, (method, rule, token)
            assert response.get_json()["error"]["code"] == "csrf"
    assert delegate.get("/api/session").status_code == 200


def test_the_right_token_and_same_origin_headers_pass_the_csrf_checks(delegate) -> None:  # type: ignore[no-untyped-def]
    for same in ({"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
                 {"Sec-Fetch-Site": "none"}, {}):
        for method, rule in ALL:
            if rule == "/api/auth/signout":
                continue  # would end the session the loop uses; covered in test_auth
            response = _send(delegate, method, rule, {**delegate.headers, **same})
            assert response.status_code != 403, (method, rule, response.get_json())


def test_get_never_changes_state(delegate) -> None:  # type: ignore[no-untyped-def]
    for method, rule in ALL:
        response = delegate.client.get(_url(rule), headers=delegate.headers)
        if rule in READ_TOO:
            assert response.status_code in (200, 404), rule
            continue
        assert response.status_code == 405, rule
        assert response.get_json()["error"]["code"] == "method-not-allowed"
    assert delegate.get("/api/session").status_code == 200


def test_csrf_token_is_per_session(app, delegate, other) -> None:  # type: ignore[no-untyped-def]
    response = delegate.client.post("/api/records", json={"records": []},
                                    headers={"X-CSRF-Token": other.csrf})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf"
