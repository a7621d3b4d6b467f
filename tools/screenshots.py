"""Screenshots of every screen at 360x740, in every language of the app (pwa/js/i18n.js's LANGUAGES:
<code>-NN-name.png), into docs/screens/, so anyone can
see the app without running it: the vault (01-09), then accounts and sync (10-20: an invite,
Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict between two
phones), then sharing and legal support (21-33: Contacts, verifying a contact, Share, Shared
with, Inbox, a report, Check-in, Statistics, Refer to legal supporter, Cases, a case, Working
copy, Export evidence bundle), then states added later (34-39: Restore, the Wipe confirmation,
a wrong passphrase at Unlock, a delegate's duress passphrase in Settings, "Share anyway?", a
focal point's Contacts with her card). The tours themselves are tests/support/tours.py, which
tests/e2e/test_every_screen.py also walks (and checks that they reach every screen). Uses the
real app on a throwaway SQLite database and Debian's Chromium (the same as the browser tests).

    .venv/bin/python tools/screenshots.py            # or: make screens
    .venv/bin/python tools/screenshots.py bn ur      # only these languages

The screenshots use the machine's fonts, as the app uses the phone's: without fonts for Devanagari,
Bengali and Nastaliq (Debian: fonts-noto-core) those pages show empty boxes, and the run says so.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from server import create_app  # noqa: E402
from server.config import TestingConfig  # noqa: E402
from server.db import upgrade  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from tests.support.languages import LANGUAGES  # noqa: E402
from tests.support.tours import Shot, every_tour  # noqa: E402

OUT = ROOT / "docs" / "screens"


def photographer(lang: str) -> Shot:
    """The tours' shot(page, name): the whole page, once what it shows has settled."""
    def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_timeout(150)  # fonts and images drawn; a picture, not a test
        page.screenshot(path=str(OUT / f"{lang}-{name}.png"), full_page=True)
    return shot


@contextmanager
def live_server(tmp: str, name: str) -> Iterator[tuple[object, str]]:
    """The app on a new SQLite database, served on loopback: (app, url)."""
    url = f"sqlite:///{tmp}/{name}.db"
    upgrade(url)
    app = create_app(TestingConfig(url))
    server = LiveServer(app)
    try:
        yield app, server.url
    finally:
        server.stop()


# A font the script needs, by fontconfig language (what Chromium on Linux draws with).
SCRIPT_FONTS = {"ar": "ar", "ne": "ne", "bn": "bn", "ur": "ur"}


def missing_fonts(langs: list[str]) -> list[str]:
    """The languages this machine has no font for (their screenshots would show empty boxes)."""
    if not shutil.which("fc-list"):
        return []
    return [lang for lang in langs if lang in SCRIPT_FONTS and not subprocess.run(
        ["fc-list", f":lang={SCRIPT_FONTS[lang]}", "family"], capture_output=True, text=True).stdout.strip()]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    OUT.mkdir(parents=True, exist_ok=True)
    langs = sys.argv[1:] or list(LANGUAGES)
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if unknown:
        raise SystemExit(f"not a language of the app: {unknown} (pwa/js/i18n.js: {list(LANGUAGES)})")
    if missing := missing_fonts(langs):
        print(f"warning: no font on this machine for {missing}: their screenshots will show boxes "
              "(Debian: apt-get install fonts-noto-core)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in langs:
            # A server of its own for each language: the directory of contacts is shared by
            # everyone on a server, and each language's tour enrols its own people.
            with live_server(tmp, lang) as (app, url):
                every_tour(browser, app, url, lang, photographer(lang))
        browser.close()
    print("screenshots:", len(list(OUT.glob("*.png"))), "in", OUT.relative_to(ROOT))

if __name__ == "__main__":
    main()
