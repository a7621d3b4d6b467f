"""Per-address limits on what an attacker would hammer: each one fires at its production value.

TestingConfig raises the limits so whole test sessions fit; these tests put the production
values back (``RATELIMITS=Config.RATELIMITS``)."""
from __future__ import annotations

import logging

import pytest

from server import create_app
from server.config import Config, TestingConfig

LIMITS = [("/api/auth/prelogin", 20), ("/api/auth/signin", 10), ("/api/auth/enrol", 10),
          ("/api/auth/invite", 30), ("/api/alerts/release", 10)]


@pytest.fixture
def limited_client(app_config):  # type: ignore[no-untyped-def]
    app_config.RATELIMITS = Config.RATELIMITS
    return create_app(app_config).test_client()


def test_the_production_limits_are_the_documented_ones() -> None:
    assert Config.RATELIMITS == {
        "api.auth.prelogin": "20 per minute", "api.auth.signin": "10 per minute",
        "api.auth.enrol": "10 per hour", "api.auth.invite": "30 per hour",
        "api.alerts.release": "10 per minute"}
    assert set(TestingConfig.RATELIMITS) == set(Config.RATELIMITS)


@pytest.mark.parametrize("url,allowed", LIMITS)
def test_each_limit_fires(limited_client, url, allowed, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    for _ in range(allowed):
        # Malformed bodies: the limit counts requests, and these cost the server nothing.
        assert limited_client.post(url, json={"x": 1}).status_code == 400
    refused = limited_client.post(url, json={"x": 1})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate-limited"
    assert "Retry-After" in refused.headers
    # Other endpoints are not affected by this one's limit.
    assert limited_client.get("/api/server").status_code == 200
    # Flask-Limiter logs the breach, but not the client address.
    assert "exceeded" in caplog.text and "127.0.0.1" not in caplog.text
