"""Page objects: sharing, inbox, check-ins, duress and statistics (issue 6) as delegates, focal
points and legal supporters meet them — Contacts and verifying a safety number, Share and
"Shared with", the Inbox and one report, Check-in, the duress passphrase in Settings, and
Statistics. Everything is found by its accessible name, as a screen reader user would find it.

`Person` is one phone of one person; its screens are reached as `person.contacts`,
`person.inbox`, … each a small object with what a person does there."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Download, Locator, Page, expect

from tests.e2e.pages.account_pages import SYNC, Device
from tests.e2e.pages.vault_pages import SLOW


class Screen:
    """What every screen offers: its heading, buttons and fields by name, its live regions."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def heading(self) -> Locator:
        return self.page.locator("#screen h2")

    def button(self, name: str) -> Locator:
        return self.page.locator("#screen").get_by_role("button", name=name, exact=True)

    def field(self, label: str) -> Locator:
        return self.page.locator("#screen").get_by_label(label, exact=True)

    def nav(self, name: str) -> Locator:
        """A place in the session bar ("Contacts", "Inbox", "Statistics", "Check-in", …)."""
        return self.page.get_by_role("navigation").get_by_role("button", name=name, exact=True)

    @property
    def status(self) -> Locator:
        return self.page.locator("#screen [role=status]:not(:empty)")

    @property
    def alert(self) -> Locator:
        return self.page.locator("#screen [role=alert]:not(:empty)")

    def current_screen(self) -> str | None:
        return self.page.locator("#screen > [data-screen]").get_attribute("data-screen")

    def _download(self, item: Locator) -> Download:
        """Taps "Download" in `item` (an attachment, a case file); returns Playwright's Download."""
        with self.page.expect_download() as info:
            item.get_by_role("button", name="Download", exact=True).click()
        return info.value

    def _show_image(self, item: Locator, image: str) -> Locator:
        """Taps "Show" in `item`; returns the one `image` (a selector) drawn from a blob: URL."""
        item.get_by_role("button", name="Show", exact=True).click()
        shown = item.locator(image)
        expect(shown).to_have_count(1)
        return shown


class ListScreen(Screen):
    """A place in the navigation that is one named list of reports or cases (Inbox, Cases): its
    entries by the title they show, each opened by its first button."""

    NAME = ""

    @property
    def list(self) -> Locator:
        return self.page.get_by_role("list", name=self.NAME)

    def open(self) -> None:
        self.nav(self.NAME).click()
        expect(self.heading()).to_have_text(self.NAME)

    def entries(self) -> Locator:
        return self.list.get_by_role("listitem")

    def entry(self, title: str) -> Locator:
        return self.entries().filter(has_text=title)

    def titles(self) -> list[str]:
        return self.list.locator(".incident-title").all_inner_texts()

    def _open_entry(self, title: str, ready: Locator) -> None:
        """Taps the entry's first button (its title); waits for `ready` on the screen it opens."""
        self.entry(title).get_by_role("button").first.click()
        expect(ready).to_be_visible()


class NotesScreen(Screen):
    """A screen with notes of one's own under what it shows (a received report, a case)."""

    def add_note(self, text: str) -> None:
        self.field("Note").fill(text)
        self.button("Add note").click()
        expect(self.status.filter(has_text="Note added.")).to_be_visible()

    def notes(self) -> list[str]:
        return self.page.locator("#screen .note-text").all_inner_texts()


class RecipientScreen(Screen):
    """A screen built on pwa/js/ui/recipient-picker.js (Share, Refer): a checkbox per recipient,
    named by her name, role and key state, and a send button (`SEND`) that first asks `ANYWAY`
    when one of those ticked is not verified."""

    SEND = ""
    ANYWAY = ""

    def recipient(self, name: str) -> Locator:
        return self.page.locator("#screen").get_by_role("checkbox", name=re.compile(re.escape(name)))

    def choose(self, names: Sequence[str]) -> None:
        for name in names:
            self.recipient(name).check()

    def send(self, anyway: bool = False) -> None:
        """Taps `SEND`, and then `ANYWAY` when `anyway` (the confirmation gives it the focus)."""
        self.button(self.SEND).click()
        if anyway:
            expect(self.button(self.ANYWAY)).to_be_focused()
            self.button(self.ANYWAY).click()


