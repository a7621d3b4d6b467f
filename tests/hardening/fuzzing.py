"""How much to fuzz, and what every answer must look like.

``make test`` runs each fuzz test with a small, derandomized budget (the same cases every run, so
a failure reproduces); ``make fuzz`` sets ``HYPOTHESIS_PROFILE=fuzz`` for many times more cases
drawn afresh. The profile only scales these tests: nothing else in the suite changes.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

from server.errors import CODES, STANDARD

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "hardening")
# The fuzz budget of `make fuzz`, as a multiple of make test's.
SCALE = {"hardening": 1, "fuzz": 40}.get(PROFILE, 1)

settings.register_profile(
    "hardening", derandomize=True, database=None, deadline=None, print_blob=True,
    # One app and one signed-in account serve every example of a test (the state they build up
    # is more hostile input, not a leak between cases); bodies are big on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.large_base_example])
settings.register_profile("fuzz", settings.get_profile("hardening"), derandomize=False)

F = TypeVar("F", bound=Callable[..., Any])


def fuzz(examples: int) -> Callable[[F], F]:
    """``@fuzz(n)``: n examples under make test, ``SCALE`` times n under make fuzz."""
    return settings(settings.get_profile(PROFILE if PROFILE in ("hardening", "fuzz")
                                         else "hardening"), max_examples=examples * SCALE)


ERROR_CODES = {code for code, _ in STANDARD.values()} | set(CODES)
# What must never reach a client: a Python traceback, a source path, an exception repr, a SQL
# error, or the server's own secrets (checked separately against the app's config).
LEAKS = re.compile(r"Traceback|File \"|/server/|site-packages|sqlalchemy|psycopg|sqlite3|"
                   r"Error\(|Exception|\bSELECT\b|\bINSERT\b", re.IGNORECASE)


class Tally:
    """Counts what a fuzz test sent and what came back, for the security figures."""

    def __init__(self) -> None:
        self.cases = 0
        self.server_errors = 0
        self.statuses: dict[int, int] = {}

    def saw(self, status: int) -> None:
        self.cases += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.server_errors += 1


def secrets_of(app: Any) -> list[bytes]:
    """Byte strings of the app's secrets in the spellings a careless handler might print."""
    out = []
    for name in ("SECRET_KEY", "SERVER_KEY"):
        value = app.config.get(name)
        if isinstance(value, str):
            value = value.encode()
        if isinstance(value, bytes) and value:
            out += [value, value.hex().encode()]
    return out


def assert_answer(app: Any, tally: Tally, response: Any, what: object) -> None:
    """No 5xx ever; an API error is ``{"error": {"code", "message"}}`` JSON with a documented
    code; no body carries a stack trace, an internal name or a secret."""
    status = response.status_code
    tally.saw(status)
    assert status < 500, (what, status, response.get_data()[:300])
    body = response.get_data()
    path = response.request.path
    if status >= 400 and response.request.method != "HEAD":  # HEAD answers have no body
        assert not LEAKS.search(body.decode("utf-8", "replace")), (what, body[:300])
        if path.startswith("/api/"):
            assert response.mimetype == "application/json", (what, response.mimetype)
            error = response.get_json()["error"]
            assert set(error) == {"code", "message"}, (what, error)
            assert error["code"] in ERROR_CODES, (what, error)
            assert isinstance(error["message"], str) and error["message"], (what, error)
    for secret in secrets_of(app):
        assert secret not in body, what
