"""Screenshots of every screen at 360x740, in English and Arabic, into docs/screens/, so anyone can
see the app without running it. Uses the real app on a throwaway SQLite database and Debian's
Chromium (the same as the browser tests).

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
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from tests.e2e.pages.vault_pages import SLOW, Vault  # noqa: E402

OUT = ROOT / "docs" / "screens"
PASSPHRASE = "a sentence only I would think of"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def tour(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    if lang == "ar":
        vault.choose_language("العربية")
        page.wait_for_function("() => document.documentElement.lang === 'ar'")

    def shot(name: str) -> None:
        page.wait_for_timeout(150)
        page.screenshot(path=str(OUT / f"{lang}-{name}.png"), full_page=True)

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


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screens.db"
        upgrade(url)
        server = LiveServer(create_app(TestingConfig(url)))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for lang in ("en", "ar"):
                    context = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740})
                    tour(context.new_page(), lang)
                    context.close()
                browser.close()
        finally:
            server.stop()
    print("screenshots:", len(list(OUT.glob("*.png"))), "in", OUT.relative_to(ROOT))


if __name__ == "__main__":
    main()
