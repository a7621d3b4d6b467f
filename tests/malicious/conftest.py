"""The malicious-server suite's world: the real app on a SQLite database of its own, behind the
lying middleware (tests/support/lying_server.py), served by the same LiveServer as every browser
test, and phones (browser contexts) that talk to it.

Each test module gets its own server and database (module scope): the accounts a module sets up
are shared by its tests, and one module's lies (a restored backup, a moved inbox cursor) cannot
reach another's. SQLite only: these tests are about the client, not the database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from server import create_app
from server.config import TestingConfig
from server.db import db, upgrade
from tests.conftest import LiveServer
from tests.support.lying_server import LyingServer
from tests.sync_client_js.conftest import invites, phones


@dataclass
class World:
    """The lying server (`lying.arm(...)`), its real Flask app, its URL, a way to make a new
    phone, and invites."""

    lying: LyingServer
    app: Any
    url: str
    phone: Callable[[], Any]
    invite: Callable[[str], str]


@pytest.fixture(scope="module")
def world(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('lying') / 'server.db'}"
    upgrade(url)
    app = create_app(TestingConfig(url))
    lying = LyingServer(app)
    server = LiveServer(lying)
    try:
        with phones(browser, server.url) as make:
            yield World(lying, app, server.url, make, invites(app))
    finally:
        lying.disarm()
        server.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _honest_between_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that fails while an attack is armed must not leave the next one lied to."""
    yield
    if "world" in request.fixturenames:
        request.getfixturevalue("world").lying.disarm()