class Contacts(Screen):
    @property
    def list(self) -> Locator:
        return self.page.get_by_role("list", name="Contacts")

    def open(self) -> None:
        self.nav("Contacts").click()
        expect(self.heading()).to_have_text("Contacts")

    def update(self) -> None:
        """Taps "Update contacts" (the directory, fetched from the server) and waits for it."""
        self.button("Update contacts").click()
        expect(self.status.filter(has_text="Contacts updated.")).to_be_visible(timeout=SYNC)

    def entry(self, name: str) -> Locator:
        return self.list.get_by_role("listitem").filter(has_text=name)

    def names(self) -> list[str]:
        return self.list.locator(".contact-name").all_inner_texts()

    def state_of(self, name: str) -> str:
        """"Verified", "Not verified" or "Key changed", as the list says it."""
        return self.entry(name).locator(".tag").first.inner_text()

    def open_verify(self, name: str) -> None:
        self.entry(name).get_by_role("button", name="Verify", exact=True).click()
        expect(self.heading()).to_have_text(f"Verify {name}")
        expect(self.safety_groups()).to_have_count(12)

    # --- the verify view ---------------------------------------------------------------------
    def safety_groups(self) -> Locator:
        return self.page.locator("#screen .safety-number span")

    def safety_number(self) -> str:
        """The 60 digits as the screen shows them, in 12 groups of 5 separated by spaces."""
        return " ".join(self.safety_groups().all_inner_texts())

    def qr_text(self) -> str:
        """What this phone's QR code holds, read the way the other phone's camera would: the
        60 digits shown, after "SP1-SAFETY:" (docs/sharing-contract.md §4)."""
        return "SP1-SAFETY:" + self.safety_number().replace(" ", "")

    def mark_as_verified(self) -> None:
        self.button("Mark as verified").click()
        expect(self.status).to_contain_text("Marked as verified.")
        self.button("Back to contacts").click()
        expect(self.heading()).to_have_text("Contacts")

    def verify_in_person(self, name: str) -> None:
        """Opens Contacts, compares the numbers with the person, and taps Mark as verified."""
        self.open()
        if not self.entry(name).count():
            self.update()
        self.open_verify(name)
        self.mark_as_verified()
        expect(self.entry(name)).to_contain_text("Verified")

    def scan_code(self) -> str:
        """Taps "Scan code" and waits for the camera's answer; returns what the screen says."""
        self.button("Scan code").click()
        outcome = self.page.locator("#screen [role=status], #screen [role=alert]").filter(
            has_text=re.compile("codes match|not the safety number|camera is not allowed|No camera"))
        expect(outcome.first).to_be_visible(timeout=SYNC)
        return outcome.first.inner_text()

    def publish_card(self, name: str, org: str = "") -> None:
        """A focal point or legal supporter: the name (and organisation) delegates pick her by."""
        self.field("Your name").fill(name)
        self.field("Organisation (optional)").fill(org)
        self.button("Publish my card").click()
        expect(self.status.filter(has_text="Published.")).to_be_visible(timeout=SYNC)

    def accept_new_key(self, name: str) -> None:
        self.entry(name).get_by_role("button", name="Accept new key").click()
        expect(self.entry(name)).to_contain_text("Not verified")


