"""The delegate's vault (issue 4), in Chromium at 360 px: create it offline, log incidents with
evidence, survive a reload, unlock, edit into a new version, and the safety controls (wrong
passphrase counter, Quick exit, Wipe this device). Hostile text stays text."""
from __future__ import annotations

import base64

from playwright.sync_api import expect

from tests.e2e.guard import PageGuard
from tests.e2e.pages.vault_pages import SLOW, Vault
from tests.e2e.test_accessibility import axe_violations, small_touch_targets

PASSPHRASE = "correct horse battery staple at the border"
# A 1x1 PNG: a real image the detail view can preview from a blob URL.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def fresh_vault(page) -> Vault:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    vault.delegate_creates_vault(PASSPHRASE)
    return vault


def test_offline_create_log_reload_unlock_and_edit(page) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    vault.wait_until_installed_for_offline_use()
    # Given the network is gone right after the first load
    page.context.set_offline(True)
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("blob:", "data:")) else None)

    # When the delegate creates a vault and logs two incidents, one with a photo
    vault.delegate_creates_vault(PASSPHRASE)
    vault.delegate_logs_incident("Visa refused at consulate", "Visa denied or delayed",
                                 "They kept my passport for two hours.")
    vault.delegate_logs_incident("Phone searched at airport", "Device search", "Officers took my phone.",
                                 files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])

    # And reloads the app (still offline) and unlocks it
    vault.reload()
    expect(vault.button("Unlock")).to_be_visible()
    expect(vault.page.get_by_text("Phone searched at airport")).to_have_count(0)
    vault.unlock(PASSPHRASE)

    # Then both incidents are listed, newest first, and the attachment opens from memory
    assert vault.incident_titles() == ["Phone searched at airport", "Visa refused at consulate"]
    # Search and filter work on the decrypted text in memory
    vault.field("Search").fill("passport")
    expect(vault.incidents.get_by_role("listitem")).to_have_count(1)
    assert vault.incident_titles() == ["Visa refused at consulate"]
    vault.field("Search").fill("")
    vault.field("Type of incident").select_option(label="Device search")
    assert vault.incident_titles() == ["Phone searched at airport"]
    vault.field("Type of incident").select_option(label="All types")
    vault.open_incident("Phone searched at airport")
    expect(page.get_by_text("Officers took my phone.")).to_be_visible()
    expect(page.get_by_text("receipt.png")).to_be_visible()
    vault.button("Show").click()
    expect(page.locator(".preview img")).to_have_count(1)

    # When the delegate edits it, a new version supersedes it and the old one stays in the history
    vault.edit_open_incident(what="Officers took my phone and asked for the PIN.")
    assert vault.incident_titles().count("Phone searched at airport") == 1
    vault.open_incident("Phone searched at airport")
    expect(page.get_by_text("Officers took my phone and asked for the PIN.")).to_be_visible()
    expect(page.locator(".history details")).to_have_count(1)
    expect(page.locator(".history summary")).to_contain_text("Version 1")

    # A draft survives a lock: what was typed comes back after unlocking
    vault.open_new_incident()
    vault.fill_incident(title="Half-written report")
    expect(page.get_by_text("Draft saved (encrypted).")).to_be_visible()
    vault.lock()
    vault.unlock(PASSPHRASE)
    expect(vault.field("Title")).to_have_value("Half-written report")

    # Nothing left this origin while offline (the service worker served the shell)
    origin = page.url.split("/", 3)[:3]
    assert all(url.split("/", 3)[:3] == origin for url in requests), requests
    page.context.set_offline(False)


def test_create_vault_explains_the_passphrase_minimum(page) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    strength = page.locator(".strength")
    vault.field("Passphrase").fill("hunter2")
    expect(strength).to_have_text("Strength: too short")
    vault.field("Confirm passphrase").fill("hunter2")
    vault.button("Create vault").click()
    expect(page.get_by_role("alert")).to_have_text("This passphrase is too short. Use at least 4 words or 12 characters.")
    expect(vault.field("Passphrase")).to_be_focused()
    vault.field("Passphrase").fill(PASSPHRASE)
    expect(strength).not_to_have_text("Strength: too short")
    vault.field("Confirm passphrase").fill(PASSPHRASE + " typo")
    vault.button("Create vault").click()
    expect(page.get_by_role("alert")).to_contain_text("not the same")
    expect(vault.field("Secret Key")).to_have_count(0)


