"""Page object: the app shell as a person meets it (header, language, status, about, update)."""
from __future__ import annotations

from playwright.sync_api import Page, Response, expect


class AppShell:
    def __init__(self, page: Page) -> None:
        self.page = page

    # --- arriving ----------------------------------------------------------------------------
    def open(self) -> Response | None:
        response = self.page.goto("/")
        self.wait_until_ready()
        return response

    def wait_until_ready(self) -> None:
        expect(self.page.locator("body[data-ready=true]")).to_have_count(1)

    def wait_until_installed_for_offline_use(self) -> None:
        """The service worker has precached the shell and controls this page."""
        # A function, not a string: Playwright evals strings, which the strict CSP forbids.
        self.page.wait_for_function("() => !!navigator.serviceWorker.controller")
        expect(self.page.locator("#about-version")).not_to_have_text("")
        expect(self.page.locator("#about-version")).not_to_have_attribute("data-i18n", "about.pending")

    def reload(self) -> Response | None:
        response = self.page.reload()
        self.wait_until_ready()
        return response

    # --- what a person sees ------------------------------------------------------------------
    @property
    def heading(self):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("heading", level=1)

    @property
    def welcome_heading(self):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("heading", level=2).first

    @property
    def connection_status(self):  # type: ignore[no-untyped-def]
        return self.page.locator("#connection")

    def running_version(self) -> str:
        return self.page.locator("#about-version").inner_text()

    # --- what a person does ------------------------------------------------------------------
    def choose_language(self, visible_name: str) -> None:
        self.page.get_by_label("Language").select_option(label=visible_name)

    @property
    def update_button(self):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("button", name="Reload to update")