class Share(RecipientScreen):
    """The share screen of one incident (from its detail's "Share")."""

    SEND = "Share report"
    ANYWAY = "Share anyway"

    def consent(self, label: str) -> Locator:
        return self.page.locator("#screen").get_by_role("checkbox", name=label, exact=True)

    def also(self, title: str) -> Locator:
        """The checkbox of another incident to send along."""
        return self.recipient(title)

    def share_report(self, anyway: bool = False) -> None:
        """Taps "Share report" (and "Share anyway" when `anyway`); the incident's detail says the
        share is ready to go with the next sync."""
        self.send(anyway)
        expect(self.page.get_by_text("Ready to share.")).to_be_visible(timeout=SLOW)


class SharedWith(Screen):
    """The "Shared with" section of an incident's detail."""

    @property
    def list(self) -> Locator:
        return self.page.get_by_role("list", name="Shared with")

    def entry(self, name: str) -> Locator:
        return self.list.get_by_role("listitem").filter(has_text=name)

    def answers(self, name: str) -> list[str]:
        """The "Received by … on …; status: …" lines of one recipient."""
        return self.entry(name).locator(".answer").all_inner_texts()

    def revoke(self, name: str) -> None:
        self.entry(name).get_by_role("button", name="Revoke", exact=True).click()
        self.button("Yes, stop sharing").click()
        expect(self.page.get_by_text(f"The share with {name} will be revoked")).to_be_visible()


class Inbox(ListScreen):
    NAME = "Inbox"

    def filter(self, status: str | None = None, type_label: str | None = None, search: str | None = None) -> None:
        if status is not None:
            self.field("Status").select_option(label=status)
        if type_label is not None:
            self.field("Type of incident").select_option(label=type_label)
        if search is not None:
            self.field("Search").fill(search)

    def open_report(self, title: str) -> Report:
        report = Report(self.page)
        self._open_entry(title, report.verification)
        return report


class Report(NotesScreen):
    """One received report."""

    @property
    def verification(self) -> Locator:
        return self.page.locator("#screen .verification")

    def check(self, name: str) -> str:
        """What the Verification panel says for one check (Signature, Chain, Receipt, Sender,
        Order): "OK", "Check" or "Failed", then the sentence."""
        dl = self.verification.locator("dl")
        row = dl.locator("dt", has_text=re.compile(f"^{name}$"))
        return row.locator("xpath=following-sibling::dd[1]").inner_text()

    def checks(self) -> dict[str, str]:
        names = ("Signature", "Chain", "Receipt", "Sender", "Order")
        return {name: self.check(name).split(" ", 1)[0] for name in names}

    def field_text(self, label: str) -> str:
        """The text of one field of the report (What happened, Where, …)."""
        row = self.page.locator("#screen dl.detail dt", has_text=re.compile(f"^{re.escape(label)}$"))
        return row.locator("xpath=following-sibling::dd[1]").inner_text()

    def attachment(self, name: str) -> Locator:
        return self.page.locator("#screen ul.picked li").filter(has_text=name)

    def show_image(self, name: str) -> Locator:
        """Taps Show on an image attachment; returns the <img> drawn from a blob: URL."""
        return self._show_image(self.attachment(name), "img")

    def download(self, name: str) -> Download:
        """Taps Download on a non-image attachment; returns Playwright's Download."""
        return self._download(self.attachment(name))

    def acknowledge(self) -> None:
        self.button("Acknowledge").click()
        expect(self.status).to_contain_text("Status saved: Acknowledged.")

    def set_status(self, label: str) -> None:
        self.field("Status").select_option(label=label)
        self.button("Save status").click()
        expect(self.status).to_contain_text(f"Status saved: {label}.")


class CheckIn(Screen):
    def open(self) -> None:
        self.nav("Check-in").click()
        expect(self.heading()).to_have_text("Check-in")

    def set(self, within: str, to: Sequence[str], text: str | None = None) -> None:
        """Sets a check-in: `within` is the option's label ("within 6 hours")."""
        self.field("Send the alert if I have not checked in").select_option(label=within)
        if text is not None:
            self.field("Alert message").fill(text)
        for name in to:
            self.page.locator("#screen").get_by_role("checkbox", name=re.compile(re.escape(name))).check()
        self.button("Set check-in").click()
        expect(self.status).to_contain_text("Check-in set.", timeout=SYNC)

    def timers(self) -> Locator:
        return self.page.get_by_role("list", name="Your check-ins").get_by_role("listitem")

    def check_in(self) -> None:
        self.timers().get_by_role("button", name="Check in", exact=True).first.click()
        expect(self.status).to_contain_text("Checked in.", timeout=SYNC)


