"""A new release never swaps code under a delegate mid-report: it waits, and the page offers
"Reload to update"; after the reload the new, correctly signed version runs and About shows
the manifest hash the release tool printed for it. (Refused releases: test_release.py.)"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from server import create_app
from server.config import ROOT, TestingConfig
from tests.conftest import LiveServer
from tests.e2e.guard import PageGuard
from tests.e2e.pages.app_shell import AppShell


@pytest.fixture
def release_dir(tmp_path):  # type: ignore[no-untyped-def]
    """A private copy of the shell that this test can publish a new release of."""
    pwa = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", pwa)
    build(pwa)
    return pwa


def build(pwa) -> str:  # type: ignore[no-untyped-def]
    """Publishes a signed release of `pwa`; returns the manifest hash the tool printed."""
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "build_release.py"), str(pwa),
                          str(ROOT / "crypto" / "js")], check=True, capture_output=True, text=True)
    return next(line for line in out.stdout.splitlines() if line.startswith("manifest "))[9:]


@pytest.fixture
def own_server(release_dir, database_url):  # type: ignore[no-untyped-def]
    server = LiveServer(create_app(TestingConfig(database_url, PWA_DIR=release_dir)))
    yield server
    server.stop()


def test_new_version_waits_for_the_user_then_takes_over(browser, own_server, release_dir) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=own_server.url, viewport={"width": 360, "height": 740})
    guard = PageGuard(context.new_page(), own_server.url)
    page = guard.page
    app = AppShell(page)
    app.open()
    app.wait_until_installed_for_offline_use()
    old_version = app.running_version()

    # When a new release is published (a changed welcome text)
    catalog_path = release_dir / "i18n" / "en.json"
    catalog = json.loads(catalog_path.read_text())
    catalog["welcome.title"] = "Record what happened, safely (new)"
    catalog_path.write_text(json.dumps(catalog, ensure_ascii=False))
    new_manifest_hash = build(release_dir)
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")

    # Then the page offers the update and keeps running the old code until asked
    expect(app.update_button).to_be_visible()
    expect(app.welcome_heading).to_have_text("Record what happened, safely")
    assert app.running_version() == old_version

    # When the user chooses to update, the page reloads onto the new version
    with page.expect_navigation():
        app.update_button.click()
    app.wait_until_ready()
    expect(app.welcome_heading).to_have_text("Record what happened, safely (new)")
    expect(page.locator("#about-version")).not_to_have_text(old_version)
    expect(page.get_by_label("Manifest hash")).to_have_text(new_manifest_hash)
    expect(page.get_by_role("alert")).to_be_hidden()
    guard.assert_clean()
    context.close()
