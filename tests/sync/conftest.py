"""Fixtures for the sync tests: invites, and the real server in a subprocess (killable).

The database is the session's (tests/conftest.py: SQLite in a temp folder, or PostgreSQL under
tools/pg-throwaway.sh); ``app`` empties its tables before each test.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.serve import ServerProcess


@pytest.fixture
def new_invite(app) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """``new_invite(role="delegate")`` -> an invite token, created as the operator would."""
    from server.services.invites import create_invite

    def make(role: str = "delegate") -> str:
        with app.app_context():
            return create_invite(role)

    return make


@pytest.fixture(scope="session")
def _server_zygote(database_url: str, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[ServerProcess]:
    """One ServerProcess (and its zygote, which pays Python's cold start once) per session."""
    server = ServerProcess(database_url, log_path=tmp_path_factory.mktemp("server") / "log",
                           config={"DATABASE_POOLING": True})
    yield server
    server.stop()


@pytest.fixture
def server_process(app, _server_zygote: ServerProcess,  # type: ignore[no-untyped-def]
                   tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh server process for this test (forked from the session's zygote) on a fixed port
    with a fixed server key, so it can be SIGKILLed and restarted without invalidating
    receipts. ``app`` emptied the tables first."""
    server = _server_zygote
    key = server.server_key
    server.kill()
    server.kills = server.starts = 0
    server.log_path = tmp_path / "server.log"
    server.start()
    try:
        yield server
    finally:
        server.kill()
        server.server_key = key  # a test may have changed it
