"""Fixtures for the legal service tests (pwa/js/legal/ in Chromium, against the live server).

The three people of a referral — a delegate (Amal), a focal point who verified her (Maria)
and a legal supporter Maria verified (Layla) — each on a phone of her own, are enrolled once
for the package: Argon2id (64 MiB) runs once per vault, as it would for a real person. Each
test logs its own reports and refers its own case, so no test reads another's."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.sync_client_js.conftest import invites, phones

from .steps import Trio, the_three_of_a_referral


@pytest.fixture(scope="package")
def package_device(browser, live_server) -> Iterator[Callable[[], object]]:  # type: ignore[no-untyped-def]
    """tests/sync_client_js's new_device(), kept for the package: phones that outlive one test."""
    with phones(browser, live_server) as make:
        yield make


@pytest.fixture(scope="package")
def package_invite(live_app) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    return invites(live_app)


@pytest.fixture(scope="package")
def trio(package_device, package_invite) -> Trio:  # type: ignore[no-untyped-def]
    return the_three_of_a_referral(package_device, package_invite)
