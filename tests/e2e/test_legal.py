"""Legal supporters (issue 7) in Chromium at 360 px, as people use them: a delegate shares a
report with a photo and a statement, allowing legal use; her focal point refers it to a legal
supporter; the legal supporter reviews the case — custody log, files viewed from memory, every
integrity check in words — makes a blurred working copy of the photo without its location, and
exports the evidence bundle, which `safepassage verify` accepts, plain and encrypted. A report
the delegate did not allow for legal use is refused on the focal point's phone before anything
leaves it. The new screens by keyboard only, through axe in English and Arabic (right to left);
and a hostile case title, note and file name stay text, in the app and in the bundle's report."""
from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from playwright.sync_api import expect

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell
from tests.e2e.pages.legal_pages import LegalPerson, plain
from tests.e2e.test_accessibility import check_both_languages, names_reached_by_tab
from tests.e2e.test_sharing import joined, reads_right_to_left_in_arabic, tab_to
from tests.e2e.test_sharing_xss import INSPECT
from tests.support.pdf import shapes_pdf
from tests.e2e.xss_payloads import CLOBBERED_NAMES, XSS_PROBE, payloads

SAFEPASSAGE = ROOT / ".venv" / "bin" / "safepassage"
BUNDLE_PASSPHRASE = "seven quiet harbours under winter rain"

# A handful of payloads of tests/e2e/xss_payloads.py: a script, SVG and image handlers, mutation
# XSS and a javascript: link. The case title, a note and a file name carry them.
SCRIPT, SVG, NOSCRIPT, LINK = "<script>__xss(1)</script>", "<svg onload=__xss(300)>", \
    "<noscript><img src=x onerror=__xss(500)></noscript>", "<a href=\"javascript:__xss(409)\">tap</a>"
assert {SCRIPT, SVG, NOSCRIPT, LINK} <= set(payloads())
HOSTILE_TITLE = f"Harbour case {SCRIPT}{SVG}"
HOSTILE_NOTE = f"Called the lawyer {NOSCRIPT} {LINK}"
HOSTILE_FILE = "<img src=x onerror=__xss(800)>.txt"

# Where the photo says it was taken (EXIF GPS): 36°48'12.34" N, 10°10'56.78" E.
GPS_LATITUDE = struct.pack(">IIIIII", 36, 1, 48, 1, 1234, 100)
GPS_LONGITUDE = struct.pack(">IIIIII", 10, 1, 10, 1, 5678, 100)


def exif_gps_segment() -> bytes:
    """An APP1 "Exif" segment whose only content is a GPS position (big-endian TIFF):
    IFD0 with one GPSInfo pointer, then the GPS IFD (N/E references, two rational triples)."""
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, 26) + struct.pack(">I", 0)
    gps = (struct.pack(">H", 4)
           + struct.pack(">HHI", 1, 2, 2) + b"N\x00\x00\x00"
           + struct.pack(">HHII", 2, 5, 3, 80)
           + struct.pack(">HHI", 3, 2, 2) + b"E\x00\x00\x00"
           + struct.pack(">HHII", 4, 5, 3, 104)
           + struct.pack(">I", 0))
    assert len(tiff + ifd0) == 26 and len(tiff + ifd0 + gps) == 80
    payload = b"Exif\x00\x00" + tiff + ifd0 + gps + GPS_LATITUDE + GPS_LONGITUDE
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def photo_with_location(page) -> bytes:  # type: ignore[no-untyped-def]
    """A 160×120 JPEG (drawn by the browser's own encoder: sky, a yellow boat, dark water) with
    the GPS position above added as EXIF, as a phone camera writes it."""
    drawn = bytes(page.evaluate("""async () => {
        const canvas = new OffscreenCanvas(160, 120);
        const g = canvas.getContext('2d');
        g.fillStyle = '#4a90d9'; g.fillRect(0, 0, 160, 120);
        g.fillStyle = '#f2c230'; g.fillRect(40, 40, 60, 30);
        g.fillStyle = '#1b2a3a'; g.fillRect(0, 90, 160, 30);
        const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.92});
        return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }"""))
    assert drawn[:2] == b"\xff\xd8"
    return drawn[:2] + exif_gps_segment() + drawn[2:]


