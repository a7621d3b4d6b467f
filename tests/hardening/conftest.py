"""Fixtures for the hardening tests: one app per module on a database of its own, and the server
tests' accounts (real SP1 keys, real sessions), so the fuzz reaches the parsers behind the
session and role checks.

The fuzz sends thousands of requests; SQLite's ``synchronous=FULL`` would spend part of the
budget in fsync. Its database therefore lives in /dev/shm (RAM) where there is one. Each module
starts from empty tables; within a module the cases share the state they build up — more hostile
input, not a leak between cases. On the PostgreSQL pass (SAFEPASSAGE_TEST_DATABASE_URL) the
throwaway cluster is used as for every other test.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import create_app
from server.config import TestingConfig
from server.db import db, upgrade
from tests.conftest import _empty_tables
from tests.hardening.fuzzing import Tally
from tests.server.factories import Delegate, enrolled_account
from tests.support.figures import recorder

SHM = Path("/dev/shm")


@pytest.fixture(scope="module")
def app(database_url: str):  # type: ignore[no-untyped-def]
    """Overrides tests/conftest.py's per-test app: one per module (see the module docstring)."""
    folder = None
    if os.environ.get("SAFEPASSAGE_TEST_DATABASE_URL"):
        url = database_url
        _empty_tables(url)
    else:
        folder = tempfile.mkdtemp(prefix="sp-hardening-", dir=SHM if SHM.is_dir() else None)
        url = f"sqlite:///{folder}/fuzz.db"
        upgrade(url)
    app = create_app(TestingConfig(url))
    yield app
    with app.app_context():
        db.engine.dispose()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def focal(app) -> Delegate:  # type: ignore[no-untyped-def]
    """A signed-in focal point on its own client: gets past the card route's role check."""
    return enrolled_account(app.test_client(), role="focal-point")


@pytest.fixture(scope="module")
def member(app) -> Delegate:  # type: ignore[no-untyped-def]
    """A signed-in delegate on its own client, shared by a module's tests."""
    return enrolled_account(app.test_client())


# What each module's tally means, for docs/SECURITY-FIGURES.md.
_LABELS = {
    "fuzz_parsers": "parser calls with fuzzed input (only documented errors allowed)",
    "fuzz_routes": "fuzzed HTTP requests to every route",
}


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """One count per module of the cases its fuzz tests ran and the 5xx answers they saw; both
    are reported as security figures when the module is done (also if a test failed: the
    figures tool prints outcomes beside them)."""
    counts = Tally()
    yield counts
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    record = recorder(request.node.nodeid)
    record(f"{name}.cases", counts.cases, _LABELS.get(name, name))
    record(f"{name}.5xx", counts.server_errors, f"5xx answers or escaped exceptions ({name})")