class Duress(Screen):
    """The duress passphrase, in Settings (delegates with an account)."""

    def open(self) -> None:
        self.page.get_by_role("button", name="Settings", exact=True).click()
        expect(self.page.get_by_role("heading", name="Duress passphrase")).to_be_visible()

    def warnings(self) -> list[str]:
        return self.page.locator("#screen .duress .warnings li").all_inner_texts()

    def set(self, passphrase: str, to: Sequence[str], text: str | None = None) -> None:
        screen = self.page.locator("#screen")
        screen.get_by_role("textbox", name="Duress passphrase", exact=True).fill(passphrase)
        screen.get_by_role("textbox", name="Confirm duress passphrase", exact=True).fill(passphrase)
        if text is not None:
            self.page.locator("#screen .duress").get_by_label("Alert message", exact=True).fill(text)
        for name in to:
            self.page.locator("#screen .duress").get_by_role("checkbox", name=re.compile(re.escape(name))).check()
        self.button("Set duress passphrase").click()
        expect(self.page.get_by_text("A duress passphrase is set.")).to_be_visible(timeout=SYNC)

    def clear(self) -> None:
        self.button("Remove duress passphrase").click()
        expect(self.page.get_by_text("No duress passphrase is set.")).to_be_visible(timeout=SYNC)


class Statistics(Screen):
    def open(self) -> None:
        self.nav("Statistics").click()
        expect(self.heading()).to_have_text("Statistics")

    def charts(self) -> Locator:
        return self.page.locator("#screen svg[role=img]")

    def table(self, caption: str) -> dict[str, int]:
        """The numbers behind one chart, from its table: {label: count}."""
        table = self.page.locator("#screen table").filter(has=self.page.locator("caption", has_text=caption))
        rows = table.locator("tbody tr")
        return {rows.nth(i).locator("th").text_content() or "": int(rows.nth(i).locator("td").text_content() or 0)
                for i in range(rows.count())}

    def export_csv(self) -> str:
        with self.page.expect_download() as info:
            self.button("Export CSV").click()
        return Path(info.value.path()).read_text(encoding="utf-8")


class Person(Device):
    """One phone of a delegate, focal point or legal supporter, with the sharing screens."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.contacts = Contacts(page)
        self.share_screen = Share(page)
        self.shared_with = SharedWith(page)
        self.inbox = Inbox(page)
        self.report = Report(page)
        self.checkin = CheckIn(page)
        self.duress = Duress(page)
        self.statistics = Statistics(page)

    def nav_names(self) -> list[str]:
        """The places the sharing navigation offers this person's role."""
        return self.page.locator("#sharing-nav button:visible").all_inner_texts()

    def joins(self, invite_url: str, passphrase: str, username: str, display_name: str) -> str:
        """From the invite link to an account: vault, Emergency Kit, Create account. Returns
        the Secret Key shown."""
        self.open_invite(invite_url)
        secret = self.delegate_creates_vault_for_the_invite(passphrase)
        self.delegate_creates_account(username, display_name)
        return secret

    def share(self, title: str, with_: Sequence[str], anyway: bool = False,
              also: Sequence[str] = ()) -> None:
        """From the incident's detail: Share, choose recipients (and more incidents), Share report."""
        self.open_incident(title)
        self.button("Share").click()
        expect(self.screen_heading()).to_have_text("Share this report")
        self.share_screen.choose(with_)
        for other in also:
            self.share_screen.also(other).check()
        self.share_screen.share_report(anyway=anyway)
