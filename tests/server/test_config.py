"""Production refuses to start with a missing or default secret; health reports to operators."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server.config import ROOT, ProductionConfig


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short-secret"])
def test_production_config_refuses_weak_or_missing_secret(monkeypatch, secret) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    if secret is None:
        monkeypatch.delenv("SAFEPASSAGE_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SAFEPASSAGE_SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SAFEPASSAGE_SECRET_KEY"):
        ProductionConfig()


def test_gunicorn_entry_point_will_not_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SAFEPASSAGE_SECRET_KEY"}
    result = subprocess.run([sys.executable, "-c", "import server.wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "SAFEPASSAGE_SECRET_KEY is missing or too weak" in result.stderr


def test_health_reports_ok_with_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


def test_health_reports_degraded_when_database_is_unreachable() -> None:
    from server import create_app
    from server.config import TestingConfig

    # Port 1 on loopback: connection refused at once, like a database that went away.
    app = create_app(TestingConfig("postgresql+psycopg://nobody:x@127.0.0.1:1/none"))
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["database"] == "unavailable"
