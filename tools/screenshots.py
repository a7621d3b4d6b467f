"""Screenshots of every screen at 360x740, in English and Arabic, into docs/screens/, so anyone can
see the app without running it: the vault (01-09), then accounts and sync (10-20: an invite,
Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict between two
phones). Uses the real app on a throwaway SQLite database and Debian's Chromium (the same as
the browser tests).

    .venv/bin/python tools/screenshots.py        # or: make screens
"""
from __future__ import annotations

import base64
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from server import create_app  # noqa: E402
from server.config import TestingConfig  # noqa: E402
from server.db import upgrade  # noqa: E402
from server.services.invites import create_invite, invite_url  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from tests.e2e.pages.vault_pages import SLOW, Vault  # noqa: E402

SYNC = 60_000
VIEWPORT = {"width": 360, "height": 740}

OUT = ROOT / "docs" / "screens"
PASSPHRASE = "a sentence only I would think of"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def use_language(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    if lang == "ar":
        Vault(page).choose_language("العربية")
        page.wait_for_function("() => document.documentElement.lang === 'ar'")


def shooter(page, lang: str):  # type: ignore[no-untyped-def]
    def shot(name: str) -> None:
        page.wait_for_timeout(150)
        page.screenshot(path=str(OUT / f"{lang}-{name}.png"), full_page=True)
    return shot


def tour(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    use_language(page, lang)
    shot = shooter(page, lang)

    shot("01-create-vault")
    page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
    page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
    shot("02-emergency-kit")
    page.locator("[data-screen=kit] .button.primary").click()
    shot("03-my-incidents-empty")
    page.locator("#nav-new").click()
    page.locator("select[name=type]").select_option("device-search")
    page.locator("input[name=title]").fill("Phone searched at the airport" if lang == "en" else "تفتيش الهاتف في المطار")
    page.locator("textarea[name=what]").fill(
        "They kept my phone for two hours and asked for the PIN." if lang == "en"
        else "احتفظوا بهاتفي ساعتين وطلبوا الرمز السري.")
    page.locator("input[type=file]").first.set_input_files([{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    shot("04-new-incident")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    shot("05-my-incidents")
    page.locator(".incident").first.click()
    expect(page.locator("[data-screen=detail] .facts")).to_be_visible()
    shot("06-incident-detail")
    page.locator("#nav-settings").click()
    shot("07-settings")
    page.locator("#lock").click()
    expect(page.locator("[data-screen=unlock]")).to_be_visible()
    shot("08-unlock")
    page.locator("#screen input[type=password]").fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    page.locator("#quick-exit").click(timeout=SLOW)
    shot("09-quick-exit")


TEXT = {
    "en": {"title": "Phone searched at the airport", "one": "They asked for my PIN.",
           "two": "They copied my contacts.", "display": "Layla"},
    "ar": {"title": "تفتيش الهاتف في المطار", "one": "طلبوا الرمز السري.",
           "two": "نسخوا جهات الاتصال.", "display": "ليلى"},
}


def sign_in(page, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=passphrase]").fill(PASSPHRASE)
    page.locator("input[name=secret]").fill(secret)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SYNC)


def sync(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
    page.locator("[data-screen=sync] .button.primary:visible").first.click()
    page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)


def edit(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#nav-list").click()
    page.locator(".incident").first.click()
    page.locator("[data-screen=detail] .actions .button.primary").click()
    page.locator("textarea[name=what]").fill(text)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SLOW)


def account_tour(browser, app, base_url: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Invite, Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict."""
    text = TEXT[lang]
    username = f"delegate.{lang}"
    with app.app_context():
        fragment = invite_url(create_invite("delegate")).split("/#", 1)[1]
    one = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    page = one.new_page()
    shot = shooter(page, lang)
    page.goto("/#" + fragment)
    Vault(page).wait_until_ready()
    use_language(page, lang)
    shot("10-create-vault-invited")
    page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
    page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
    secret = page.locator("[data-screen=kit] textarea").input_value()
    page.locator("[data-screen=kit] .button.primary").click()
    expect(page.locator("[data-screen=enrol]")).to_be_visible()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=displayName]").fill(text["display"])
    shot("11-create-account")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=sync]")).to_be_visible(timeout=SYNC)
    page.locator("#nav-new").click()
    page.locator("select[name=type]").select_option("device-search")
    page.locator("input[name=title]").fill(text["title"])
    page.locator("textarea[name=what]").fill(text["one"])
    page.locator("input[type=file]").first.set_input_files([{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
    shot("12-sync")
    page.locator("[data-screen=sync] .button.primary:visible").first.click()
    page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)
    shot("13-sync-done")
    page.locator("[data-screen=sync] .actions .button").first.click()  # Devices
    page.locator(".device").first.wait_for()
    page.locator(".device .button.danger").first.click()  # Revoke: the confirmation opens
    shot("14-devices")
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .button.block:not(.primary)").click()  # Prepare for crossing
    expect(page.locator("[data-screen=crossing]")).to_be_visible()
    page.locator("[data-screen=crossing] .button.primary").click()
    shot("15-prepare-for-crossing")
    page.locator("[data-screen=crossing] .confirm .button.danger").click()
    expect(page.locator("[data-screen=create]")).to_be_visible(timeout=SYNC)
    shot("16-after-crossing")
    page.locator("[data-screen=create] .alt .button").first.click()  # Sign in
    shot("17-sign-in")
    sign_in(page, username, secret)

    # A second phone edits the same incident before syncing: a conflict on the second phone.
    two = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    other = two.new_page()
    other.goto("/")
    Vault(other).wait_until_ready()
    use_language(other, lang)
    other.locator("[data-screen=create] .alt .button").first.click()
    sign_in(other, username, secret)
    edit(page, text["one"] + " " + text["two"])
    edit(other, text["two"])
    sync(page)
    sync(other)
    shot = shooter(other, lang)
    shot("18-sync-conflict")
    other.locator("#nav-list").click()
    other.locator(".incident").first.wait_for()
    shot("19-my-incidents-conflict")
    other.locator(".incident").first.click()
    other.locator(".conflict-version").first.wait_for()
    shot("20-conflict")
    two.close()
    one.close()


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screens.db"
        upgrade(url)
        app = create_app(TestingConfig(url))
        server = LiveServer(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for lang in ("en", "ar"):
                    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
                    tour(context.new_page(), lang)
                    context.close()
                    account_tour(browser, app, server.url, lang)
                browser.close()
        finally:
            server.stop()
    print("screenshots:", len(list(OUT.glob("*.png"))), "in", OUT.relative_to(ROOT))


if __name__ == "__main__":
    main()
