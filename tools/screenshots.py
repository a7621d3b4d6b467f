"""Screenshots of every screen at 360x740, in every language of the app (pwa/js/i18n.js's LANGUAGES:
<code>-NN-name.png), into docs/screens/, so anyone can
see the app without running it: the vault (01-09), then accounts and sync (10-20: an invite,
Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict between two
phones), then sharing and legal support (21-33: Contacts, verifying a contact, Share, Shared
with, Inbox, a report, Check-in, Statistics, Refer to legal supporter, Cases, a case, Working
copy, Export evidence bundle). Uses the real app on a throwaway SQLite database and Debian's
Chromium (the same as the browser tests).

    .venv/bin/python tools/screenshots.py            # or: make screens
    .venv/bin/python tools/screenshots.py bn ur      # only these languages

The screenshots use the machine's fonts, as the app uses the phone's: without fonts for Devanagari,
Bengali and Nastaliq (Debian: fonts-noto-core) those pages show empty boxes, and the run says so.
"""
from __future__ import annotations

import base64
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from server import create_app  # noqa: E402
from server.config import TestingConfig  # noqa: E402
from server.db import upgrade  # noqa: E402
from server.services.invites import create_invite, invite_url  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from tests.e2e.pages.vault_pages import SLOW, Vault  # noqa: E402
from tests.e2e.test_legal import photo_with_location  # noqa: E402
from tests.legal_js.steps import Trio, refer, share, the_three_of_a_referral  # noqa: E402
from tests.sharing_js.steps import Person, incident  # noqa: E402
from tests.sync_client_js.conftest import invites, phones  # noqa: E402
from tests.sync_client_js.steps import PASSPHRASE as SERVICE_PASSPHRASE  # noqa: E402
from tests.support.languages import LANGUAGES  # noqa: E402

SYNC = 60_000
VIEWPORT = {"width": 360, "height": 740}

OUT = ROOT / "docs" / "screens"
PASSPHRASE = "a sentence only I would think of"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def use_language(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    if lang != "en":
        page.locator("#language").select_option(lang)
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)


def shooter(page, lang: str):  # type: ignore[no-untyped-def]
    def shot(name: str) -> None:
        page.wait_for_timeout(150)
        page.screenshot(path=str(OUT / f"{lang}-{name}.png"), full_page=True)
    return shot


