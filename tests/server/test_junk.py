"""Junk to every endpoint: whatever arrives, the answer is a documented JSON error (or a normal
answer), never a 500 and never a stack trace."""
from __future__ import annotations

import json

from tests.server.factories import enrolled_account

FIELDS = ["username", "auth_key", "device", "invite", "account", "records", "aid", "ct_len",
          "hash", "envelope", "wrap", "id", "kdf", "identity", "bundle", "card", "sig", "shares",
          "rid", "kind", "deadline", "token"]
VALUES = [None, True, 0, -1, 2**80, 1.5, "", "x" * 5000, "é\u0000\ud7ff", [], {}, ["a"],
          {"a": 1}, [{"hdr": 1}], "AAAAAAAAAAAAAAAAAAAAAA", "=" * 44]
RAW = [b"", b"null", b"[]", b"{}", b'{"a":', b"\xff\xfe\x00", b'{"a":1,"a":2}', b"NaN",
       b'{"records": [' + b"[" * 5000 + b"]" * 5000 + b"]}", b"1e999", b'"\\ud800"']
PATH_JUNK = ["x", "%00", "..", "A" * 300, "AAAAAAAAAAAAAAAAAAAAAA==", "%F0%9F%92%A5"]
WELL_FORMED_ID = "AAAAAAAAAAAAAAAAAAAAAA"
QUERY_JUNK = ["", "?offset=", "?offset=-1", "?offset=1e9", "?after=x&limit=y",
              "?after=%00", "?offset=99999999999999999999", "?limit=0"]


def _bodies() -> list[tuple[bytes, str]]:
    bodies = [(raw, "application/json") for raw in RAW]
    bodies += [(b"a=1", "application/x-www-form-urlencoded"), (b"\x00" * 100, "text/plain")]
    for value in VALUES:
        obj = {field: value for field in FIELDS}
        obj["account"] = {field: value for field in FIELDS}
        obj["records"] = [{"envelope": {"hdr": value, "body": value, "sig": value}, "wrap": value}]
        bodies.append((json.dumps(obj).encode(), "application/json"))
        # Wraps nested where the sharing routes look for them, with junk members.
        wrap = {"t": "hpke", "kid": value, "by": value, "ct": value, "sig": value}
        bodies.append((json.dumps({
            "records": [{"envelope": {"hdr": value, "body": value, "sig": value},
                         "wrap": {}, "shares": [wrap, value]}],
            "shares": [{"rid": WELL_FORMED_ID, "wrap": wrap}, value],
        }).encode(), "application/json"))
        for kind in ("checkin", "duress"):
            bodies.append((json.dumps({"kind": kind, "envelope": {"hdr": value}, "wrap": {},
                                       "shares": [wrap], "deadline": value, "token": value}
                                      ).encode(), "application/json"))
        bodies.append((json.dumps({"username": value}).encode(), "application/json"))
    return bodies


def _urls(rule) -> list[str]:  # type: ignore[no-untyped-def]
    """The rule with junk in each path argument in turn, the others a well-formed id."""
    if not rule.arguments:
        return [rule.rule]
    urls = []
    for arg in sorted(rule.arguments):
        for junk in PATH_JUNK:
            url = rule.rule
            for other in rule.arguments:
                url = url.replace(f"<{other}>", junk if other == arg else WELL_FORMED_ID)
            urls.append(url)
    return urls


def _targets(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    targets = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls = _urls(rule)
            # Only the pulls and the part upload read a query string.
            reads_query = (method, rule.rule) in {("GET", "/api/records"), ("GET", "/api/inbox"),
                                                  ("PUT", "/api/uploads/<aid>")}
            for url in urls:
                for query in QUERY_JUNK if reads_query else [""]:
                    targets.append((method, url + query))
    # Sign-out last: it ends the session the other requests use.
    return sorted(targets, key=lambda t: t[1].startswith("/api/auth/signout"))


def _assert_answer(response, what) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, what
    if response.status_code >= 400:
        assert response.mimetype == "application/json", what
        body = response.get_json()
        assert set(body["error"]) == {"code", "message"}, what
        assert "Traceback" not in response.get_data(as_text=True)


def test_junk_never_breaks_the_server(app) -> None:  # type: ignore[no-untyped-def]
    # Signed in, with the CSRF token: junk gets past the session checks to the parsers.
    # (Without a session every session route answers 401 before parsing; test_authorization.)
    delegate = enrolled_account(app.test_client())
    bodies = _bodies()
    targets = _targets(app)
    assert len(targets) > 60
    for i, (method, url) in enumerate(targets):
        # Every body to every route would be slow; each route gets a rotating share of them.
        for raw, content_type in bodies[i % 8::8]:
            response = delegate.client.open(url, method=method, data=raw,
                                            content_type=content_type, headers=delegate.headers)
            _assert_answer(response, (method, url, raw[:60]))


SHARING = [("PUT", "/api/directory/card"), ("POST", "/api/shares"), ("POST", "/api/records"),
           ("POST", "/api/alerts"), ("POST", "/api/alerts/release")]


def test_sharing_routes_get_every_body_as_a_focal_point(app) -> None:  # type: ignore[no-untyped-def]
    # A focal point gets past the role check of the card route; every body reaches every
    # sharing route (the rotation above gives each route only a share of them).
    focal = enrolled_account(app.test_client(), role="focal-point")
    for method, url in SHARING:
        for raw, content_type in _bodies():
            response = focal.client.open(url, method=method, data=raw,
                                         content_type=content_type, headers=focal.headers)
            _assert_answer(response, (method, url, raw[:60]))
