"""A delegate who reads English poorly, or uses a screen reader, finds Help under each screen's
heading: closed until asked for, one Tab from the heading, opened with Enter, in her language and
its direction — and nothing of the kind on the plain page Quick exit leaves behind.

The screens checked cover the ways in (Create vault, Sign in, Unlock), a delegate's work (the
Emergency Kit, New incident, Settings) and Quick exit. Which screens have help and what it says is
checked against the catalogs for every screen in tests/test_help.py."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages.help_pages import ScreenHelp
from tests.e2e.pages.vault_pages import SLOW, Vault
from tests.support.languages import LANGUAGES, catalog

PASSPHRASE = "a sentence only I would think of"
PARTS = ("what", "how", "safety")


def switch_to(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#language").select_option(code)
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=code)


def reads_right(shown: ScreenHelp, screen: str, code: str) -> None:
    """The catalog's own words (no raw key), in the language's direction, starting where the
    heading starts, with a label at least 44 px each way."""
    words = catalog(code)
    assert shown.texts() == (words["help.summary"], [words[f"help.{screen}.{part}"] for part in PARTS]), (screen, code)
    layout = shown.layout()
    assert layout["afterHeading"], screen
    assert layout["direction"] == LANGUAGES[code], (screen, code)
    assert abs(layout["fromStart"]) < 2, (screen, code, layout)
    assert layout["width"] >= 44 and layout["height"] >= 44, (screen, code, layout)


def check_help(page, screen: str) -> None:  # type: ignore[no-untyped-def]
    """In English, then (still open) in Arabic, then closed and opened again in Arabic; back to
    English for the next step of the story."""
    shown = ScreenHelp(page)
    expect(shown.sentences.first).to_be_hidden()  # closed until asked for
    shown.open_with_the_keyboard()
    reads_right(shown, screen, "en")
    switch_to(page, "ar")  # re-labelled in place, like the rest of the page
    reads_right(shown, screen, "ar")
    shown.close_with_the_keyboard()
    shown.open_with_the_keyboard()
    reads_right(shown, screen, "ar")
    shown.close_with_the_keyboard()
    switch_to(page, "en")


def test_help_under_each_heading_by_keyboard_in_english_and_arabic_and_none_after_quick_exit(page) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()

    # Given someone opening the app for the first time: Create vault, and Sign in next to it
    check_help(page, "create")
    vault.button("Sign in").click()
    expect(vault.screen_heading()).to_have_text("Sign in on this phone")
    check_help(page, "signin")
    vault.button("Back").click()

    # When she creates her vault, saves her Emergency Kit and writes an incident
    vault.field("Passphrase").fill(PASSPHRASE)
    vault.field("Confirm passphrase").fill(PASSPHRASE)
    vault.button("Create vault").click()
    expect(vault.field("Secret Key")).to_be_visible(timeout=SLOW)
    check_help(page, "kit")
    vault.button("I have saved my Emergency Kit").click()
    expect(vault.incidents).to_be_attached()
    vault.open_new_incident()
    check_help(page, "form")
    vault.button("Settings").click()
    expect(vault.screen_heading()).to_have_text("Settings")
    check_help(page, "settings")

    # Then Quick exit, in Arabic, leaves a page with no Help at all: it must look like nothing
    switch_to(page, "ar")
    page.locator("#quick-exit").click()
    expect(page.locator("[data-screen=neutral]")).to_be_visible()
    expect(page.locator("#screen details, #screen summary, .help")).to_have_count(0)
    assert catalog("ar")["help.summary"] not in page.locator("body").inner_text()

    # And Unlock, where she comes back, has its Help again
    page.locator("[data-screen=neutral] button").click()
    expect(page.locator("[data-screen=unlock]")).to_be_visible()
    switch_to(page, "en")
    check_help(page, "unlock")
    vault.unlock(PASSPHRASE)
