"""Production refuses to start with a missing or default secret; health reports to operators."""
from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys

import pytest
from spcrypto import b64u_encode

from server import config
from server.config import ROOT, DevelopmentConfig, ProductionConfig, TestingConfig
from server.settings import ServerKeys


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
    env = {k: v for k, v in os.environ.items()
           if k not in ("SAFEPASSAGE_SECRET_KEY", "SAFEPASSAGE_SERVER_KEY")}
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


# --- the server key ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, "", "short", "A" * 42, "A" * 44, "!" * 43])
def test_production_refuses_a_missing_or_malformed_server_key(monkeypatch, value) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SAFEPASSAGE_SECRET_KEY", "x" * 48)
    if value is None:
        monkeypatch.delenv("SAFEPASSAGE_SERVER_KEY", raising=False)
    else:
        monkeypatch.setenv("SAFEPASSAGE_SERVER_KEY", value)
    with pytest.raises(RuntimeError, match="SAFEPASSAGE_SERVER_KEY"):
        ProductionConfig()


def test_production_takes_a_32_byte_server_key(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seed = secrets.token_bytes(32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SAFEPASSAGE_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SAFEPASSAGE_SERVER_KEY", b64u_encode(seed))
    assert ProductionConfig().SERVER_KEY == seed


def test_development_keeps_its_server_key_in_the_instance_folder(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    monkeypatch.delenv("SAFEPASSAGE_SERVER_KEY", raising=False)
    monkeypatch.delenv("SAFEPASSAGE_SECRET_KEY", raising=False)
    first = DevelopmentConfig().SERVER_KEY
    assert len(first) == 32 and DevelopmentConfig().SERVER_KEY == first
    assert stat.S_IMODE((tmp_path / "server_key").stat().st_mode) == 0o600


def test_testing_config_key_is_random_unless_given(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAFEPASSAGE_SERVER_KEY", raising=False)
    assert TestingConfig("sqlite://").SERVER_KEY != TestingConfig("sqlite://").SERVER_KEY
    seed = secrets.token_bytes(32)
    assert TestingConfig("sqlite://", SERVER_KEY=seed).SERVER_KEY == seed
    monkeypatch.setenv("SAFEPASSAGE_SERVER_KEY", b64u_encode(seed))
    assert TestingConfig("sqlite://").SERVER_KEY == seed


def test_the_server_keys_are_independent_and_deterministic() -> None:
    seed = secrets.token_bytes(32)
    keys, again = ServerKeys.from_seed(seed), ServerKeys.from_seed(seed)
    assert keys.receipt_public == again.receipt_public
    assert keys.username == again.username and keys.prelogin == again.prelogin
    values = {keys.username, keys.prelogin, keys.receipt_public, seed,
              keys.receipt.private_bytes_raw()}
    assert len(values) == 5


def test_server_info_publishes_the_receipt_key_and_limits(app, client) -> None:  # type: ignore[no-untyped-def]
    info = client.get("/api/server").get_json()
    seed = app.config["SERVER_KEY"]
    assert info == {"receipt_key": b64u_encode(ServerKeys.from_seed(seed).receipt_public),
                    "part_size": 16 * 65552, "chunk_size": 65552,
                    "max_attachment": 2 * 1024**3, "max_batch": 50, "version": "0.1.0"}
