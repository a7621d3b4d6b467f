"""Fixtures for the legal service tests (pwa/js/legal/ in Chromium, against the live server).

The three people of a referral — a delegate (Amal), a focal point who verified her (Maria)
and a legal supporter Maria verified (Layla) — each on a phone of her own, are enrolled once
for the package: Argon2id (64 MiB) runs once per vault, as it would for a real person. Each
test logs its own reports and refers its own case, so no test reads another's."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from server.services.invites import create_invite
from tests.e2e.guard import PageGuard
from tests.sync_client_js.conftest import EXPECTED_CONSOLE

from .steps import Trio, the_three_of_a_referral


@pytest.fixture(scope="package")
def package_device(browser, live_server) -> Iterator[Callable[[], object]]:  # type: ignore[no-untyped-def]
    """tests/sync_client_js's new_device(), kept for the package: phones that outlive one test."""
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


@pytest.fixture(scope="package")
def package_invite(live_app) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    def make(role: str = "delegate") -> str:
        with live_app.app_context():
            token = create_invite(role)
        return f"#invite={token}&role={role}"

    return make


@pytest.fixture(scope="package")
def trio(package_device, package_invite) -> Trio:  # type: ignore[no-untyped-def]
    return the_three_of_a_referral(package_device, package_invite)