def statement_pdf() -> bytes:
    """A two-page PDF of filled shapes only (no fonts to fetch)."""
    return shapes_pdf([b"0.10 0.30 0.60 rg 40 500 300 200 re f 0.80 0.20 0.20 rg 60 300 200 120 re f",
                       b"0.20 0.60 0.20 rg 100 100 200 400 re f"], 400, 800)


def with_probe(phones) -> Callable:  # type: ignore[no-untyped-def,type-arg]
    """Phones whose pages record any payload that runs (tests/e2e/xss_payloads.py)."""
    def phone():  # type: ignore[no-untyped-def]
        opened = phones()
        opened.page.add_init_script(XSS_PROBE)
        return opened
    return phone


def legal_person(phones, issue_invite, role: str, name: str) -> LegalPerson:  # type: ignore[no-untyped-def]
    return LegalPerson(joined(phones, issue_invite, role, name).page)


def in_language(page, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    AppShell(page).choose_language(name)
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)


def fits_the_phone(page, screen: str) -> None:  # type: ignore[no-untyped-def]
    """Nothing on the screen is wider than the 360 px phone, in Arabic (where anything too wide
    spills off the left) and in English."""
    for name, lang in (("العربية", "ar"), ("English", "en")):
        in_language(page, name, lang)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, (screen, lang, width)


def directions_in_arabic(lines) -> list[str]:  # type: ignore[no-untyped-def]
    """The computed direction of each of `lines` (a locator) with the app in Arabic; then back to
    English. A sentence of the interface is right to left there, whatever name it starts with."""
    page = lines.page
    in_language(page, "العربية", "ar")
    expect(lines.first).to_be_visible()
    directions = lines.evaluate_all("(nodes) => nodes.map((n) => getComputedStyle(n).direction)")
    in_language(page, "English", "en")
    return directions


def canvas_ink(canvas) -> int:  # type: ignore[no-untyped-def]
    """How many pixels of a canvas are not (near) white."""
    return canvas.evaluate("""(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n += 1;
        return n;
    }""")


class ReportHtml(HTMLParser):
    """Every element and attribute of the bundle's report.html, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def verify(bundle: Path, passphrase_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`safepassage verify` as a lawyer runs it on her own computer (no server, no network)."""
    args = [str(SAFEPASSAGE), "verify", str(bundle)]
    if passphrase_file:
        args += ["--passphrase-file", str(passphrase_file)]
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)