def test_wrong_passphrase_is_refused_and_counted_and_the_nth_failure_wipes(page) -> None:  # type: ignore[no-untyped-def]
    vault = fresh_vault(page)
    vault.delegate_logs_incident("Questioned for three hours", "Secondary screening or questioning", "Asked about my NGO.")
    # Given the delegate chose to wipe this device after 3 failed unlocks
    vault.button("Settings").click()
    vault.field("Wipe this device after failed unlocks").select_option(label="After 3 failed attempts")
    vault.button("Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    vault.lock()

    # Wrong passphrases are refused and counted, with the attempts left before the wipe
    counter = vault.unlock_fails("not my passphrase at all")
    expect(counter).to_have_text("Failed attempts: 1. This device will be wiped after 2 more.")
    counter = vault.unlock_fails("still not my passphrase")
    expect(counter).to_have_text("Failed attempts: 2. This device will be wiped after 1 more.")
    # The right one opens the vault and resets the counter
    vault.unlock(PASSPHRASE)
    assert vault.incident_titles() == ["Questioned for three hours"]
    vault.lock()
    expect(page.locator(".counter")).to_have_text("")

    # The third failure in a row wipes the device
    for attempt in range(2):
        vault.unlock_fails(f"wrong guess {attempt}")
    vault.field("Passphrase").fill("wrong guess 2")
    vault.button("Unlock").click()
    expect(vault.button("Create vault")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("This device was wiped after too many failed attempts.")).to_be_visible()


PAYLOADS = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '"><script>window.__xss=2;alert(2)</script>',
    "<svg/onload=alert(3)>",
    "javascript:alert(4)",
]


def test_xss_payloads_typed_into_fields_render_as_text(page) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    vault = fresh_vault(page)
    title = PAYLOADS[0]
    vault.open_new_incident()
    vault.fill_incident(title=title, type_label="Other", what=PAYLOADS[1], where=PAYLOADS[2],
                        **{"Officials or agency involved": PAYLOADS[3], "Questions you were asked": PAYLOADS[0],
                           "Impact on you or your work": PAYLOADS[1], "Witnesses": PAYLOADS[2],
                           "What help you need": PAYLOADS[3]},
                        files=[{"name": PAYLOADS[0] + ".txt", "mimeType": "text/plain", "buffer": b"x"}])
    vault.save_incident()
    assert vault.incident_titles() == [title]
    vault.open_incident(title)
    for payload in PAYLOADS:
        expect(page.get_by_text(payload, exact=True).first).to_be_visible()
    assert page.locator("#screen img, #screen script, #screen svg").count() == 0
    assert page.evaluate("() => window.__xss === undefined")
    assert dialogs == []


def test_quick_exit_hides_everything_and_locks(page) -> None:  # type: ignore[no-untyped-def]
    vault = fresh_vault(page)
    vault.delegate_logs_incident("Followed after the meeting", "Surveillance or photographing", "A car followed me.")
    vault.quick_exit()
    body = page.locator("body").inner_text()
    assert "Followed" not in body and "Safe Passage" not in body
    assert page.title() != "Safe Passage"
    state = page.evaluate("async () => (await import('/js/vault/index.js')).state()")
    assert state == "locked"
    vault.button("Continue").click()
    expect(vault.button("Unlock")).to_be_visible()


def test_idle_vault_locks_itself_and_keeps_the_draft(page) -> None:  # type: ignore[no-untyped-def]
    page.clock.install()  # page timers only: Argon2id in its Worker runs in real time
    vault = fresh_vault(page)
    vault.open_new_incident()
    vault.fill_incident(title="Stopped at the checkpoint", what="I was interrupted while writing")
    expect(page.get_by_text("Draft saved (encrypted).")).to_be_visible()
    # After the default 5 idle minutes the vault locks and the report leaves the screen
    page.clock.fast_forward("05:01")
    expect(vault.button("Unlock")).to_be_visible()
    expect(page.get_by_text("The vault is locked. Your draft is kept.")).to_be_visible()
    assert page.locator("#screen textarea, #screen input[name=title]").count() == 0
    vault.unlock(PASSPHRASE)
    expect(vault.field("What happened")).to_have_value("I was interrupted while writing")


