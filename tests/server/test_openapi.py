"""docs/openapi.yaml is the contract's machine-readable twin: schemathesis generates requests for
every operation from it and checks the Flask app (in-process, WSGI) never answers 5xx and every
answer has a documented status, content type and body shape.

Requests carry a real session (cookie and X-CSRF-Token, refreshed for every operation), so the
generated data reaches the parsers and services, not only the 401 gate."""
from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.config import ROOT
from tests.server.factories import enrolled_account

SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.yaml")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 6}
# Sign-out last: it ends the session the other operations use.
OPERATIONS = sorted((result.ok() for result in SCHEMA.get_all_operations()),
                    key=lambda op: (op.path == "/api/auth/signout", op.path, op.method))


def test_every_api_route_is_documented(app) -> None:  # type: ignore[no-untyped-def]
    routes = {(method, rule.rule.replace("<", "{").replace(">", "}"))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(op.method.upper(), op.path) for op in OPERATIONS}
    assert routes == documented


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_the_app_conforms_to_its_openapi_document(app, mode, security_figure) -> None:  # type: ignore[no-untyped-def]
    delegate = enrolled_account(app.test_client())
    statuses: list[int] = []
    for operation in OPERATIONS:
        if mode is GenerationMode.NEGATIVE and not (
                operation.body or operation.path_parameters or operation.query):
            continue  # nothing but the (fixed) session to get wrong
        assert delegate.sign_in().status_code == 200  # a fresh session for each operation
        cookies = {"__Host-sp_session": delegate.client.get_cookie("__Host-sp_session").value}
        strategy = operation.as_strategy(generation_mode=mode,
                                         headers={"X-CSRF-Token": delegate.csrf},
                                         cookies=cookies)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def call(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(app=app)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        call()
    server_errors = sum(1 for status in statuses if status >= 500)
    assert server_errors == 0  # not_a_server_error has already failed the case that had one
    security_figure(f"schemathesis.{mode.value}.cases", len(statuses),
                    f"schemathesis {mode.value} requests against docs/openapi.yaml")
    security_figure(f"schemathesis.{mode.value}.5xx", server_errors,
                    f"schemathesis {mode.value} answers with a 5xx status")



def test_real_sharing_answers_conform_to_the_document(app) -> None:  # type: ignore[no-untyped-def]
    # Generated requests rarely get past the wrap checks, so the success shapes of the sharing
    # routes are checked here on a real exchange between a delegate and a focal point.
    delegate = enrolled_account(app.test_client())
    focal = enrolled_account(app.test_client(), role="focal-point")
    assert focal.put_card("Maria").status_code == 204
    incident, later = delegate.seal((b"photo",), to=(focal,)), delegate.seal()
    delegate.upload(incident.attachments[0])
    alert = delegate.seal_alert("help", (focal,))
    deadline = (int(time.time()) + 3600) * 1000
    self_wrap = {**delegate.wrap_for(later, focal), "kid": delegate.kid}
    answers = [
        ("GET", "/api/directory", 200, delegate.get("/api/directory")),
        ("POST", "/api/records", 200, delegate.push(incident, later)),
        ("POST", "/api/shares", 200, delegate.share((later, focal))),
        ("POST", "/api/shares", 400, delegate.post("/api/shares", {"shares": [
            {"rid": incident.rid, "wrap": delegate.wrap_for(incident, focal)},
            {"rid": later.rid, "wrap": self_wrap}]})),
        ("GET", "/api/shares", 200, delegate.get("/api/shares")),
        ("GET", "/api/inbox", 200, focal.inbox()),
        ("POST", "/api/alerts", 201, delegate.hold(alert, deadline=deadline)),
        ("GET", "/api/alerts", 200, delegate.get("/api/alerts")),
        ("POST", "/api/alerts/release", 404,
         app.test_client().post("/api/alerts/release", json={"token": "A" * 43})),
        ("DELETE", "/api/shares/{rid}/{kid}", 204, delegate.revoke(incident, focal)),
        ("POST", "/api/alerts/{alert_id}/checkin", 204,
         delegate.post(f"/api/alerts/{alert.rid}/checkin")),
        ("POST", "/api/alerts/{alert_id}/checkin", 404,
         delegate.post(f"/api/alerts/{alert.rid}/checkin")),
    ]
    for method, path, status, response in answers:
        assert response.status_code == status, (method, path, response.get_json())
        SCHEMA[path][method].validate_response(response)
