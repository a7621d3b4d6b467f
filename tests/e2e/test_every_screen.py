"""Every screen of every role, in English and in Arabic (right to left), at 360 px: the tours of
tests/support/tours.py (the ones tools/screenshots.py photographs) walk a delegate alone, a
delegate with an account on two phones, and the three people of a referral through the app. At
every stop: no serious or critical axe-core violation, no control under 44 x 44 px, no catalog
key shown instead of its text, nothing wider than the screen; and at 200% zoom (the viewport
made 180 CSS px wide for a moment, see test_accessibility.ZOOMED) nothing lost. And the stops,
together, reach every screen pwa/js/main.js's SCREENS declares: a screen added without a tour
fails here.

The checks are gathered across the whole tour and reported together (a tour takes a minute).
Runs on whichever database the session uses (SQLite, or PostgreSQL in the second pass)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page

from server.config import ROOT
from tests.e2e.test_accessibility import (
    LOSSES,
    ZOOMED,
    axe_violations,
    horizontal_overflow,
    raw_keys,
    small_touch_targets,
)
from tests.support.tours import every_tour


def declared_screens() -> set[str]:
    """The names of pwa/js/main.js's SCREENS (`name: { build: … }`), read from the source."""
    source = (ROOT / "pwa" / "js" / "main.js").read_text()
    block = re.search(r"^const SCREENS = \{\n(.*?)^\};", source, re.S | re.M)
    assert block, "pwa/js/main.js: const SCREENS = { … }; not found"
    names = set(re.findall(r"^\s+(\w+): \{ build: ", block.group(1), re.M))
    assert len(names) >= 20, names  # the parse found the registry, not a fragment of it
    return names


def at_200_percent(page: Page) -> list[str]:
    """What the screen loses when the phone zooms to 200%: the same page laid out 180 px wide."""
    phone = page.viewport_size
    assert phone
    page.set_viewport_size(ZOOMED)
    try:
        return list(page.evaluate(LOSSES))
    finally:
        page.set_viewport_size(phone)


@dataclass
class Inspector:
    """The tours' shot(page, name): what screen is on show, and what is wrong with it."""

    visited: dict[str, list[str]] = field(default_factory=dict)  # screen -> the stops that showed it
    problems: list[str] = field(default_factory=list)

    def __call__(self, page: Page, stop: str) -> None:
        screen = page.evaluate("() => document.querySelector('#screen > [data-screen]')?.dataset.screen ?? null")
        assert screen, f"{stop}: no screen on show"
        self.visited.setdefault(screen, []).append(stop)
        checks = {
            "axe": axe_violations(page),
            "targets under 44 px": small_touch_targets(page),
            "raw keys": raw_keys(page),
            "px wider than 360": horizontal_overflow(page),
            "lost at 200%": at_200_percent(page),
        }
        self.problems += [f"{stop} ({screen}) {what}: {found}" for what, found in checks.items() if found]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_screen_of_every_role_passes_the_checks(browser, app_config, live_app, live_server: str,  # type: ignore[no-untyped-def]
                                                      lang: str) -> None:
    # app_config empties the tables: the people of the tour are the only ones in the directory.
    inspect = Inspector()
    every_tour(browser, live_app, live_server, lang, inspect)
    assert inspect.problems == []
    declared = declared_screens()
    assert set(inspect.visited) == declared, (
        f"no tour reaches {sorted(declared - set(inspect.visited))} (add them to tests/support/tours.py); "
        f"not in SCREENS: {sorted(set(inspect.visited) - declared)}")
