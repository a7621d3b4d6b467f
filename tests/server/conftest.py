"""Fixtures for the API tests: a movable clock, and enrolled accounts with real SP1 keys."""
from __future__ import annotations

import time

import pytest

from server import clock
from tests.server.factories import Delegate, enrolled_account


class FakeClock:
    """Replaces ``server.clock.now``: time moves only when a test says so (no sleeping)."""

    def __init__(self) -> None:
        self.t = float(int(time.time()) // 3600 * 3600 + 600)  # ten minutes into an hour

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def delegate(client) -> Delegate:  # type: ignore[no-untyped-def]
    """An enrolled, signed-in delegate using ``client``."""
    return enrolled_account(client)


@pytest.fixture
def other(app) -> Delegate:  # type: ignore[no-untyped-def]
    """A second account on its own client (its own cookie jar)."""
    return enrolled_account(app.test_client())
