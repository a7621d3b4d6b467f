"""Fixtures for the account and sync service tests (pwa/js/sync/ in Chromium, against the live
server): invites made at the database level, and "devices" — browser contexts of their own (own
IndexedDB, own cookies), each page watched by the PageGuard.

Invites come from the server's own service (``create_invite``) inside the live app's context,
exactly what the operator command does, without a subprocess.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from server.services.invites import create_invite
from tests.e2e.guard import PageGuard

# Failed requests a test provokes on purpose (401 before a silent sign-in, aborted parts, 409s)
# are logged by Chromium as console errors; these are the only ones a sync test tolerates.
EXPECTED_CONSOLE = ("Failed to load resource", "net::ERR_FAILED")


def invites(live_app) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    """invites(live_app)(role) -> the URL fragment "#invite=<token>&role=<role>"."""

    def make(role: str = "delegate") -> str:
        with live_app.app_context():
            token = create_invite(role)
        return f"#invite={token}&role={role}"

    return make


@contextmanager
def phones(browser, live_server) -> Iterator[Callable[[], object]]:  # type: ignore[no-untyped-def]
    """make() -> a Page in a fresh browser context (a phone of its own); every page's guard is
    asserted clean, and every context closed, when the block ends."""
    guards: list[PageGuard] = []
    contexts = []

    def make():  # type: ignore[no-untyped-def]
        context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740})
        contexts.append(context)
        guard = PageGuard(context.new_page(), live_server)
        for text in EXPECTED_CONSOLE:
            guard.expect_console_error(text)
        guards.append(guard)
        return guard.page

    yield make
    for guard in guards:
        guard.assert_clean()
    for context in contexts:
        context.close()


@pytest.fixture
def make_invite(live_app) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    """make_invite(role) -> the URL fragment "#invite=<token>&role=<role>"."""
    return invites(live_app)


@pytest.fixture
def new_device(browser, live_server) -> Iterator[Callable[[], object]]:  # type: ignore[no-untyped-def]
    """new_device() -> a Page in a fresh browser context (another phone of the delegate)."""
    with phones(browser, live_server) as make:
        yield make
