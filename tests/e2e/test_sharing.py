"""Sharing, the inbox and answers (issue 6) in Chromium at 360 px, as people use them: a
delegate verifies a focal point in person, shares a report with a photo, the focal point
receives it with every check passed, acknowledges it and moves it on, and the delegate sees
the answer; another focal point sees nothing. Then the same screens by keyboard only, through
axe in English and Arabic (right to left), and a safety number scanned with the camera."""
from __future__ import annotations

import re
import secrets
import struct
import zlib

from playwright.sync_api import expect

from tests.e2e.pages.app_shell import AppShell
from tests.e2e.pages.sharing_pages import Person
from tests.e2e.test_accessibility import check_both_languages, names_reached_by_tab

PASSPHRASE = "river lamp orange school at dawn"


def png(width: int = 8, height: int = 8) -> bytes:
    """A small red PNG: a real image the report view can show."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xd0\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PHOTO = {"name": "passport-page.png", "mimeType": "image/png", "buffer": png()}


def person(phones) -> Person:  # type: ignore[no-untyped-def]
    return Person(phones().page)


def joined(phones, issue_invite, role: str, display_name: str) -> Person:  # type: ignore[no-untyped-def]
    """A person who opened an invite for `role` and created an account; focal points and legal
    supporters sync once and publish the signed card delegates will choose them by."""
    someone = person(phones)
    someone.joins(issue_invite(role).url, PASSPHRASE, f"user.{secrets.token_hex(4)}", display_name)
    if role != "delegate":
        # Enrolment put her signed card in the directory; the form below re-publishes it
        expect(someone.page.get_by_text("your name is in the directory")).to_be_visible()
        assert "Everything is on the server." in someone.sync_now()
        someone.contacts.open()
        someone.contacts.publish_card(display_name)
    return someone


def test_a_report_shared_with_a_verified_focal_point_is_received_checked_and_answered(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    # Given two focal points, Amal and Bushra, and a delegate, Layla, each enrolled from an invite
    amal = joined(phones, issue_invite, "focal-point", "Amal Haddad")
    bushra = joined(phones, issue_invite, "focal-point", "Bushra Nasser")
    layla = joined(phones, issue_invite, "delegate", "Layla")
    # Each sees the places of their role
    assert layla.nav_names() == ["Contacts", "Check-in"]
    assert amal.nav_names() == ["Contacts", "Inbox", "Cases", "Statistics"]

    # When Layla meets Amal, compares their safety number and marks her verified
    layla.contacts.open()
    layla.contacts.update()
    assert {"Amal Haddad", "Bushra Nasser"} <= set(layla.contacts.names())
    assert layla.contacts.state_of("Amal Haddad") == "Not verified"
    layla.contacts.open_verify("Amal Haddad")
    layla_sees = layla.contacts.safety_number()
    layla.contacts.mark_as_verified()
    assert layla.contacts.state_of("Amal Haddad") == "Verified"

    # And logs an incident with a photo and shares it with Amal
    title = "Phone searched at the airport"
    layla.delegate_logs_incident(title, "Device search", "They copied my contacts.", files=[PHOTO],
                                 Where="Terminal 2")
    layla.share(title, ["Amal Haddad"])
    shared = layla.shared_with.entry("Amal Haddad")
    expect(shared).to_contain_text("Waiting to be sent")
    expect(layla.page.locator("#screen .shared-with .hint")).to_contain_text(
        "A copy they already opened cannot be recalled.")
    assert "Everything is on the server." in layla.sync_now()

    # Then Amal, after her next sync, finds it in her Inbox
    amal.sync_now()
    # (she verified Layla at the same meeting: the same 60 digits on her phone)
    amal.contacts.open()
    amal.contacts.open_verify("Layla")
    assert amal.contacts.safety_number() == layla_sees
    amal.contacts.mark_as_verified()
    amal.inbox.open()
    expect(amal.inbox.entries()).to_have_count(1)
    entry = amal.inbox.entry(title)
    expect(entry).to_contain_text("Layla")
    expect(entry).to_contain_text("All checks passed")
    expect(entry).to_contain_text("New")
    report = amal.inbox.open_report(title)
    # With every check passed, the text as Layla wrote it and her photo
    assert report.checks() == {"Signature": "OK", "Chain": "OK", "Receipt": "OK", "Sender": "OK", "Order": "OK"}
    assert report.field_text("What happened") == "They copied my contacts."
    assert report.field_text("Where") == "Terminal 2"
    image = report.show_image("passport-page.png")
    assert (image.get_attribute("src") or "").startswith("blob:")
    amal.page.wait_for_function("(img) => img.complete && img.naturalWidth === 8", arg=image.element_handle())

    # When Amal acknowledges it and syncs
    report.acknowledge()
    amal.sync_now()
    # Then Layla, after her sync, reads the answer under "Shared with"
    layla.sync_now()
    layla.open_incident(title)
    expect(layla.shared_with.entry("Amal Haddad")).to_contain_text("Shared")
    expect(layla.shared_with.entry("Amal Haddad").locator(".answer")).to_have_text(
        re.compile(r"^Received by Amal Haddad on .+; status: Acknowledged$"))

    # And when Amal moves it on, Layla sees the new status
    amal.inbox.open()
    amal.inbox.open_report(title).set_status("In progress")
    amal.sync_now()
    layla.sync_now()
    layla.open_incident(title)
    expect(layla.shared_with.entry("Amal Haddad").locator(".answer")).to_contain_text("status: In progress")

    # But Bushra, who was not chosen, receives nothing
    bushra.sync_now()
    bushra.inbox.open()
    expect(bushra.inbox.entries()).to_have_count(0)
    expect(bushra.page.get_by_text("No reports yet.")).to_be_visible()


def tab_to(page, name: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Presses Tab until the control named `name` has the focus (as names_reached_by_tab names
    them), starting from the screen's heading; fails if it is never reached."""
    page.locator("#screen h2").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement;
            const label = el && el.labels && el.labels.length ? el.labels[0].textContent : '';
            return el ? (el.getAttribute('aria-label') || label || el.textContent || '').trim() : '';
        }""")
        if focused == name:
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


def reads_right_to_left_in_arabic(page) -> None:  # type: ignore[no-untyped-def]
    """In Arabic the page and the screen lay out right to left; then back to English."""
    AppShell(page).choose_language("العربية")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#screen > section')).direction") == "rtl"
    AppShell(page).choose_language("English")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_sharing_screens_work_by_keyboard_and_pass_axe_in_english_and_arabic(issue_invite, phones) -> None:  # type: ignore[no-untyped-def]
    amal = joined(phones, issue_invite, "focal-point", "Amal Haddad")
    layla = joined(phones, issue_invite, "delegate", "Layla")
    page = layla.page

    # Contacts, by keyboard only: from the session bar to "Mark as verified"
    layla.contacts.nav("Contacts").focus()
    page.keyboard.press("Enter")
    expect(layla.contacts.heading()).to_be_focused()
    tab_to(page, "Update contacts")
    page.keyboard.press("Enter")
    expect(layla.contacts.status.filter(has_text="Contacts updated.")).to_be_visible()
    assert "Verify" in names_reached_by_tab(page)
    check_both_languages(page, "contacts")
    reads_right_to_left_in_arabic(page)
    tab_to(page, "Verify")
    page.keyboard.press("Enter")
    expect(layla.contacts.heading()).to_have_text("Verify Amal Haddad")
    assert {"Scan code", "Mark as verified"} <= set(names_reached_by_tab(page))
    check_both_languages(page, "verify a contact")
    tab_to(page, "Mark as verified")
    page.keyboard.press("Enter")
    expect(layla.contacts.status).to_contain_text("Marked as verified.")

    # Share, with the confirmation an unverified recipient would need never shown for Amal
    layla.delegate_logs_incident("Questioned for two hours", "Secondary screening or questioning", "About my NGO.")
    layla.open_incident("Questioned for two hours")
    check_both_languages(page, "incident detail with Share")
    layla.button("Share").click()
    check_both_languages(page, "share")
    layla.share_screen.choose(["Amal Haddad"])
    layla.share_screen.share_report()
    check_both_languages(page, "incident detail, shared")
    layla.shared_with.entry("Amal Haddad").get_by_role("button", name="Revoke").click()
    expect(layla.button("Yes, stop sharing")).to_be_focused()
    check_both_languages(page, "revoke confirmation")
    layla.button("Cancel").click()
    layla.sync_now()

    # Check-in and the duress section in Settings (screens only: the flows are the lead's tests)
    layla.checkin.open()
    check_both_languages(page, "check-in")
    layla.duress.open()
    assert any("forensic" in w for w in layla.duress.warnings())
    assert any("offence" in w for w in layla.duress.warnings())
    check_both_languages(page, "settings with duress")

    # The Inbox and a report, by keyboard only: filters, the entry, Acknowledge
    amal.sync_now()
    page = amal.page
    amal.contacts.open()
    check_both_languages(page, "contacts of a focal point, with her card")
    amal.inbox.nav("Inbox").focus()
    page.keyboard.press("Enter")
    expect(amal.inbox.heading()).to_be_focused()
    expect(amal.inbox.entries()).to_have_count(1)
    reached = names_reached_by_tab(page)
    assert {"Status", "Type of incident", "Search"} <= set(reached), reached
    check_both_languages(page, "inbox")
    amal.inbox.filter(status="Closed")
    expect(amal.inbox.entries()).to_have_count(0)
    amal.inbox.filter(status="All statuses", search="NGO")
    expect(amal.inbox.entries()).to_have_count(1)
    amal.inbox.entries().get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(amal.report.verification).to_be_visible()
    check_both_languages(page, "report")
    reads_right_to_left_in_arabic(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    tab_to(page, "Acknowledge")
    page.keyboard.press("Enter")
    expect(amal.report.status).to_contain_text("Status saved: Acknowledged.")
    assert {"Status", "Save status", "Note", "Add note"} <= set(names_reached_by_tab(page))
    amal.report.add_note("Called her back.")
    check_both_languages(page, "report, acknowledged, with a note")

    # Statistics: a chart per dimension, each an image with a name and a table of its numbers
    amal.statistics.open()
    expect(amal.statistics.charts()).to_have_count(0)  # Layla gave no consent to statistics
    check_both_languages(page, "statistics")
    reads_right_to_left_in_arabic(page)
    csv = amal.statistics.export_csv()
    assert csv.splitlines()[0] == "dimension,value,count"


def test_scanning_the_other_phones_code_verifies_the_contact(issue_invite, phones, camera_phones) -> None:  # type: ignore[no-untyped-def]
    # Given two focal points who meet: Amal's phone shows the code of their safety number
    amal = joined(phones, issue_invite, "focal-point", "Amal Haddad")
    bushra = joined(camera_phones, issue_invite, "focal-point", "Bushra Nasser")
    amal.contacts.open()
    amal.contacts.update()
    amal.contacts.open_verify("Bushra Nasser")
    expect(amal.page.locator("#screen canvas.qr[role=img]")).to_have_attribute(
        "aria-label", "QR code of your safety number with Bushra Nasser")

    # (a phone whose camera cannot be used says so, and how to verify instead)
    said = amal.contacts.scan_code()
    assert "compare the numbers by reading them aloud" in said
    expect(amal.contacts.button("Scan code")).to_be_visible()

    # When Bushra's camera first sees some other code
    bushra.contacts.open()
    bushra.contacts.update()
    bushra.contacts.open_verify("Amal Haddad")
    camera_phones.camera.shows("SP1-SAFETY:" + "0" * 60)
    said = bushra.contacts.scan_code()
    # Then she is warned, and Amal stays unverified
    assert "not the safety number you share with Amal Haddad" in said
    bushra.contacts.button("Back to contacts").click()
    assert bushra.contacts.state_of("Amal Haddad") == "Not verified"

    # When she scans the code on Amal's phone
    camera_phones.camera.shows(amal.contacts.qr_text())
    bushra.contacts.open_verify("Amal Haddad")
    said = bushra.contacts.scan_code()
    # Then the codes match and Amal is verified; the camera is off again
    assert "The codes match." in said
    assert bushra.page.evaluate("() => !document.querySelector('video.scanner').srcObject")
    bushra.contacts.button("Back to contacts").click()
    assert bushra.contacts.state_of("Amal Haddad") == "Verified"


def test_an_edit_of_a_shared_report_goes_to_its_recipient_with_the_next_sync(issue_invite, phones) -> None:  # type: ignore[no-untyped-def]
    # Given Layla shared a report with Amal, whom she verified, and it has left her phone
    amal = joined(phones, issue_invite, "focal-point", "Amal Haddad")
    layla = joined(phones, issue_invite, "delegate", "Layla")
    layla.contacts.open()
    layla.contacts.update()
    layla.contacts.open_verify("Amal Haddad")
    layla.contacts.mark_as_verified()
    title = "Held for questioning"
    layla.delegate_logs_incident(title, "Secondary screening or questioning", "Two hours.")
    layla.share(title, ["Amal Haddad"])
    assert "Everything is on the server." in layla.sync_now()

    # When she corrects it
    layla.open_incident(title)
    layla.edit_open_incident(what="Two hours, then released without charge.")
    layla.open_incident(title)
    # Then "Shared with" says the new version goes to Amal with the next sync
    entry = layla.shared_with.entry("Amal Haddad")
    expect(entry.locator(".share-update")).to_have_text(
        'The new version of this report will go to Amal Haddad the next time you tap "Sync now".')
    check_both_languages(layla.page, "incident detail, new version waiting")
    assert "Everything is on the server." in layla.sync_now()
    layla.open_incident(title)
    expect(layla.shared_with.entry("Amal Haddad").locator(".share-update")).to_have_count(0)

    # And Amal, after her sync, has the report once, as corrected
    amal.sync_now()
    amal.inbox.open()
    expect(amal.inbox.entries()).to_have_count(1)
    report = amal.inbox.open_report(title)
    assert report.field_text("What happened") == "Two hours, then released without charge."
