"""Page objects: legal supporters and referral (issue 7) as focal points and legal supporters meet
them — "Refer to legal supporter" from a received report, "Cases", one case with its custody log,
reports, files and "Integrity" regions, "Make working copy", and "Export evidence bundle".
Everything is found by its accessible name, as a screen reader user would find it.

`LegalPerson` is a `Person` (tests/e2e/pages/sharing_pages.py) with these screens added as
`person.cases`, `person.case`, `person.refer`, `person.working_copy` and `person.export`."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from playwright.sync_api import Download, Locator, Page, expect

from tests.e2e.pages.account_pages import SYNC
from tests.e2e.pages.sharing_pages import ListScreen, NotesScreen, Person, RecipientScreen, Screen
from tests.e2e.pages.vault_pages import SLOW

REFERRED = "Referred. It will be sent at the next Sync now."
# Names, titles and file names inside the app's sentences are wrapped in bidi isolates (U+2066 to
# U+2069) so that they keep their own direction; a person reading the screen does not see them.
ISOLATES = dict.fromkeys(range(0x2066, 0x206A))


def plain(text: str) -> str:
    """Text as a person reads it: without the invisible direction isolates."""
    return text.translate(ISOLATES)


@dataclass(frozen=True)
class Verdict:
    """One line of an "Integrity" region or of the custody log: what was checked, the verdict
    word ("OK", "Warning", "Failed", "Not checked yet") and the sentence."""

    check: str
    state: str
    text: str


def _verdicts(lines: Locator, label: str) -> list[Verdict]:
    return [Verdict(check=line.locator(label).inner_text().strip(),
                    state=line.locator(".tag.verdict [data-i18n]").inner_text().strip(),
                    text=plain(line.locator("p").first.inner_text().strip()))
            for line in lines.all()]


class Refer(RecipientScreen):
    """"Refer to a legal supporter", from a received report."""

    SEND = "Refer report"
    ANYWAY = "Refer anyway"

    def open_from_report(self) -> None:
        self.button("Refer to legal supporter").click()
        expect(self.heading()).to_have_text("Refer to a legal supporter")
        expect(self.button("Refer report")).to_be_visible()

    def consent_note(self) -> Locator:
        return self.page.locator("#screen .refer-consent")

    def supporter(self, name: str) -> Locator:
        return self.recipient(name)

    def refer(self, to: Sequence[str], case_title: str = "", anyway: bool = False) -> None:
        """Chooses the legal supporters, types the case title and taps "Refer report" (and
        "Refer anyway" when `anyway`); the case screen opens and says the referral leaves with
        the next sync."""
        self.choose(to)
        self.field("Case title (optional)").fill(case_title)
        self.send(anyway)
        expect(self.page.get_by_text(REFERRED)).to_be_visible(timeout=SLOW)

    def refused(self, to: Sequence[str]) -> str:
        """Taps "Refer report" for a report the delegate did not allow; returns the alert."""
        self.choose(to)
        self.send()
        expect(self.alert).to_contain_text("Not referred")
        return self.alert.inner_text()


class Cases(ListScreen):
    NAME = "Cases"

    def open(self) -> None:
        """Opens Cases and waits for the screen to say how many it holds, or why it cannot."""
        super().open()
        expect(self.status.or_(self.alert).first).to_be_visible()

    def entry_text(self, title: str) -> str:
        return plain(self.entry(title).inner_text())

    def open_case(self, title: str) -> Case:
        case = Case(self.page)
        self._open_entry(title, case.log)
        return case


class Case(NotesScreen):
    """One case: custody log, reports with files and "Integrity" regions, notes."""

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("list", name="Custody log")

    def log_verdict(self) -> str:
        return self.page.locator("#screen .case-log-verdict").inner_text()

    def events(self) -> list[Verdict]:
        """The custody log, in order: event (in words), its verdict, who and when."""
        return _verdicts(self.log.get_by_role("listitem"), ".timeline-what")

    def report(self, title: str) -> Locator:
        return self.page.locator("#screen li.case-report").filter(
            has=self.page.get_by_role("heading", name=title, exact=True))

    def open_report(self, title: str) -> Locator:
        """Taps "Open report" (the first opening is a custody event); returns the report."""
        report = self.report(title)
        report.get_by_role("button", name="Open report", exact=True).click()
        expect(report.get_by_role("button", name="Hide report", exact=True)).to_be_visible(timeout=SYNC)
        expect(self.integrity(title).first).to_be_visible()
        return report

    def integrity(self, title: str) -> Locator:
        """The "Integrity" regions shown in a report (its current version, then any older one
        opened in the version history)."""
        return self.report(title).get_by_role("region", name="Integrity")

    def verdicts(self, title: str) -> list[Verdict]:
        """The lines of the report's first "Integrity" region, once its checks are in."""
        region = self.integrity(title).first
        expect(region.locator(".integrity-line[data-check]").first).to_be_visible(timeout=SYNC)
        return _verdicts(region.locator(".integrity-line[data-check]"), ".integrity-check")

    def file(self, report: str, name: str) -> Locator:
        return self.report(report).locator("li.case-file").filter(has_text=name)

    def show_image(self, report: str, name: str) -> Locator:
        return self._show_image(self.file(report, name), ".preview > img")

    def show_pdf(self, report: str, name: str) -> Locator:
        """Taps Show on a PDF; returns its canvas once the first page is drawn."""
        file = self.file(report, name)
        file.get_by_role("button", name="Show", exact=True).click()
        expect(file.locator(".pdf-where")).to_have_text(re.compile(r"^Page 1 of \d+$"), timeout=SYNC)
        return file.locator("canvas.pdf-page")

    def next_page(self, report: str, name: str) -> None:
        file = self.file(report, name)
        file.get_by_role("button", name="Next page", exact=True).click()
        expect(file.locator(".pdf-where")).to_have_text(re.compile(r"^Page 2 of \d+$"), timeout=SYNC)

    def download(self, report: str, name: str) -> Download:
        return self._download(self.file(report, name))

    def make_working_copy(self, report: str, name: str) -> WorkingCopy:
        self.file(report, name).get_by_role("button", name="Make working copy", exact=True).click()
        copy = WorkingCopy(self.page)
        expect(copy.heading()).to_have_text("Working copy")
        expect(copy.button("Save working copy")).to_be_enabled(timeout=SYNC)
        return copy

    def working_copies(self, report: str, name: str) -> Locator:
        """The "Working copy of <name> (original unchanged, SHA-256 …)" entries under a file."""
        return self.file(report, name).get_by_role("button", name=re.compile(r"^Working copy of "))

    def export(self) -> Export:
        self.button("Export evidence bundle").click()
        export = Export(self.page)
        expect(export.heading()).to_have_text("Export evidence bundle")
        return export