def tour(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    use_language(page, lang)
    shot = shooter(page, lang)

    shot("01-create-vault")
    page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
    page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
    shot("02-emergency-kit")
    page.locator("[data-screen=kit] .button.primary").click()
    shot("03-my-incidents-empty")
    page.locator("#nav-new").click()
    page.locator("select[name=type]").select_option("device-search")
    page.locator("input[name=title]").fill(text_in(TEXT, lang)["title"])
    page.locator("textarea[name=what]").fill(text_in(TEXT, lang)["kept"])
    page.locator("input[type=file]").first.set_input_files([{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    shot("04-new-incident")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    shot("05-my-incidents")
    page.locator(".incident").first.click()
    expect(page.locator("[data-screen=detail] .facts")).to_be_visible()
    shot("06-incident-detail")
    page.locator("#nav-settings").click()
    shot("07-settings")
    page.locator("#lock").click()
    expect(page.locator("[data-screen=unlock]")).to_be_visible()
    shot("08-unlock")
    page.locator("#screen input[type=password]").fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    page.locator("#quick-exit").click(timeout=SLOW)
    shot("09-quick-exit")


# What a delegate types, in her language (a language without its own lines uses English's).
TEXT = {
    "en": {"title": "Phone searched at the airport", "kept": "They kept my phone for two hours and asked for the PIN.",
           "one": "They asked for my PIN.", "two": "They copied my contacts.", "display": "Layla"},
    "ar": {"title": "تفتيش الهاتف في المطار", "kept": "احتفظوا بهاتفي ساعتين وطلبوا الرمز السري.",
           "one": "طلبوا الرمز السري.", "two": "نسخوا جهات الاتصال.", "display": "ليلى"},
    "id": {"title": "HP diperiksa di bandara", "kept": "HP saya ditahan dua jam dan mereka minta PIN.",
           "one": "Mereka minta PIN saya.", "two": "Mereka menyalin kontak saya.", "display": "Sari"},
    "fil": {"title": "Kinuha ang cellphone sa airport", "kept": "Dalawang oras nilang hawak ang cellphone ko at hiningi ang PIN.",
            "one": "Hiningi nila ang PIN ko.", "two": "Kinopya nila ang contacts ko.", "display": "Maricel"},
    "ne": {"title": "विमानस्थलमा फोन जाँचियो", "kept": "उनीहरूले मेरो फोन दुई घण्टा राखे र PIN मागे।",
           "one": "उनीहरूले मेरो PIN मागे।", "two": "उनीहरूले मेरा सम्पर्कहरू कपी गरे।", "display": "सीता"},
    "bn": {"title": "বিমানবন্দরে ফোন তল্লাশি", "kept": "ওরা দুই ঘণ্টা আমার ফোন রেখে দিয়েছিল আর PIN চেয়েছিল।",
           "one": "ওরা আমার PIN চেয়েছিল।", "two": "ওরা আমার কন্টাক্ট কপি করেছে।", "display": "রিনা"},
    "ur": {"title": "ہوائی اڈے پر فون کی تلاشی", "kept": "انہوں نے میرا فون دو گھنٹے رکھا اور PIN مانگا۔",
           "one": "انہوں نے میرا PIN مانگا۔", "two": "انہوں نے میرے رابطے کاپی کر لیے۔", "display": "عائشہ"},
}


def text_in(table: dict, lang: str):  # type: ignore[no-untyped-def, type-arg]
    """A language's sample text, or English's where the language has none yet."""
    return table.get(lang, table["en"])


def sign_in(page, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=passphrase]").fill(PASSPHRASE)
    page.locator("input[name=secret]").fill(secret)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SYNC)


def sync(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
    page.locator("[data-screen=sync] .button.primary:visible").first.click()
    page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)


def edit(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#nav-list").click()
    page.locator(".incident").first.click()
    page.locator("[data-screen=detail] .actions .button.primary").click()
    page.locator("textarea[name=what]").fill(text)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SLOW)


def account_tour(browser, app, base_url: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Invite, Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict."""
    text = text_in(TEXT, lang)
    username = f"delegate.{lang}"
    with app.app_context():
        fragment = invite_url(create_invite("delegate")).split("/#", 1)[1]
    one = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    page = one.new_page()
    shot = shooter(page, lang)
    page.goto("/#" + fragment)
    Vault(page).wait_until_ready()
    use_language(page, lang)
    shot("10-create-vault-invited")
    page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
    page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
    secret = page.locator("[data-screen=kit] textarea").input_value()
    page.locator("[data-screen=kit] .button.primary").click()
    expect(page.locator("[data-screen=enrol]")).to_be_visible()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=displayName]").fill(text["display"])
    shot("11-create-account")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=sync]")).to_be_visible(timeout=SYNC)
    page.locator("#nav-new").click()
    page.locator("select[name=type]").select_option("device-search")
    page.locator("input[name=title]").fill(text["title"])
    page.locator("textarea[name=what]").fill(text["one"])
    page.locator("input[type=file]").first.set_input_files([{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
    shot("12-sync")
    page.locator("[data-screen=sync] .button.primary:visible").first.click()
    page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)
    shot("13-sync-done")
    page.locator("[data-screen=sync] .actions .button").first.click()  # Devices
    page.locator(".device").first.wait_for()
    page.locator(".device .button.danger").first.click()  # Revoke: the confirmation opens
    shot("14-devices")
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .button.block:not(.primary)").click()  # Prepare for crossing
    expect(page.locator("[data-screen=crossing]")).to_be_visible()
    page.locator("[data-screen=crossing] .button.primary").click()
    shot("15-prepare-for-crossing")
    page.locator("[data-screen=crossing] .confirm .button.danger").click()
    expect(page.locator("[data-screen=create]")).to_be_visible(timeout=SYNC)
    shot("16-after-crossing")
    page.locator("[data-screen=create] .alt .button").first.click()  # Sign in
    shot("17-sign-in")
    sign_in(page, username, secret)

    # A second phone edits the same incident before syncing: a conflict on the second phone.
    two = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    other = two.new_page()
    other.goto("/")
    Vault(other).wait_until_ready()
    use_language(other, lang)
    other.locator("[data-screen=create] .alt .button").first.click()
    sign_in(other, username, secret)
    edit(page, text["one"] + " " + text["two"])
    edit(other, text["two"])
    sync(page)
    sync(other)
    shot = shooter(other, lang)
    shot("18-sync-conflict")
    other.locator("#nav-list").click()
    other.locator(".incident").first.wait_for()
    shot("19-my-incidents-conflict")
    other.locator(".incident").first.click()
    other.locator(".conflict-version").first.wait_for()
    shot("20-conflict")
    two.close()
    one.close()


# --- Sharing and legal support (21-33) -----------------------------------------------------
# The three people of a referral, set up as the legal service tests set them up (tests/legal_js):
# Amal, a delegate who verified Maria; Maria, a focal point who verified Layla; Layla, a legal
# supporter. Amal logs reports and shares them with Maria, Maria refers one to Layla, everyone
# syncs — through the services, from the page. Then each phone is reloaded, unlocked and walked
# through its screens by the navigation, as a person would.

class Logged(NamedTuple):
    """An incident Amal logs (the form's fields), how she shares it with Maria, and Maria's answer."""

    title: str
    kind: str
    when: str
    where: str
    what: str
    legal: bool = False  # "support legal or advocacy action", signed into the share
    status: str | None = None


PEOPLE_TEXT = {
    "en": {
        # Logged with tests/sharing_js's incident() (a device search on 2 November), with a photo.
        "referred": ("Secondary screening at arrival", "Arrivals hall, Terminal 2",
                     "Phone taken for 40 minutes in a side room. An officer asked for the PIN "
                     "and wrote down the IMEI."),
        "shared": [
            Logged("Laptop inspected at departure", "device-search", "2026-10-14T19:40",
                   "Departures, Gate B", "The laptop was taken out of sight for about 15 minutes "
                   "and came back switched off.", legal=True),
            Logged("Questioned about the workshop", "screening", "2026-10-03T11:05", "Border post K",
                   "Two officers asked who had invited me and who else was attending.",
                   status="acknowledged"),
            Logged("Visa application delayed", "visa", "2026-09-18T09:30", "Consulate, visa section",
                   "The application has been under review for nine weeks with no reason given.",
                   status="in-progress"),
            Logged("Car parked outside the hotel", "surveillance", "2026-11-05T22:10", "Hotel district",
                   "The same grey car stayed outside the hotel for two evenings."),
        ],
        "unshared": Logged("Room entered while out", "surveillance", "2026-11-06T18:00",
                           "Hotel district", "Papers on the desk had been moved when I came back."),
        "note": "Called her: she is safe and back at the hotel.",
    },
    "ar": {
        "referred": ("تفتيش ثانوي عند الوصول", "صالة الوصول، المبنى 2",
                     "أُخذ الهاتف 40 دقيقة في غرفة جانبية. طلب أحد الضباط الرمز السري ودوّن رقم IMEI."),
        "shared": [
            Logged("تفتيش الحاسوب عند المغادرة", "device-search", "2026-10-14T19:40",
                   "صالة المغادرة، البوابة ب", "أُخذ الحاسوب بعيدًا عن نظري نحو 15 دقيقة ثم أُعيد مطفأً.",
                   legal=True),
            Logged("استجواب عن ورشة العمل", "screening", "2026-10-03T11:05", "المعبر الحدودي ك",
                   "سأل ضابطان عمّن دعاني ومن سيحضر أيضًا.", status="acknowledged"),
            Logged("تأخّر طلب التأشيرة", "visa", "2026-09-18T09:30", "القنصلية، قسم التأشيرات",
                   "الطلب قيد المراجعة منذ تسعة أسابيع دون ذكر أي سبب.", status="in-progress"),
            Logged("سيارة متوقفة أمام الفندق", "surveillance", "2026-11-05T22:10", "حيّ الفنادق",
                   "بقيت السيارة الرمادية نفسها أمام الفندق مساءين."),
        ],
        "unshared": Logged("دخول الغرفة أثناء الغياب", "surveillance", "2026-11-06T18:00", "حيّ الفنادق",
                           "وجدتُ الأوراق على المكتب قد نُقلت من مكانها عند عودتي."),
        "note": "اتصلتُ بها: هي بخير وعادت إلى الفندق.",
    },
}


def log(person: Person, report: Logged) -> str:
    """The delegate logs an incident of any type and date (tests/sharing_js's incident() logs
    device searches of one day, which would make dull statistics); returns its rid."""
    saved = person.run(
        """async ({ title, kind, when, where, what }) => t.v.saveIncident(
              { title, type: kind, when, where, what, consent: { contact: true, statistics: true, legal: false } })""",
        report._asdict())
    return str(saved["rid"])


def set_the_scene(trio: Trio, lang: str) -> dict[str, str]:
    """Amal's reports shared with Maria (one with a photo, referred to Layla), Maria's answers
    and a note, everyone synced. Returns the rids of the report referred and the one to refer."""
    text = text_in(PEOPLE_TEXT, lang)
    amal, maria, layla = trio.delegate, trio.maria, trio.layla
    title, where, what = text["referred"]
    photo = ("arrivals-hall.jpg", "image/jpeg", photo_with_location(amal.page))
    referred = str(incident(amal, title, text=what, where=where, files=[photo])["rid"])
    share(amal, [referred], maria, legal=True)
    shared = [(log(amal, report), report) for report in text["shared"]]
    for legal in (True, False):
        share(amal, [rid for rid, report in shared if report.legal == legal], maria, legal=legal)
    log(amal, text["unshared"])
    assert amal.sync()["ok"] and maria.sync()["ok"]
    maria.run("async (uid) => t.s.markVerified(uid)", amal.uid)  # they met at a training
    refer(maria, [referred], layla, title)
    for rid, report in shared:
        if report.status:
            maria.run("async ({ rid, status }) => t.s.setStatus([rid], status)",
                      {"rid": rid, "status": report.status})
    maria.run("async ({ rid, text }) => t.s.addNote(rid, text)", {"rid": referred, "text": text["note"]})
    assert maria.sync()["ok"] and layla.sync()["ok"]
    layla.run("async (uid) => t.s.markVerified(uid)", amal.uid)
    amal.run("async () => t.s.refreshDirectory()")  # Layla joins Amal's contacts, not verified
    assert amal.sync()["ok"]  # Maria's answers and the referral come down
    [to_refer] = [rid for rid, report in shared if report.legal]
    return {"referred": referred, "to-refer": to_refer}


def unlock_in_the_app(person: Person, lang: str) -> None:
    """Reloads the phone's app (the services' keys go) and unlocks the vault on its screen."""
    page = person.page
    page.goto("/")
    Vault(page).wait_until_ready()
    use_language(page, lang)
    page.locator("#screen input[type=password]").fill(SERVICE_PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    expect(page.locator("#sharing-nav")).to_be_visible()


def delegate_tour(trio: Trio, lang: str) -> None:
    """Amal: Contacts, Verify (Layla, not verified yet), Share, Shared with, Check-in."""
    text = text_in(PEOPLE_TEXT, lang)
    page = trio.delegate.page
    shot = shooter(page, lang)
    unlock_in_the_app(trio.delegate, lang)
    page.locator("#nav-contacts").click()
    expect(page.locator("[data-screen=contacts] li.contact")).to_have_count(2)
    shot("21-contacts")
    page.locator(f"li.contact[data-contact='{trio.layla.uid}'] .actions button").click()
    expect(page.locator("[data-screen=contact] .safety-number span")).to_have_count(12)
    shot("22-verify-contact")

    page.locator("#nav-list").click()
    page.locator(".incident").filter(has_text=text["unshared"].title).click()
    page.locator("[data-screen=detail] [data-i18n='detail.share']").click()
    page.locator(f"[data-screen=share] input[name=to][value='{trio.maria.uid}']").check()
    shot("23-share")

    page.locator("#nav-list").click()
    page.locator(".incident").filter(has_text=text["referred"][0]).click()
    expect(page.locator("[data-screen=detail] .shared-with li.share")).to_have_count(2)
    expect(page.locator("[data-screen=detail] .shared-with .answer").first).to_be_visible()
    shot("24-shared-with")

    page.locator("#nav-checkin").click()
    page.locator(f"[data-screen=checkin] input[name=to][value='{trio.maria.uid}']").check()
    page.locator("[data-screen=checkin] [data-i18n='checkin.set.button']").click()
    expect(page.locator("[data-screen=checkin] li.timer")).to_have_count(1, timeout=SYNC)
    shot("27-check-in")


def focal_point_tour(trio: Trio, rids: dict[str, str], lang: str) -> None:
    """Maria: Inbox, the report with the photo and its checks, Statistics, Refer to legal
    supporter (the other report Amal allowed for legal use)."""
    page = trio.maria.page
    shot = shooter(page, lang)
    unlock_in_the_app(trio.maria, lang)
    page.locator("#nav-inbox").click()
    expect(page.locator("[data-screen=inbox] ul.inbox > li")).to_have_count(5)
    shot("25-inbox")
    page.locator(f"[data-screen=inbox] li[data-rid='{rids['referred']}'] button").click()
    report = page.locator("[data-screen=report]")
    expect(report.locator(".verification")).to_be_visible()
    report.locator("ul.picked li [data-i18n='detail.attachment.show']").click()
    expect(report.locator("ul.picked li img")).to_have_count(1)
    page.wait_for_function("() => [...document.querySelectorAll('#screen img')].every((i) => i.complete)")
    shot("26-report")

    page.locator("#nav-statistics").click()
    expect(page.locator("[data-screen=statistics] .chart-block svg")).to_have_count(3)
    shot("28-statistics")

    page.locator("#nav-inbox").click()
    page.locator(f"[data-screen=inbox] li[data-rid='{rids['to-refer']}'] button").click()
    page.locator("[data-screen=report] [data-i18n='refer.open']").click()
    page.locator(f"[data-screen=refer] input[name=to][value='{trio.layla.uid}']").check()
    page.locator("[data-screen=refer] input[name=case-title]").fill(text_in(PEOPLE_TEXT, lang)["shared"][0].title)
    shot("29-refer")


def legal_tour(trio: Trio, lang: str) -> None:
    """Layla: Cases, the case (custody log, the report opened with its Integrity region, the
    whole page), Working copy, Export evidence bundle."""
    page = trio.layla.page
    shot = shooter(page, lang)
    unlock_in_the_app(trio.layla, lang)
    page.locator("#nav-cases").click()
    expect(page.locator("[data-screen=cases] ul.cases > li")).to_have_count(1)
    shot("30-cases")
    page.locator("[data-screen=cases] ul.cases > li button").click()
    case = page.locator("[data-screen=case]")
    expect(case.locator("ol.timeline > li").first).to_be_visible()
    case.locator("li.case-report .actions button[aria-expanded]").click()
    # The photo is checked once it is opened: every line of the Integrity region then says OK.
    case.locator("li.case-file [data-i18n='detail.attachment.show']").click()
    expect(case.locator("li.case-file .preview img")).to_have_count(1)
    expect(case.locator(".integrity-line[data-check]").first).to_be_visible(timeout=SYNC)
    expect(case.locator(".verdict-unchecked")).to_have_count(0, timeout=SYNC)
    shot("31-case")

    case.locator("li.case-file [data-i18n='case.workingcopy.make']").click()
    working = page.locator("[data-screen=working]")
    expect(working.locator("[data-i18n='working.save']")).to_be_enabled(timeout=SYNC)
    for name, value in (("x", 40), ("y", 40), ("w", 60), ("h", 30)):  # the yellow boat of the photo
        working.locator(f"input[name={name}]").fill(str(value))
    working.locator("button[type=submit]").click()
    expect(working.locator("ul.areas > li")).to_have_count(1)
    shot("32-working-copy")

    page.locator("#nav-cases").click()
    page.locator("[data-screen=cases] ul.cases > li button").click()
    page.locator("[data-screen=case] [data-i18n='case.export']").click()
    export = page.locator("[data-screen=export]")
    export.locator("input[name=bundle-passphrase]").fill(PASSPHRASE)
    export.locator("input[name=bundle-passphrase-confirm]").fill(PASSPHRASE)
    with page.expect_download(timeout=SYNC):
        export.locator("[data-i18n='export.submit']").click()
    expect(export.locator(".export-result")).to_be_visible()
    shot("33-export")


def people_tour(browser, app, base_url: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Contacts to Export evidence bundle (21-33), on three phones that the browser tests' guard
    watches: a console error, page error or CSP violation fails the run."""
    with phones(browser, base_url) as new_device:
        trio = the_three_of_a_referral(new_device, invites(app))
        rids = set_the_scene(trio, lang)
        delegate_tour(trio, lang)
        focal_point_tour(trio, rids, lang)
        legal_tour(trio, lang)


@contextmanager
def live_server(tmp: str, name: str) -> Iterator[tuple[object, str]]:
    """The app on a new SQLite database, served on loopback: (app, url)."""
    url = f"sqlite:///{tmp}/{name}.db"
    upgrade(url)
    app = create_app(TestingConfig(url))
    server = LiveServer(app)
    try:
        yield app, server.url
    finally:
        server.stop()


# A font the script needs, by fontconfig language (what Chromium on Linux draws with).
SCRIPT_FONTS = {"ar": "ar", "ne": "ne", "bn": "bn", "ur": "ur"}


def missing_fonts(langs: list[str]) -> list[str]:
    """The languages this machine has no font for (their screenshots would show empty boxes)."""
    if not shutil.which("fc-list"):
        return []
    return [lang for lang in langs if lang in SCRIPT_FONTS and not subprocess.run(
        ["fc-list", f":lang={SCRIPT_FONTS[lang]}", "family"], capture_output=True, text=True).stdout.strip()]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    OUT.mkdir(parents=True, exist_ok=True)
    langs = sys.argv[1:] or list(LANGUAGES)
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if unknown:
        raise SystemExit(f"not a language of the app: {unknown} (pwa/js/i18n.js: {list(LANGUAGES)})")
    if missing := missing_fonts(langs):
        print(f"warning: no font on this machine for {missing}: their screenshots will show boxes "
              "(Debian: apt-get install fonts-noto-core)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in langs:
            # A server of its own for each language: the directory of contacts is shared by
            # everyone on a server, and each language's tour enrols its own people.
            with live_server(tmp, lang) as (app, url):
                context = browser.new_context(base_url=url, viewport=VIEWPORT)
                tour(context.new_page(), lang)
                context.close()
                account_tour(browser, app, url, lang)
                people_tour(browser, app, url, lang)
        browser.close()
    print("screenshots:", len(list(OUT.glob("*.png"))), "in", OUT.relative_to(ROOT))

if __name__ == "__main__":
    main()