def test_wipe_this_device_returns_to_create_vault(page) -> None:  # type: ignore[no-untyped-def]
    vault = fresh_vault(page)
    vault.delegate_logs_incident("Detained overnight", "Detention", "Held for 14 hours.")
    vault.wipe()
    left = page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map(d => d.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length,
        local: localStorage.length + sessionStorage.length,
    })""")
    assert left == {"databases": [], "caches": [], "workers": 0, "local": 0}
    vault.reload()
    expect(vault.button("Create vault")).to_be_visible(timeout=SLOW)


def test_backup_exported_on_one_device_restores_on_another(page, browser, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    secret = vault.delegate_creates_vault(PASSPHRASE)
    vault.delegate_logs_incident("Harassed online after the summit", "Harassment or intimidation (in person or online)",
                                 "Threats on social media.")
    vault.button("Settings").click()
    with page.expect_download() as info:
        vault.button("Export backup").click()
    backup = tmp_path / "vault.spbackup"
    info.value.save_as(backup)
    expect(page.get_by_text("Backup ready.")).to_be_visible()
    assert b"Harassed" not in backup.read_bytes()

    # On a second device (a fresh browser profile), with the passphrase and the Secret Key
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740})
    guard = PageGuard(context.new_page(), live_server)
    other = Vault(guard.page)
    other.open()
    other.button("Restore from a backup").click()
    other.field("Backup file").set_input_files(str(backup))
    other.field("Passphrase of the backup").fill(PASSPHRASE)
    other.field("Secret Key of the backup").fill(secret)
    other.button("Restore backup").click()
    expect(other.incidents).to_be_attached(timeout=SLOW)
    assert other.incident_titles() == ["Harassed online after the summit"]
    guard.assert_clean()
    context.close()


def test_audio_recorded_in_the_app_is_attached(browser_type, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    # A Chromium with a fake microphone (a beep), and the permission granted.
    browser = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                  permissions=["microphone"])
    guard = PageGuard(context.new_page(), live_server)
    vault = Vault(guard.page)
    vault.open()
    vault.delegate_creates_vault(PASSPHRASE)
    vault.open_new_incident()
    vault.fill_incident(title="Threatened by phone", type_label="Reprisal at home", what="A call at night.")
    vault.button("Record audio").click()
    expect(vault.button("Stop recording")).to_be_visible()
    guard.page.wait_for_timeout(1200)
    vault.button("Stop recording").click()
    expect(guard.page.get_by_text("Recording added.")).to_be_visible()
    vault.save_incident()
    vault.open_incident("Threatened by phone")
    expect(guard.page.locator(".picked-name")).to_contain_text("recording-")
    vault.button("Show").click()
    expect(guard.page.locator(".preview audio")).to_have_count(1)
    guard.assert_clean()
    context.close()
    browser.close()


def test_every_screen_passes_axe_in_english_and_arabic(page) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()

    def check(screen: str) -> None:
        assert small_touch_targets(page) == [], screen
        for name, lang in (("العربية", "ar"), ("English", "en")):
            vault.choose_language(name)
            page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
            assert axe_violations(page) == [], (screen, lang)

    check("create")
    vault.button("Restore from a backup").click()
    check("restore")
    vault.button("Back").click()
    vault.field("Passphrase").fill(PASSPHRASE)
    vault.field("Confirm passphrase").fill(PASSPHRASE)
    vault.button("Create vault").click()
    expect(vault.field("Secret Key")).to_be_visible(timeout=SLOW)
    check("emergency kit")
    vault.button("I have saved my Emergency Kit").click()
    check("empty list")
    vault.open_new_incident()
    vault.field("Incident type").select_option(label="Device search")
    check("new incident")
    vault.fill_incident(title="Laptop imaged", what="They copied the disk.",
                        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    vault.save_incident()
    check("list")
    vault.open_incident("Laptop imaged")
    check("detail")
    vault.button("Settings").click()
    check("settings")
    vault.lock()
    check("unlock")
    vault.unlock(PASSPHRASE)
    # The neutral screen hides the header (and its Language control): check it in each language.
    vault.quick_exit()
    assert axe_violations(page) == [], ("neutral", "en")
    vault.button("Continue").click()
    vault.choose_language("العربية")
    page.wait_for_function("() => document.documentElement.lang === 'ar'")
    page.locator("#screen input[type=password]").fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    page.locator("#quick-exit").click(timeout=SLOW)
    expect(page.locator("[data-screen=neutral]")).to_be_visible()
    assert axe_violations(page) == [], ("neutral", "ar")


# Headless Chromium never hides a page (minimising or switching tabs leaves it "visible"), so the
# test plays the browser's part: it reports the page hidden and fires the event the browser fires
# when a person switches to another app. What runs in response is the app's real code.
HIDE_PAGE = """() => {
  Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}"""
SHOW_PAGE = """() => {
  Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}"""


def test_lock_when_hidden_is_off_by_default_and_locks_when_chosen(page) -> None:  # type: ignore[no-untyped-def]
    vault = fresh_vault(page)
    # By default switching apps keeps the vault open (a delegate may be copying a phone number)
    page.evaluate(HIDE_PAGE)
    page.evaluate(SHOW_PAGE)
    expect(vault.button("Lock")).to_be_visible()

    # When the delegate chooses to lock when switching apps
    vault.button("Settings").click()
    vault.field("Lock when I switch to another app").check()
    vault.button("Save settings").click()
    expect(page.get_by_text("Settings saved", exact=False)).to_be_visible()

    # Then switching to another app locks the vault and nothing of it stays on screen
    page.evaluate(HIDE_PAGE)
    page.evaluate(SHOW_PAGE)
    expect(vault.button("Unlock")).to_be_visible()
    expect(vault.button("Lock")).to_have_count(0)
