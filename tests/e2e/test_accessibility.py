"""axe-core (from npm) finds no serious or critical violation, in English and in Arabic, at 360 px."""
from __future__ import annotations

import pytest

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell

AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    # Evaluated through the DevTools protocol, so the page's CSP (rightly) does not apply to it.
    page.evaluate(AXE)
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
    }""")
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes)" for v in results
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_shell_has_no_serious_accessibility_violations(page, language: str) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    app.choose_language(language)
    page.wait_for_function("(lang) => document.documentElement.lang === lang",
                           arg="en" if language == "English" else "ar")
    assert axe_violations(page) == []


def test_touch_targets_are_at_least_44px(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    sizes = page.evaluate("""() => [...document.querySelectorAll('button, select, a[href], input')]
        .filter(el => el.offsetParent !== null)
        .map(el => { const r = el.getBoundingClientRect(); return [el.id || el.tagName, r.width, r.height]; })""")
    assert sizes
    for name, width, height in sizes:
        assert height >= 44 and width >= 44, (name, width, height)
