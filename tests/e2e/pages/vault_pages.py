"""Page objects: the delegate's vault as a person meets it (create, Emergency Kit, unlock, lock,
log and edit incidents, quick exit, wipe). Everything is found by its accessible name, as a
screen reader user would find it."""
from __future__ import annotations

from collections.abc import Sequence

from playwright.sync_api import Page, expect

from tests.e2e.pages.app_shell import AppShell

# Argon2id (64 MiB, t=3) runs in a Worker; on a slow CI machine it can take several seconds.
SLOW = 30_000


class Vault(AppShell):
    def __init__(self, page: Page) -> None:
        super().__init__(page)

    # --- what a person sees ------------------------------------------------------------------
    def screen_heading(self):  # type: ignore[no-untyped-def]
        return self.page.locator("#screen h2")

    @property
    def incidents(self):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("list", name="My incidents")

    def incident_titles(self) -> list[str]:
        return self.incidents.locator(".incident-title").all_inner_texts()

    def button(self, name: str):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("button", name=name, exact=True)

    def field(self, label: str):  # type: ignore[no-untyped-def]
        return self.page.get_by_label(label, exact=True)

    # --- create, Emergency Kit, unlock, lock -------------------------------------------------
    def delegate_creates_vault(self, passphrase: str) -> str:
        """Creates the vault and confirms the Emergency Kit; returns the Secret Key shown."""
        self.field("Passphrase").fill(passphrase)
        self.field("Confirm passphrase").fill(passphrase)
        self.button("Create vault").click()
        secret = self.field("Secret Key")
        expect(secret).to_be_visible(timeout=SLOW)
        expect(self.page.locator("canvas.qr")).to_be_visible()
        text = secret.input_value()
        assert text
        self.button("I have saved my Emergency Kit").click()
        expect(self.incidents).to_be_attached()
        return text

    def unlock(self, passphrase: str) -> None:
        self.field("Passphrase").fill(passphrase)
        self.button("Unlock").click()
        expect(self.button("Lock")).to_be_visible(timeout=SLOW)

    def unlock_fails(self, passphrase: str):  # type: ignore[no-untyped-def]
        self.field("Passphrase").fill(passphrase)
        self.button("Unlock").click()
        alert = self.page.get_by_role("alert")
        expect(alert).to_contain_text("not right", timeout=SLOW)
        return self.page.locator(".counter")

    def lock(self) -> None:
        self.button("Lock").click()
        expect(self.button("Unlock")).to_be_visible()

    def quick_exit(self) -> None:
        self.button("Quick exit").click()
        expect(self.button("Continue")).to_be_visible()

    def wipe(self) -> None:
        self.button("Settings").click()
        self.button("Wipe this device").click()
        self.button("Yes, erase everything").click()
        expect(self.button("Create vault")).to_be_visible(timeout=SLOW)

    # --- incidents ---------------------------------------------------------------------------
    def open_new_incident(self) -> None:
        self.button("New incident").click()
        expect(self.screen_heading()).to_have_text("New incident")

    def fill_incident(self, title: str | None = None, type_label: str | None = None,
                      what: str | None = None, where: str | None = None,
                      files: Sequence[dict] | None = None, **more: str) -> None:
        if title is not None:
            self.field("Title").fill(title)
        if type_label is not None:
            self.field("Incident type").select_option(label=type_label)
        if where is not None:
            self.field("Where").fill(where)
        if what is not None:
            self.field("What happened").fill(what)
        for label, value in more.items():
            self.field(label).fill(value)
        if files:
            self.field("Attach file").set_input_files(list(files))

    def save_incident(self) -> None:
        self.button("Save incident").click()
        expect(self.incidents).to_be_attached(timeout=SLOW)

    def delegate_logs_incident(self, title: str, type_label: str, what: str,
                               files: Sequence[dict] | None = None, **fields: str) -> None:
        self.open_new_incident()
        self.fill_incident(title=title, type_label=type_label, what=what, files=files, **fields)
        self.save_incident()
        expect(self.incidents.get_by_role("listitem").filter(has_text=title)).to_have_count(1)

    def open_incident(self, title: str) -> None:
        self.incidents.get_by_role("button").filter(has_text=title).first.click()
        expect(self.screen_heading()).to_have_text(title)

    def edit_open_incident(self, **changes: str) -> None:
        self.button("Edit").click()
        expect(self.screen_heading()).to_have_text("Edit incident")
        self.fill_incident(**changes)
        self.save_incident()
