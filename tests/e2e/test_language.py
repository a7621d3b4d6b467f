"""A delegate who reads Arabic switches the language once; the app remembers it."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell

ARABIC = json.loads((ROOT / "pwa" / "i18n" / "ar.json").read_text())


def test_switching_to_arabic_lays_out_right_to_left_and_is_remembered(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    app.choose_language("العربية")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(app.heading).to_have_text(ARABIC["app.name"])
    expect(app.welcome_heading).to_have_text(ARABIC["welcome.title"])
    assert page.title() == ARABIC["app.name"]

    # The choice survives a reload (a preference, kept in IndexedDB — not a secret).
    app.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(app.heading).to_have_text(ARABIC["app.name"])

    # And the Language control is still findable by its English name in Arabic.
    app.choose_language("English")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(app.heading).to_have_text("Safe Passage")


def test_catalogs_have_the_same_keys() -> None:
    english = json.loads((ROOT / "pwa" / "i18n" / "en.json").read_text())
    assert set(english) == set(ARABIC)
    assert all(value.strip() for value in ARABIC.values())


def test_every_key_used_in_markup_exists() -> None:
    import re

    english = json.loads((ROOT / "pwa" / "i18n" / "en.json").read_text())
    used = set(re.findall(r'data-i18n="([^"]+)"', (ROOT / "pwa" / "index.html").read_text()))
    for path in (ROOT / "pwa" / "js").rglob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z][\w.]+)"', path.read_text()))
        used |= set(re.findall(r'i18n = "([a-z][\w.]+)"', path.read_text()))
        # Screens built with ui/dom.js: el(tag, {i18n: "key"}), say(region, "key"), button("key"), field("key").
        used |= set(re.findall(r'\bi18n(?:Label)?: "([a-z][\w.-]+)"', path.read_text()))
        used |= set(re.findall(r'\b(?:say\(\w+, |button\(|field\(|progressBar\()"([a-z][\w.-]+)"', path.read_text()))
        # Keys kept in tables (error codes and sync phases to sentences) and passed as notices.
        used |= set(re.findall(r'"((?:account|sync|signin|enrol|crossing|devices|conflict)\.[\w.-]+)"', path.read_text()))
        used |= set(re.findall(r'notice: "([a-z][\w.-]+)"', path.read_text()))
        # Keys handed to a shared component as a table (ui/recipient-picker.js: keys: {…}).
        for table in re.findall(r'\bkeys: \{([^}]*)\}', path.read_text()):
            used |= set(re.findall(r'\w+: "([a-z][\w.-]+)"', table))
    assert used and used <= set(english), used - set(english)


def test_every_count_has_all_plural_forms_in_both_languages() -> None:
    """Counts pick their form with Intl.PluralRules: Arabic needs six forms, English two; every
    catalog has all six so a form is never missing in either."""
    forms = ("zero", "one", "two", "few", "many", "other")
    english = json.loads((ROOT / "pwa" / "i18n" / "en.json").read_text())
    counted = {key.rsplit(".", 1)[0] for key in english if key.startswith("count.")}
    assert counted
    for catalog in (english, ARABIC):
        for base in counted:
            assert all(f"{base}.{form}" in catalog for form in forms), base
