"""Every API error is JSON {"error": {"code", "message"}} with the right status: no HTML, no
stack trace, never a 500 for bad input."""
from __future__ import annotations

import pytest
from flask import Blueprint, abort

from server import create_app
from server.api.parsing import json_object
from server.config import TestingConfig
from tests.server.bodies import ExplodingStream


def _probe_blueprint() -> Blueprint:
    """Routes that exercise the error machinery the real API routes share."""
    bp = Blueprint("probe", __name__, url_prefix="/api/probe")

    @bp.post("/echo")
    def echo():  # type: ignore[no-untyped-def]
        return {"keys": sorted(json_object())}

    @bp.get("/abort/<int:status>")
    def abort_with(status: int):  # type: ignore[no-untyped-def]
        abort(status)

    @bp.get("/crash")
    def crash():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret-looking internal detail /etc/passwd")

    return bp


@pytest.fixture
def probe_client(database_url):  # type: ignore[no-untyped-def]
    app = create_app(TestingConfig(database_url, RATELIMIT_API="1000 per minute"))
    app.register_blueprint(_probe_blueprint())
    return app.test_client()


def assert_json_error(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    assert b"<html" not in response.data.lower()
    return body


def test_unknown_api_route_is_json_404(client) -> None:  # type: ignore[no-untyped-def]
    assert_json_error(client.get("/api/no-such-thing"), 404, "not-found")


def test_wrong_method_is_json_405_with_allow_header(client) -> None:  # type: ignore[no-untyped-def]
    response = client.delete("/api/health")
    assert_json_error(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", data=b'{"a": 1,', content_type="application/json")
    assert_json_error(response, 400, "invalid-request")


def test_json_nested_past_the_parser_is_400_not_500(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", data=b"[" * 200_000 + b"]" * 200_000,
                                 content_type="application/json")
    assert_json_error(response, 400, "invalid-request")


def test_duplicate_keys_are_malformed(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", data=b'{"a": 1, "a": 2}',
                                 content_type="application/json")
    assert_json_error(response, 400, "invalid-request")


def test_json_that_is_not_an_object_is_400(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", data=b"[1, 2]", content_type="application/json")
    assert_json_error(response, 400, "invalid-request")


def test_wrong_content_type_is_415(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", data=b"a=1",
                                 content_type="application/x-www-form-urlencoded")
    assert_json_error(response, 415, "unsupported-media-type")


def test_valid_json_passes(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.post("/api/probe/echo", json={"b": 1, "a": 2})
    assert response.status_code == 200
    assert response.get_json() == {"keys": ["a", "b"]}


def test_oversize_body_is_413_before_the_body_is_read(probe_client, app) -> None:  # type: ignore[no-untyped-def]
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = probe_client.post(
        "/api/probe/echo", input_stream=ExplodingStream(), content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(too_big)},
    )
    assert_json_error(response, 413, "too-large")


@pytest.mark.parametrize("status,code", [
    (400, "invalid-request"), (401, "unauthenticated"), (403, "forbidden"), (404, "not-found"),
    (409, "conflict"), (413, "too-large"), (422, "invalid"), (429, "rate-limited"),
])
def test_every_status_has_a_json_body(probe_client, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert_json_error(probe_client.get(f"/api/probe/abort/{status}"), status, code)


def test_unexpected_exception_is_json_500_without_details(probe_client) -> None:  # type: ignore[no-untyped-def]
    response = probe_client.get("/api/probe/crash")
    assert_json_error(response, 500, "server-error")
    assert b"passwd" not in response.data and b"RuntimeError" not in response.data


def test_rate_limit_answers_json_429(database_url) -> None:  # type: ignore[no-untyped-def]
    client = create_app(TestingConfig(database_url, RATELIMIT_API="2 per minute")).test_client()
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/health").status_code == 200
    assert_json_error(client.get("/api/health"), 429, "rate-limited")


def test_errors_outside_the_api_are_plain_text(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