def test_a_report_referred_with_consent_is_reviewed_checked_and_exported_as_verifiable_evidence(  # type: ignore[no-untyped-def]
        issue_invite, phones, tmp_path: Path) -> None:
    # Given a legal supporter, Lina; a focal point, Amal; and a delegate, Layla, each enrolled
    lina = legal_person(with_probe(phones), issue_invite, "legal", "Lina Saleh")
    amal = legal_person(phones, issue_invite, "focal-point", "Amal Haddad")
    layla = legal_person(phones, issue_invite, "delegate", "Layla")
    assert layla.nav_names() == ["Contacts", "Check-in"]
    assert lina.nav_names() == ["Contacts", "Inbox", "Cases", "Statistics"]

    # Layla verified Amal in person; Amal verified Lina
    layla.contacts.verify_in_person("Amal Haddad")
    amal.contacts.verify_in_person("Lina Saleh")

    # When Layla logs an incident with a photo that carries its location, her statement, and a
    # file with a hostile name, allows legal use, and shares it with Amal
    title = "Boat turned back at the harbour"
    photo = photo_with_location(layla.page)
    assert GPS_LATITUDE in photo
    statement = statement_pdf()
    layla.delegate_logs_incident_for_legal_use(title, "The coast guard took our phones.", files=[
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": statement},
        {"name": HOSTILE_FILE, "mimeType": "text/plain", "buffer": b"names of the crew"},
    ], statistics=True, where="Arrivals hall, Terminal 2, Queen Alia International Airport")
    layla.share(title, ["Amal Haddad"])
    assert "Everything is on the server." in layla.sync_now()
    # (and corrects it: the new version follows the share)
    layla.open_incident(title)
    layla.edit_open_incident(what="The coast guard took our phones and the boat's papers.")
    assert "Everything is on the server." in layla.sync_now()

    # And Amal, after her sync, counts it in her Statistics (Layla allowed that too): a chart per
    # dimension, their tables kept for screen readers without widening the page
    amal.sync_now()
    amal.statistics.open()
    expect(amal.statistics.charts()).to_have_count(3)
    assert amal.statistics.table("Bar chart: reports by type of incident") == {"Device search": 1}
    fits_the_phone(amal.page, "statistics")

    # And refers it to Lina under a (hostile) case title
    amal.opens_received_report(title)
    amal.refer.open_from_report()
    expect(amal.refer.consent_note()).to_be_hidden()
    amal.refer.refer(["Lina Saleh"], HOSTILE_TITLE)
    expect(amal.case.heading()).to_have_text(HOSTILE_TITLE)
    amal.sync_now()

    # Then Lina, after her sync, has one case: its title as text, one report, referred by Amal
    lina.sync_now()
    lina.contacts.verify_in_person("Layla")  # (they met too)
    lina.cases.open()
    expect(lina.cases.entries()).to_have_count(1)
    assert lina.cases.titles() == [HOSTILE_TITLE]
    entry = lina.cases.entry_text("Harbour case")
    assert "1 report · Last event:" in entry and "Referred by Amal Haddad" in entry
    assert entry.endswith("✓OK\nCustody log complete"), entry
    case = lina.cases.open_case("Harbour case")
    expect(case.heading()).to_have_text(HOSTILE_TITLE)
    expect(lina.page.locator("#screen .case-log-verdict")).to_contain_text("The custody log is complete")
    events = case.events()
    assert [e.check for e in events][:2] == ["Shared by the delegate", "Referred to a legal supporter"], events
    assert {e.state for e in events} == {"OK"}, events

    # When she opens the report: the files are not checked until she opens them
    opened = case.open_report(title)
    # (and the custody log says at once that she opened it, with the focus still on the report)
    expect(case.log.get_by_role("listitem").filter(has_text="Report opened")).to_have_count(1)
    expect(opened.get_by_role("button", name="Hide report", exact=True)).to_be_focused()
    history = case.report(title).get_by_role("list", name="Version history").get_by_role("listitem")
    expect(history).to_have_count(2)
    expect(history.first.locator("summary")).to_contain_text("Version 1")
    first = case.verdicts(title)
    checks = ["Signature", "Chain", "File", "File", "File", "Receipt", "Custody", "Consent"]
    assert [v.check for v in first] == checks, first
    assert {v.state for v in first if v.check == "File"} == {"Not checked yet"}

    # She looks at the photo and the statement (drawn on a canvas, page by page) and saves the
    # third file
    image = case.show_image(title, "harbour.jpg")
    assert (image.get_attribute("src") or "").startswith("blob:")
    lina.page.wait_for_function("(img) => img.complete && img.naturalWidth === 160", arg=image.element_handle())
    canvas = case.show_pdf(title, "statement.pdf")
    assert canvas_ink(canvas) > 1000
    case.next_page(title, "statement.pdf")
    assert canvas_ink(canvas) > 1000
    saved = case.download(title, HOSTILE_FILE)
    assert Path(saved.path()).read_bytes() == b"names of the crew"
    assert "<" not in saved.suggested_filename and ">" not in saved.suggested_filename

    # Then every integrity check of the report passes, said in words — of both its versions
    history.first.locator("summary").click()
    expect(case.integrity(title)).to_have_count(2)
    expect(case.integrity(title).last.locator(".integrity-line[data-check=signature] .verdict")).to_have_text("✓OK")
    expect(case.integrity(title).first.locator(".verdict-unchecked")).to_have_count(0)
    verdicts = case.verdicts(title)
    assert {v.state for v in verdicts} == {"OK"}, verdicts
    by_check = {v.check: v.text for v in verdicts}
    assert by_check["Signature"].startswith("Signed by Layla")
    assert by_check["Consent"].startswith("The delegate gave signed consent to legal or advocacy use")
    photo_sha = hashlib.sha256(photo).hexdigest()
    assert f"harbour.jpg: the file is exactly the one sealed with the report (SHA-256 {photo_sha[:16]}…)." in \
        [v.text for v in verdicts]

    # When she makes a working copy of the photo, blurring the boat (dragged) and a corner (typed)
    copy = case.make_working_copy(title, "harbour.jpg")
    copy.drag((0.25, 0.33), (0.62, 0.58))
    copy.add_area(0, 0, 20, 10)
    copy.add_area(150, 110, 10, 10)
    assert len(copy.areas()) == 3
    copy.remove(2)
    assert copy.areas()[1] == "Area 2: x 0, y 0, 20 × 10 pixels"
    case = copy.save()
    case.open_report(title)
    # Then it is listed under the original, which is unchanged
    link = case.working_copies(title, "harbour.jpg")
    expect(link).to_have_count(1)
    assert plain(link.inner_text()) == f"Working copy of harbour.jpg (original unchanged, SHA-256 {photo_sha[:16]}…)"
    link.click()
    expect(case.file(title, "harbour.jpg").locator(".working-copy img")).to_have_count(1)

    # And a (hostile) note is kept as text
    case.add_note(HOSTILE_NOTE)
    assert case.notes() == [HOSTILE_NOTE]
    expect(case.log.get_by_role("listitem").filter(has_text="Working copy made")).to_have_count(1)

    # When she exports the bundle, and then the encrypted one for transport
    export = case.export()
    zipped = export.export()
    zip_path = tmp_path / zipped.suggested_filename
    zipped.save_as(zip_path)
    assert zip_path.suffix == ".zip"
    assert export.how_to_verify() == f"safepassage verify {zipped.suggested_filename}"
    sealed = export.export(BUNDLE_PASSPHRASE)
    # (the verifier's option is one left-to-right word, never broken after its "--")
    expect(lina.page.locator("#screen .export-result code[dir=ltr]")).to_have_text("--passphrase-file")
    sealed_path = tmp_path / sealed.suggested_filename
    sealed.save_as(sealed_path)
    assert sealed_path.suffix == ".sp1sealed"
    assert zipfile.is_zipfile(zip_path) and not zipfile.is_zipfile(sealed_path)

    # Then the bundle holds the photo with its location and the working copy without it
    with zipfile.ZipFile(zip_path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        files = {a["name"]: bundle.read(a["original"]) for a in manifest["attachments"]}
        report_html = bundle.read("report.html").decode()
    assert files["harbour.jpg"] == photo
    copies = [data for name, data in files.items() if name != "harbour.jpg" and data[:2] == b"\xff\xd8"]
    assert len(copies) == 1 and b"Exif" not in copies[0] and GPS_LATITUDE not in copies[0]

    # And the hostile title, note and file name are text in its report.html, never markup
    parsed = ReportHtml()
    parsed.feed(report_html)
    assert not {"script", "iframe", "object", "embed", "svg", "math", "noscript", "img", "a", "base",
                "form", "link", "template"} & set(parsed.tags), parsed.tags
    assert not [a for a in parsed.attrs if a[1].startswith("on") or "javascript:" in a[2]], parsed.attrs
    assert parsed.tags.count("meta") <= 3 and parsed.tags.count("style") <= 1
    text = "".join(parsed.text)
    assert HOSTILE_TITLE in text and HOSTILE_NOTE in text and HOSTILE_FILE in text

    # And in the app nothing ran, nothing was parsed into the page
    for screen in (lambda: lina.cases.open(), lambda: lina.cases.open_case("Harbour case").open_report(title)):
        screen()
        found = lina.page.evaluate(INSPECT, CLOBBERED_NAMES)
        assert found["found"] == [] and found["clobbered"] == [] and found["hits"] == [], found
        assert HOSTILE_TITLE in found["text"]

    # And `safepassage verify` accepts both bundles, offline
    assert SAFEPASSAGE.exists(), "the verifier is not installed: run `make setup`"
    result = verify(zip_path)
    assert result.returncode == 0, result.stdout + result.stderr
    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text(BUNDLE_PASSPHRASE + "\n")
    result = verify(sealed_path, passphrase_file)
    assert result.returncode == 0, result.stdout + result.stderr
    for phone in phones.opened:
        phone.guard.assert_clean()  # no CSP violation, page error or console error throughout


def test_a_report_without_consent_is_refused_on_the_phone_and_the_legal_screens_work_by_keyboard(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    lina = legal_person(phones, issue_invite, "legal", "Lina Saleh")
    amal = legal_person(phones, issue_invite, "focal-point", "Amal Haddad")
    layla = legal_person(phones, issue_invite, "delegate", "Layla")
    layla.contacts.verify_in_person("Amal Haddad")
    amal.contacts.verify_in_person("Lina Saleh")

    # Given Layla shared a report with Amal without allowing legal use
    private = "Questioned about my NGO"
    layla.delegate_logs_incident_for_legal_use(private, "Two hours, about our funding.", legal=False)
    layla.share(private, ["Amal Haddad"])
    layla.sync_now()
    amal.sync_now()

    # When Amal opens it, "Refer to legal supporter" is there and the screen says why it cannot be
    amal.opens_received_report(private)
    page = amal.page
    tab_to(page, "Refer to legal supporter")
    page.keyboard.press("Enter")
    expect(amal.refer.heading()).to_be_focused()
    expect(amal.refer.consent_note()).to_contain_text("The delegate did not consent to legal referral of this report.")
    check_both_languages(page, "refer, without consent")
    reached = names_reached_by_tab(page)
    assert {"Case title (optional)", "Refer report", "Back to the report"} <= set(reached), reached

    # And when she tries anyway, an alert says so and no request leaves the phone
    traffic = next(phone.traffic for phone in phones.opened if phone.page is page)
    before = len(traffic.requests)
    said = amal.refer.refused(["Lina Saleh"])
    assert "did not consent to legal referral" in said
    expect(amal.refer.alert).to_have_attribute("role", "alert")
    page.wait_for_timeout(300)  # anything the attempt queued would have left by now
    assert traffic.urls()[before:] == []
    check_both_languages(page, "refer, refused")

    # Then after Amal's next sync, Lina has no case
    amal.sync_now()
    lina.sync_now()
    lina.cases.open()
    expect(lina.cases.entries()).to_have_count(0)
    expect(lina.cases.status).to_have_text("No cases yet. A referral arrives with your next \"Sync now\".")
    check_both_languages(lina.page, "cases, none")

    # Given a report Layla allows for legal use, with a photo, referred by keyboard only
    allowed = "Phone copied at the border"
    photo = photo_with_location(layla.page)
    layla.delegate_logs_incident_for_legal_use(allowed, "They copied my phone.", files=[
        {"name": "border.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    layla.share(allowed, ["Amal Haddad"])
    layla.sync_now()
    amal.sync_now()
    amal.opens_received_report(allowed)
    amal.refer.open_from_report()
    expect(amal.refer.consent_note()).to_be_hidden()
    check_both_languages(page, "refer")
    reads_right_to_left_in_arabic(page)
    fits_the_phone(page, "refer")
    # ("Layla · <date>" under the other report reads right to left in Arabic, as the role under a
    # name does: the Latin name does not turn the line around)
    also = page.locator("#screen fieldset:has(input[name=also]) .incident-meta")
    assert directions_in_arabic(also) == ["rtl"], "refer, also"
    assert set(directions_in_arabic(page.locator("#screen .choices .contact-name"))) == {"rtl"}, "refer, names"
    tab_to(page, "Lina Saleh" + "Legal supporter · Verified")
    page.keyboard.press("Space")
    expect(amal.refer.supporter("Lina Saleh")).to_be_checked()
    tab_to(page, "Case title (optional)")
    page.keyboard.type("Border case")
    tab_to(page, "Refer report")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Referred. It will be sent at the next Sync now.")).to_be_visible()
    expect(amal.case.heading()).to_have_text("Border case")
    check_both_languages(page, "case of the focal point, before sync")
    amal.sync_now()

    # When Lina reaches Cases and the case by keyboard
    lina.sync_now()
    page = lina.page
    lina.cases.nav("Cases").focus()
    page.keyboard.press("Enter")
    expect(lina.cases.heading()).to_be_focused()
    expect(lina.cases.entries()).to_have_count(1)
    check_both_languages(page, "cases")
    reads_right_to_left_in_arabic(page)
    fits_the_phone(page, "cases")
    lina.cases.entries().get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(lina.case.heading()).to_be_focused()
    expect(lina.case.heading()).to_have_text("Border case")
    reached = names_reached_by_tab(page)
    assert {"Export evidence bundle", "Open report", "Note", "Add note", "Back to cases"} <= set(reached), reached
    check_both_languages(page, "case")
    tab_to(page, "Open report")
    page.keyboard.press("Enter")
    expect(lina.case.integrity(allowed).first).to_be_visible()
    lina.case.verdicts(allowed)
    tab_to(page, "Show")
    page.keyboard.press("Enter")
    expect(lina.case.file(allowed, "border.jpg").locator(".preview > img")).to_have_count(1)
    check_both_languages(page, "case, report open, photo shown")
    reads_right_to_left_in_arabic(page)
    fits_the_phone(page, "case, report open, photo shown")
    # In Arabic every integrity sentence is right to left, the one that starts with the file's
    # Latin name ("border.jpg: …") and the custody lines that start with an event too
    file_line = page.locator("#screen .integrity-line[data-check=attachment] .integrity-text")
    assert directions_in_arabic(file_line) == ["rtl"], "integrity, file"
    sentences = page.locator("#screen .integrity-text, #screen .custody-lines li, #screen .timeline-event p.incident-meta")
    assert set(directions_in_arabic(sentences)) == {"rtl"}, "integrity and custody log"

    # The working copy, with an area typed in and removed by keyboard
    tab_to(page, "Make working copy")
    page.keyboard.press("Enter")
    expect(lina.working_copy.heading()).to_be_focused()
    expect(lina.working_copy.button("Save working copy")).to_be_enabled()
    tab_to(page, "X (pixels from the left)")
    for value in ("10", "20", "40", "30"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on "Add area"
    assert lina.working_copy.areas() == ["Area 1: x 10, y 20, 40 × 30 pixels"]
    expect(lina.working_copy.status).to_contain_text("Added: Area 1")
    lina.working_copy.add_area(150, 0, 20, 20)
    expect(lina.working_copy.alert).to_contain_text(
        "This area is not inside the picture. The picture is 160 × 120 pixels")
    check_both_languages(page, "working copy")
    reads_right_to_left_in_arabic(page)
    fits_the_phone(page, "working copy")
    # The four fields sit two by two, each row's inputs on one line though a label wraps
    tops = [round(lina.working_copy.field(label).bounding_box()["y"]) for label in  # type: ignore[index]
            ("X (pixels from the left)", "Y (pixels from the top)", "Width (pixels)", "Height (pixels)")]
    assert tops[0] == tops[1] and tops[2] == tops[3], tops
    reached = names_reached_by_tab(page)
    assert {"Width (pixels)", "Height (pixels)", "Add area", "Remove", "Save working copy"} <= set(reached), reached
    tab_to(page, "Save working copy")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Working copy saved.")).to_be_visible()

    # Export, by keyboard: the passphrase fields follow "Encrypt for transport"
    tab_to(page, "Export evidence bundle")
    page.keyboard.press("Enter")
    expect(lina.export.heading()).to_be_focused()
    reached = names_reached_by_tab(page)
    assert {"Encrypt for transport", "Bundle passphrase", "Confirm bundle passphrase",
            "Export evidence bundle"} <= set(reached), reached
    lina.export.field("Bundle passphrase").fill("too short")
    tab_to(page, "Export evidence bundle")
    page.keyboard.press("Enter")
    expect(lina.export.alert).to_contain_text("This passphrase is too short.")
    check_both_languages(page, "export, passphrase too short")
    tab_to(page, "Encrypt for transport")
    page.keyboard.press("Space")
    expect(lina.export.field("Bundle passphrase")).to_be_hidden()
    with page.expect_download():
        tab_to(page, "Export evidence bundle")
        page.keyboard.press("Enter")
    expect(page.get_by_text("The evidence bundle is ready.")).to_be_visible()
    check_both_languages(page, "export, done")
    reads_right_to_left_in_arabic(page)
    fits_the_phone(page, "export, done")


def test_every_key_the_legal_screens_name_is_in_both_catalogs() -> None:
    """Keys kept in tables (verdicts, events, reasons, checks) are not found by
    test_language.py's patterns: every quoted key of the legal screens must exist in English and
    Arabic, including every plural form of their counts."""
    import re

    catalogs = [json.loads((ROOT / "pwa" / "i18n" / f"{lang}.json").read_text()) for lang in ("en", "ar")]
    screens = ["legal-text", "integrity", "pdf-view", "case", "case-files", "cases", "refer", "working-copy",
               "export"]
    named: set[str] = set()
    for name in screens:
        source = (ROOT / "pwa" / "js" / "ui" / f"{name}.js").read_text()
        named |= set(re.findall(r'"((?:cases?|refer|integrity|working|export|count)\.[a-z][\w.-]*)"', source))
    assert len(named) > 150
    for key in sorted(named):
        plural = key.startswith("count.")
        forms = [f"{key}.{f}" for f in ("zero", "one", "two", "few", "many", "other")] if plural else [key]
        for catalog in catalogs:
            assert all(form in catalog for form in forms), key
