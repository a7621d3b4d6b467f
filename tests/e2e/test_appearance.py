"""A delegate who does not want the phone to announce "Safe Passage" chooses a neutral name and
icon: the tab, the locked screen and the Home Screen manifest then say "Notes"."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_delegate_vault import fresh_vault


def test_neutral_name_and_icon_apply_everywhere_and_persist(page) -> None:  # type: ignore[no-untyped-def]
    vault = fresh_vault(page)
    vault.button("Settings").click()

    # When the delegate chooses the neutral name and icon
    vault.field("App name and icon").select_option(label="Notes (neutral)")

    # Then the tab, the heading, the icons and the install manifest say "Notes"
    expect(page).to_have_title("Notes")
    expect(vault.heading).to_have_text("Notes")
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest-notes.webmanifest"
    assert page.locator('link[rel="apple-touch-icon"]').get_attribute("href") == "/icons/notes-180.png"
    manifest = page.evaluate("async () => (await fetch('/manifest-notes.webmanifest')).json()")
    assert manifest["name"] == manifest["short_name"] == "Notes"
    assert all("notes" in icon["src"] for icon in manifest["icons"])
    cdp = page.context.new_cdp_session(page)
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert [e for e in errors if e != "in-incognito"] == []
    assert cdp.send("Page.getAppManifest")["url"].endswith("/manifest-notes.webmanifest")

    # And after locking and reloading, the locked app still does not say what it is
    vault.lock()
    vault.reload()
    expect(vault.button("Unlock")).to_be_visible()
    expect(page).to_have_title("Notes")
    expect(vault.heading).to_have_text("Notes")
    assert "Safe Passage" not in page.title()

    # In Arabic the neutral name is Arabic too
    vault.choose_language("العربية")
    expect(page).to_have_title("ملاحظات")

    # And choosing the standard name again restores it
    vault.choose_language("English")
    vault.unlock("correct horse battery staple at the border")
    vault.button("Settings").click()
    vault.field("App name and icon").select_option(label="Safe Passage")
    expect(page).to_have_title("Safe Passage")
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
