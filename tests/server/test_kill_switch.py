"""The operator's kill switch: `flask kill-switch on` makes the shell answer with the retiring
worker and a script-free paused page, both with Clear-Site-Data "cache" (never "storage"), while
the API keeps working; `off` serves the app again."""
from __future__ import annotations

import pytest

from server import create_app
from server.config import ROOT, TestingConfig


@pytest.fixture
def switch(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "KILL_SWITCH"


@pytest.fixture
def switched_app(database_url, switch):  # type: ignore[no-untyped-def]
    return create_app(TestingConfig(database_url, KILL_SWITCH_FILE=switch))


def run(app, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["kill-switch", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_operator_turns_the_switch_on_and_off(switched_app, switch) -> None:  # type: ignore[no-untyped-def]
    assert "kill switch off" in run(switched_app, "status")
    assert "ON" in run(switched_app, "on") and switch.exists()
    assert "kill switch on since" in run(switched_app, "status")
    run(switched_app, "off")
    assert not switch.exists()
    assert "kill switch off" in run(switched_app, "status")


def test_while_on_the_shell_retires_itself_and_the_api_keeps_working(switched_app, switch) -> None:  # type: ignore[no-untyped-def]
    client = switched_app.test_client()
    run(switched_app, "on")

    worker = client.get("/service-worker.js")
    assert worker.status_code == 200
    assert worker.data == (ROOT / "pwa" / "retiring-worker.js").read_bytes()
    assert worker.headers["Clear-Site-Data"] == '"cache"'

    for path in ("/", "/index.html", "/js/main.js", "/release.js", "/crypto/sp1.js"):
        paused = client.get(path)
        assert paused.status_code == 503, path
        assert paused.headers["Clear-Site-Data"] == '"cache"', path
        assert "storage" not in paused.headers["Clear-Site-Data"]
        assert b"Safe Passage is paused" in paused.data and b"<script" not in paused.data
        assert "script-src 'self'" in paused.headers["Content-Security-Policy"]

    health = client.get("/api/health")
    assert health.status_code == 200 and "Clear-Site-Data" not in health.headers


def test_when_off_the_app_is_served_as_usual(switched_app, switch) -> None:  # type: ignore[no-untyped-def]
    client = switched_app.test_client()
    run(switched_app, "on")
    run(switched_app, "off")
    index = client.get("/")
    assert index.status_code == 200 and b'src="/js/main.js"' in index.data
    assert "Clear-Site-Data" not in index.headers
    assert client.get("/service-worker.js").data != (ROOT / "pwa" / "retiring-worker.js").read_bytes()


def test_tests_never_read_the_instance_switch(app) -> None:  # type: ignore[no-untyped-def]
    # A developer's `kill-switch on` must not pause the test suite's servers.
    from server import killswitch

    assert killswitch.switch_file(app.config) is None
