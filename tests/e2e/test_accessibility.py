"""axe-core (from npm) finds no serious or critical violation, in English and in Arabic (the shell in
every language of the app), at 360 px."""
from __future__ import annotations

import pytest

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell
from tests.support.languages import LANGUAGES

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


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_shell_has_no_serious_accessibility_violations(page, language: str) -> None:  # type: ignore[no-untyped-def]
    """Every language of the picker (the screens of every role are checked in English and Arabic)."""
    app = AppShell(page)
    app.open()
    page.locator("#language").select_option(language)
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=language)
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


def check_both_languages(page, screen: str) -> None:  # type: ignore[no-untyped-def]
    """axe in Arabic (right to left) and English, and every target at least 44 px."""
    from tests.e2e.test_delegate_vault import small_touch_targets

    assert small_touch_targets(page) == [], screen
    for name, lang in (("العربية", "ar"), ("English", "en")):
        AppShell(page).choose_language(name)
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
        assert axe_violations(page) == [], (screen, lang)


def names_reached_by_tab(page, limit: int = 40) -> list[str]:  # type: ignore[no-untyped-def]
    """From the screen's heading, the accessible names Tab moves through (controls of the screen
    only; the header and session bar come before the heading)."""
    page.locator("#screen h2").focus()
    names = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || !el.closest('#screen')) return null;
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            return (el.getAttribute('aria-label') || label || el.textContent || '').trim();
        }""")
        if name is None:
            break
        names.append(name)
    return names


def test_account_screens_pass_axe_and_their_controls_are_reachable_by_keyboard(issue_invite, phones) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from tests.e2e.pages.account_pages import SYNC

    phone = phones()
    device, page = phone.device, phone.page
    passphrase = "four words for the test"
    device.open_invite(issue_invite().url)
    check_both_languages(page, "create vault with an invite")
    secret_key = device.delegate_creates_vault_for_the_invite(passphrase)

    # Create account
    check_both_languages(page, "create account")
    assert {"Username", "Display name", "Create account"} <= set(names_reached_by_tab(page))
    device.field("Username").fill("No Spaces Allowed")
    device.button("Create account").click()
    expect(device.alert).to_contain_text("This username is not allowed.")
    check_both_languages(page, "create account, invalid username")
    username = "keyboard.user"
    device.field("Username").fill(username)
    device.field("Display name").focus()
    page.keyboard.press("Enter")  # submits the form from the keyboard
    expect(device.screen_heading()).to_have_text("Sync", timeout=SYNC)

    # Sync: everything reachable, and Sync now works from the keyboard
    reached = names_reached_by_tab(page)
    assert {"Sync now", "Devices", "Sign out", "Prepare for crossing"} <= set(reached), reached
    device.button("Sync now").focus()
    page.keyboard.press("Enter")
    expect(device.status).to_have_attribute("data-outcome", "done", timeout=SYNC)
    expect(device.status).to_have_attribute("role", "status")
    check_both_languages(page, "sync, after a sync")

    # Devices, with the Revoke confirmation open
    device.open_devices()
    assert "Revoke" in names_reached_by_tab(page)
    revoke = device.button("Revoke")
    described = page.evaluate("(id) => document.getElementById(id).textContent",
                              revoke.get_attribute("aria-describedby"))
    assert described == device.this_device_name()  # "Revoke" says which device to a screen reader
    revoke.focus()
    page.keyboard.press("Enter")
    expect(device.button("Yes, revoke it")).to_be_focused()
    check_both_languages(page, "devices, confirming a revoke")
    device.button("Cancel").click()

    # Prepare for crossing, with its confirmation open
    device.open_sync()
    device.button("Prepare for crossing").click()
    check_both_languages(page, "prepare for crossing")
    assert "Prepare for crossing" in names_reached_by_tab(page)
    device.button("Prepare for crossing").focus()
    page.keyboard.press("Enter")
    expect(device.button("Yes, send everything and empty this phone")).to_be_focused()
    check_both_languages(page, "prepare for crossing, confirming")
    page.keyboard.press("Enter")
    expect(device.button("Create vault")).to_be_visible(timeout=SYNC)
    check_both_languages(page, "empty app after crossing")

    # Sign in, with a wrong Secret Key first (one neutral message)
    device.button("Sign in").click()
    check_both_languages(page, "sign in")
    assert {"Username", "Passphrase", "Secret Key", "Sign in"} <= set(names_reached_by_tab(page))
    device.field("Username").fill(username)
    device.field("Passphrase").fill(passphrase)
    device.field("Secret Key").fill("SP1-not a key")
    device.button("Sign in").click()
    expect(device.alert).to_contain_text("This does not look like a Secret Key.")
    check_both_languages(page, "sign in, error")
    device.field("Secret Key").fill(secret_key)
    device.button("Sign in").click()
    expect(device.incidents).to_be_attached(timeout=SYNC)
