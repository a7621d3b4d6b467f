"""Shared fixtures: the app on the database under test, a live server, and Debian's Chromium.

The database is SQLite in a temp folder unless SAFEPASSAGE_TEST_DATABASE_URL names another
(tools/pg-throwaway.sh sets it to a throwaway PostgreSQL cluster). The schema comes from the
Alembic migrations, exactly as in production; each test starts with empty tables.

With CI=true, a missing Chromium fails the browser tests instead of skipping them.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from werkzeug.serving import make_server

from server import create_app
from server.config import TestingConfig
from server.db import db, downgrade, make_engine, upgrade
from server.models import Base
from server.serving import AnonymousRequestHandler
from tests.support.figures import security_figure  # noqa: F401  (a fixture for every test)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ON_CI = os.environ.get("CI") == "true"
# Chromium as root in a container, with nothing that phones home (this machine's network is closed).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_sessionstart(session: pytest.Session) -> None:
    # The shell's file list (pwa/release.js) must describe the files on disk right now
    # (tools/run-tests.sh builds it once for its two concurrent passes and says so).
    if os.environ.get("SP_RELEASE_BUILT") != "1":
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_release.py")], check=True,
                       stdout=subprocess.DEVNULL)
    if not (ROOT / "pwa" / "vendor" / "idb.js").exists():
        pytest.exit("pwa/vendor/ is missing: run `make setup` (or `make test`).", returncode=2)


# --- database ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("SAFEPASSAGE_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    downgrade(url, "base")
    upgrade(url)
    yield url


def _empty_tables(url: str) -> None:
    engine = make_engine(url, pooled=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    engine.dispose()


@pytest.fixture
def app_config(database_url: str) -> TestingConfig:
    _empty_tables(database_url)
    return TestingConfig(database_url)


@pytest.fixture
def app(app_config: TestingConfig):  # type: ignore[no-untyped-def]
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


# --- live server and browser -----------------------------------------------------------------

class LiveServer:
    """The real app in a thread on an ephemeral loopback port, logging no client address."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True,
                                   request_handler=AnonymousRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="session")
def live_server_instance(database_url: str) -> Iterator[LiveServer]:
    server = LiveServer(create_app(TestingConfig(database_url)))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(live_server_instance: LiveServer) -> str:
    return live_server_instance.url


@pytest.fixture(scope="session")
def live_app(live_server_instance: LiveServer):  # type: ignore[no-untyped-def]
    """The live server's app, e.g. for ``with live_app.app_context(): create_invite(...)``."""
    return live_server_instance.app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if ON_CI:
            pytest.fail(f"CI=true: {message}; browser tests are mandatory on CI.")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):  # type: ignore[no-untyped-def]
    return {**browser_context_args, "base_url": live_server, "viewport": {"width": 360, "height": 740}}


@pytest.fixture
def page_guard(context, live_server):  # type: ignore[no-untyped-def]
    """Fails the test on any CSP violation, console error, page error or request to another
    origin — the web is hostile, and so are our own mistakes."""
    from tests.e2e.guard import PageGuard

    guard = PageGuard(context.new_page(), live_server)
    yield guard
    guard.assert_clean()


@pytest.fixture
def page(page_guard):  # type: ignore[no-untyped-def]
    return page_guard.page
