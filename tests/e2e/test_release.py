"""A phone installs only the signed release: an update whose file was changed after signing, or
that is signed by another key, is refused in the browser and the installed version keeps
running; "About this app" shows the manifest hash the release tool printed, for comparison with
the published one. The operator's kill switch removes the app from phones without touching
their vaults, and switching it off lets the app install again."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from server import create_app
from server import killswitch
from server.config import ROOT, TestingConfig
from tests.conftest import LiveServer
from tests.e2e.guard import PageGuard
from tests.e2e.pages.app_shell import AppShell

TAMPERED = "/js/i18n.js"
MARKER = "tampered-after-signing-5f2c"


@dataclass(frozen=True)
class Published:
    version: str
    manifest_hash: str  # grouped in fours, as printed and as About shows it
    key_id: str


def publish(pwa: Path, key: Path | None = None) -> Published:
    """What the release manager does: build and sign; returns what the tool printed."""
    args = [sys.executable, str(ROOT / "tools" / "build_release.py")]
    args += ["--key", str(key)] if key else []
    out = subprocess.run(args + [str(pwa), str(ROOT / "crypto" / "js")], check=True,
                         capture_output=True, text=True).stdout
    printed = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in out.splitlines()}
    return Published(printed["release"], printed["manifest"], printed["key"].split(" (")[0])


def change_welcome_title(pwa: Path, title: str) -> None:
    catalog_path = pwa / "i18n" / "en.json"
    catalog = json.loads(catalog_path.read_text())
    catalog["welcome.title"] = title
    catalog_path.write_text(json.dumps(catalog, ensure_ascii=False))


@pytest.fixture
def release_dir(tmp_path):  # type: ignore[no-untyped-def]
    pwa = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", pwa)
    return pwa


@pytest.fixture
def own_server(release_dir, database_url, tmp_path):  # type: ignore[no-untyped-def]
    config = TestingConfig(database_url, PWA_DIR=release_dir, KILL_SWITCH_FILE=tmp_path / "KILL_SWITCH")
    server = LiveServer(create_app(config))
    yield server
    server.stop()


@pytest.fixture
def phone(browser, own_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=own_server.url, viewport={"width": 360, "height": 740})
    guard = PageGuard(context.new_page(), own_server.url)
    yield guard
    context.close()


def cached_texts_containing(page, marker: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every Cache Storage entry (any cache) whose body contains `marker`."""
    return page.evaluate("""async (marker) => {
        const found = [];
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) {
            if ((await (await cache.match(request)).text()).includes(marker)) found.push(request.url);
          }
        }
        return found;
    }""", marker)


def test_phone_refuses_updates_that_are_not_the_signed_release(
        phone, release_dir, tmp_path, security_figure) -> None:  # type: ignore[no-untyped-def]
    page = phone.page
    app = AppShell(page)
    warning = page.get_by_role("alert")
    # Given a phone that installed the release the release manager published
    v1 = publish(release_dir)
    app.open()
    app.wait_until_installed_for_offline_use()
    # Then About shows the version and the same manifest hash the release tool printed
    expect(page.locator("#about-version")).to_have_text(v1.version)
    expect(page.get_by_label("Manifest hash")).to_have_text(v1.manifest_hash)
    expect(page.get_by_label("Release key")).to_have_text(v1.key_id)

    # When a new release is published and one of its files is changed after signing
    change_welcome_title(release_dir, "Record what happened, safely (v2)")
    publish(release_dir)
    with (release_dir / TAMPERED.lstrip("/")).open("a") as f:
        f.write(f"\n/* {MARKER} */\n")
    app.reload()

    # Then the phone refuses it, names the file, and keeps running the version it trusts
    expect(warning).to_contain_text("does not match its signed manifest")
    expect(warning).to_contain_text(TAMPERED)
    expect(app.update_button).to_be_hidden()
    expect(page.get_by_label("Manifest hash")).to_have_text(v1.manifest_hash)
    expect(app.welcome_heading).to_have_text("Record what happened, safely")
    assert cached_texts_containing(page, MARKER) == []
    security_figure("release.tampered_refused", 1, "tampered app files on update refused in the browser")

    # When the release lists the files as they are, but is signed with a key the phone does not
    # trust (the key of whoever controls the server now)
    other_key = tmp_path / "other-release.key"
    other_key.write_bytes(os.urandom(32))
    publish(release_dir, key=other_key)
    app.reload()

    # Then it is refused too, for its key, and nothing of it is stored
    expect(warning).to_contain_text("not signed by the Safe Passage release key")
    expect(page.get_by_label("Manifest hash")).to_have_text(v1.manifest_hash)
    assert cached_texts_containing(page, "safely (v2)") == []
    security_figure("release.wrong_key_refused", 1, "releases signed by an untrusted key refused")
    phone.assert_clean()


RETIRED = """async () => ({
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    caches: await caches.keys(),
    databases: (await indexedDB.databases()).map((d) => d.name),
    scripts: document.scripts.length,
})"""


def retired_state(page, seconds: float = 15.0) -> dict:  # type: ignore[no-untyped-def]
    """What the phone holds once retirement has finished. It is asynchronous: the app page that
    loaded from the cache may register the worker again while the first retiring worker is
    leaving, and a second retiring worker then comes, cleans up and reloads the page once more.
    Returns the first state with no worker and no cache, or the last one seen."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            page.wait_for_load_state()
            state = page.evaluate(RETIRED)
        except PlaywrightError:  # the retiring worker reloaded the page under the evaluation
            state = None
        if state and state["workers"] == 0 and not state["caches"]:
            return state
        if time.monotonic() > deadline:
            return state or page.evaluate(RETIRED)
        page.wait_for_timeout(250)


def test_kill_switch_removes_the_app_but_keeps_the_vault(
        phone, own_server, release_dir) -> None:  # type: ignore[no-untyped-def]
    page = phone.page
    app = AppShell(page)
    switch = own_server.app.config["KILL_SWITCH_FILE"]
    # Given a phone with the app installed and something stored on it (the language choice)
    publish(release_dir)
    app.open()
    app.wait_until_installed_for_offline_use()
    app.choose_language("العربية")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.reload()  # the choice is stored (written just after the switch of language) …
    app.wait_until_ready()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")  # … and read back

    # When the operator turns the kill switch on and the delegate opens the app again
    killswitch.turn_on(switch)
    phone.expect_console_error("status of 503")  # the paused page says so to the browser too
    page.reload()

    # Then the retiring worker removes itself and every cache, and the paused page shows
    expect(page.get_by_role("heading", name="Safe Passage is paused")).to_be_visible()
    state = retired_state(page)
    assert state["workers"] == 0 and state["caches"] == [] and state["scripts"] == 0
    # but the vault database is still on the phone (no Clear-Site-Data "storage")
    assert "safe-passage" in state["databases"]
    assert page.request.get("/api/health").ok  # the API keeps working

    # When the operator switches it off, the app installs again and remembers the language
    killswitch.turn_off(switch)
    page.reload()
    app.wait_until_ready()
    app.wait_until_installed_for_offline_use()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    phone.assert_clean()