class WorkingCopy(Screen):
    """"Make working copy": areas to blur, by dragging on the picture or by typing them."""

    @property
    def canvas(self) -> Locator:
        return self.page.locator("#screen canvas.working-canvas")

    def drag(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Drags on the picture from one point to another (fractions of its width and height)."""
        self.canvas.scroll_into_view_if_needed()
        box = self.canvas.bounding_box()
        assert box
        mouse = self.page.mouse
        mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
        mouse.down()
        mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"], steps=5)
        mouse.up()
        expect(self.status.filter(has_text="Added: Area")).to_be_visible()

    def add_area(self, x: int, y: int, width: int, height: int) -> None:
        self.field("X (pixels from the left)").fill(str(x))
        self.field("Y (pixels from the top)").fill(str(y))
        self.field("Width (pixels)").fill(str(width))
        self.field("Height (pixels)").fill(str(height))
        self.button("Add area").click()

    def areas(self) -> list[str]:
        areas = self.page.get_by_role("list", name="Areas to blur").get_by_role("listitem")
        return areas.locator("span").all_inner_texts()

    def remove(self, index: int) -> None:
        self.page.get_by_role("list", name="Areas to blur").get_by_role("button", name="Remove").nth(index).click()

    def save(self) -> Case:
        self.button("Save working copy").click()
        expect(self.page.get_by_text("Working copy saved.")).to_be_visible(timeout=SYNC)
        return Case(self.page)


class Export(Screen):
    """"Export evidence bundle" of a case."""

    def export(self, passphrase: str | None = None) -> Download:
        """Exports the bundle (encrypted for transport when a passphrase is given); returns the
        download the page starts through its <a download>."""
        self.field("Encrypt for transport").set_checked(passphrase is not None)
        if passphrase is not None:
            self.field("Bundle passphrase").fill(passphrase)
            self.field("Confirm bundle passphrase").fill(passphrase)
        with self.page.expect_download(timeout=SYNC) as info:
            self.button("Export evidence bundle").click()
        expect(self.page.get_by_text("The evidence bundle is ready.")).to_be_visible()
        return info.value

    def how_to_verify(self) -> str:
        return self.page.locator("#screen pre.command").inner_text()


class LegalPerson(Person):
    """A phone of a focal point or legal supporter (or a delegate) with the legal screens."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.refer = Refer(page)
        self.cases = Cases(page)
        self.case = Case(page)
        self.working_copy = WorkingCopy(page)
        self.export = Export(page)

    def delegate_logs_incident_for_legal_use(self, title: str, what: str, files: Sequence[dict] = (),
                                             legal: bool = True, statistics: bool = False,
                                             where: str | None = None) -> None:
        """Logs an incident, ticking "support legal or advocacy action" when `legal` (and "count
        it in anonymous statistics" when `statistics`)."""
        self.open_new_incident()
        self.fill_incident(title=title, type_label="Device search", what=what, where=where, files=files)
        self.field("support legal or advocacy action").set_checked(legal)
        self.field("count it in anonymous statistics").set_checked(statistics)
        self.save_incident()

    def opens_received_report(self, title: str) -> None:
        self.inbox.open()
        self.inbox.open_report(title)

    def refers(self, title: str, to: Sequence[str], case_title: str = "") -> Case:
        """A focal point, from her Inbox: the report, "Refer to legal supporter", Refer report."""
        self.opens_received_report(title)
        self.refer.open_from_report()
        self.refer.refer(to, case_title)
        return self.case
