"""Page objects: accounts, devices and sync (issue 5) as a delegate meets them — an invite link,
Create account, Sign in on a new phone, Sync now, Devices and Revoke, Prepare for crossing, and
two versions of one incident. Everything is found by its accessible name."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages.vault_pages import SLOW, Vault

# A sync of a few attachments, or a sign-in (Argon2id, then everything comes down).
SYNC = 60_000


class Device(Vault):
    """One phone (a browser context) of a delegate."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)

    # --- what a person sees ------------------------------------------------------------------
    @property
    def status(self):  # type: ignore[no-untyped-def]
        """The screen's role=status region that says how the sync went."""
        return self.page.locator("#screen .sync-status")

    @property
    def alert(self):  # type: ignore[no-untyped-def]
        return self.page.locator("#screen [role=alert]:not(:empty)")

    def current_screen(self) -> str | None:
        return self.page.locator("#screen > [data-screen]").get_attribute("data-screen")

    # --- arriving with an invite, creating the account ------------------------------------------
    def open_invite(self, url: str) -> None:
        """Taps the invite link the focal point sent (the token is in the URL fragment)."""
        self.page.goto(url)
        self.wait_until_ready()

    def delegate_creates_vault_for_the_invite(self, passphrase: str) -> str:
        """With an invite pending: creates the vault and confirms the Emergency Kit, which leads
        to Create account. Returns the Secret Key shown."""
        expect(self.page.get_by_text("You have an invitation.")).to_be_visible()
        self.field("Passphrase").fill(passphrase)
        self.field("Confirm passphrase").fill(passphrase)
        self.button("Create vault").click()
        secret = self.field("Secret Key")
        expect(secret).to_be_visible(timeout=SLOW)
        text = secret.input_value()
        self.button("I have saved my Emergency Kit").click()
        expect(self.screen_heading()).to_have_text("Create account")
        return text

    def delegate_creates_account(self, username: str, display_name: str) -> None:
        self.fill_account_form(username, display_name)
        expect(self.page.get_by_role("heading", name="Sync", exact=True)).to_be_visible(timeout=SYNC)
        expect(self.page.get_by_text("Your account is ready")).to_be_visible()

    def fill_account_form(self, username: str, display_name: str) -> None:
        expect(self.screen_heading()).to_have_text("Create account")
        self.field("Username").fill(username)
        self.field("Display name").fill(display_name)
        self.button("Create account").click()

    # --- signing in on another phone -------------------------------------------------------------
    def sign_in(self, username: str, passphrase: str, secret_key: str) -> None:
        """On a phone with no vault: Sign in, then everything comes down from the server."""
        self.button("Sign in").click()
        expect(self.screen_heading()).to_have_text("Sign in on this phone")
        self.field("Username").fill(username)
        self.field("Passphrase").fill(passphrase)
        self.field("Secret Key").fill(secret_key)
        self.button("Sign in").click()
        expect(self.incidents).to_be_attached(timeout=SYNC)
        expect(self.page.get_by_text("Signed in.")).to_be_visible()

    # --- Sync ------------------------------------------------------------------------------------
    def open_sync(self) -> None:
        self.button("Sync").click()
        expect(self.screen_heading()).to_have_text("Sync")

    def plan(self) -> str:
        plan = self.page.locator("#screen .plan")
        expect(plan).not_to_be_empty()
        return plan.inner_text()

    def sync_now(self) -> str:
        """Taps Sync now and waits for the result; returns what the status region says."""
        if self.current_screen() != "sync":
            self.open_sync()
        self.plan()
        self.button("Sync now").click()
        expect(self.status).to_have_attribute("data-outcome", re.compile("^(done|conflicts)$"), timeout=SYNC)
        return self.status.inner_text()

    def sync_fails(self) -> str:
        """Taps Sync now expecting it to fail; returns the error the delegate reads."""
        if self.current_screen() != "sync":
            self.open_sync()
        self.button("Sync now").click()
        expect(self.status).to_have_attribute("data-outcome", "error", timeout=SYNC)
        return self.alert.inner_text()

    # --- Devices ----------------------------------------------------------------------------------
    def open_devices(self) -> None:
        if self.current_screen() != "sync":
            self.open_sync()
        self.button("Devices").click()
        expect(self.screen_heading()).to_have_text("Devices")
        expect(self.device_list.get_by_role("listitem").first).to_be_visible()

    @property
    def device_list(self):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("list", name="Devices")

    def this_device_name(self) -> str:
        mine = self.device_list.get_by_role("listitem").filter(has_text="This device")
        return mine.locator(".device-name").inner_text()

    def revoke(self, device_name: str) -> None:
        entry = self.device_list.get_by_role("listitem").filter(has_text=device_name)
        entry.get_by_role("button", name="Revoke", exact=True).click()
        self.button("Yes, revoke it").click()
        expect(self.page.get_by_text(f"Device {device_name} was revoked.")).to_be_visible(timeout=SYNC)
        expect(entry.get_by_text("Revoked", exact=True)).to_be_visible()

    # --- Prepare for crossing ------------------------------------------------------------------
    def prepare_for_crossing(self) -> None:
        if self.current_screen() not in ("sync", "crossing"):
            self.open_sync()
        if self.current_screen() == "sync":
            self.button("Prepare for crossing").click()
        expect(self.screen_heading()).to_have_text("Prepare for crossing")
        self.button("Prepare for crossing").click()
        self.button("Yes, send everything and empty this phone").click()
        expect(self.page.get_by_text("This phone now holds none of your reports.")).to_be_visible(timeout=SYNC)
        expect(self.button("Create vault")).to_be_visible()

    # --- incidents, from any screen -------------------------------------------------------------
    def open_incident(self, title: str) -> None:
        if self.current_screen() != "list":
            self.button("My incidents").click()
        super().open_incident(title)

    # --- two versions of one incident -----------------------------------------------------------
    def incident_entry(self, title: str):  # type: ignore[no-untyped-def]
        return self.incidents.get_by_role("listitem").filter(has_text=title)

    def conflict_versions(self):  # type: ignore[no-untyped-def]
        return self.page.locator("#screen .conflict-version")

    def keep_version(self, containing: str) -> None:
        """On a conflict: keeps the version whose text contains `containing`."""
        version = self.conflict_versions().filter(has_text=containing)
        version.get_by_role("button", name="Keep this version").click()
        expect(self.page.get_by_text("This version is now the current one")).to_be_visible(timeout=SLOW)

    # --- looking underneath (what the test checks, not what a person does) ------------------------
    def attachment_bytes(self, title: str, name: str) -> bytes:
        """The decrypted bytes of an attachment, read through the vault service as the detail
        view reads them (the service checks them against the SHA-256 sealed in the record)."""
        data = self.page.evaluate("""async ([title, name]) => {
            const vault = await import('/js/vault/index.js');
            const found = (await vault.listIncidents()).find((i) => i.content.title === title);
            const att = found.attachments.find((a) => a.name === name);
            const blob = await vault.readAttachment(att.aid);
            return Array.from(new Uint8Array(await blob.arrayBuffer()));
        }""", [title, name])
        return bytes(data)

    def preference_keys(self) -> list[str]:
        """The keys left in the preferences store (the only store kept after a crossing)."""
        return self.page.evaluate("""async () => {
            const db = await new Promise((ok, fail) => {
                const req = indexedDB.open("safe-passage");
                req.onsuccess = () => ok(req.result);
                req.onerror = () => fail(req.error);
            });
            if (!db.objectStoreNames.contains("prefs")) return [];
            return await new Promise((ok, fail) => {
                const req = db.transaction("prefs").objectStore("prefs").getAllKeys();
                req.onsuccess = () => ok(req.result);
                req.onerror = () => fail(req.error);
            });
        }""")

    def stored_rows(self) -> dict[str, int]:
        """Rows in every object store of every IndexedDB database of this origin."""
        return self.page.evaluate("""async () => {
            const counts = {};
            for (const info of await indexedDB.databases()) {
                const db = await new Promise((ok, fail) => {
                    const req = indexedDB.open(info.name);
                    req.onsuccess = () => ok(req.result);
                    req.onerror = () => fail(req.error);
                });
                for (const store of db.objectStoreNames) {
                    counts[`${info.name}/${store}`] = await new Promise((ok, fail) => {
                        const req = db.transaction(store).objectStore(store).count();
                        req.onsuccess = () => ok(req.result);
                        req.onerror = () => fail(req.error);
                    });
                }
                db.close();
            }
            return counts;
        }""")
