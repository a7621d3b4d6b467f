"""Safe Passage installs on a phone: Chromium itself reports no installability error."""
from __future__ import annotations

from tests.e2e.pages.app_shell import AppShell


def test_chromium_finds_the_app_installable(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    app.wait_until_installed_for_offline_use()
    cdp = page.context.new_cdp_session(page)
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    # Playwright's contexts are incognito profiles, which Chromium never installs from; every
    # other reason (manifest, icons, service worker, start_url offline) would be listed here.
    assert [e for e in errors if e != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors")


def test_manifest_declares_what_a_home_screen_needs(page) -> None:  # type: ignore[no-untyped-def]
    AppShell(page).open()
    manifest = page.evaluate("async () => (await fetch('/manifest.webmanifest')).json()")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["theme_color"] and manifest["name"] == "Safe Passage"
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert "maskable" in purposes and {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        status = page.evaluate("async (src) => (await fetch(src)).status", icon["src"])
        assert status == 200, icon["src"]
