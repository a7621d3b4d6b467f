"""Tours of the app: every screen of every role, reached as a person reaches it, in one language.

A tour stops wherever a screen (or a state of one worth looking at: a confirmation, an error)
is on show and calls ``shot(page, name)``. tools/screenshots.py photographs each stop
(docs/screens/<lang>-<name>.png); tests/e2e/test_every_screen.py checks it (axe, touch targets,
raw catalog keys, width at 360 px) and that the tours, together, reach every screen of
pwa/js/main.js's SCREENS.

- vault_tour (01-09, 34-36): Create vault, Restore, Emergency Kit, the incidents, Settings with
  the Wipe confirmation, Unlock (and a wrong passphrase), Quick exit;
- account_tour (10-20): an invite, Create account, Sync, Devices, Prepare for crossing, Sign in,
  and a conflict between two phones;
- people_tour (21-33, 37-39): the three people of a referral (tests/legal_js), a delegate,
  a focal point and a legal supporter, through Contacts, Share, Inbox, Check-in, Statistics,
  Refer, Cases, Working copy and Export.

Each phone is a fresh browser context watched by the browser tests' guard: a console error,
page error, CSP violation or request to another origin fails the tour.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import NamedTuple

from playwright.sync_api import Page, expect

from tests.e2e.pages.vault_pages import SLOW, Vault
from tests.e2e.test_legal import photo_with_location
from tests.legal_js.steps import Trio, refer, share, the_three_of_a_referral
from tests.sharing_js.steps import Person, incident
from tests.sync_client_js.conftest import invites, phones
from tests.sync_client_js.steps import PASSPHRASE as SERVICE_PASSPHRASE

#: shot(page, name): called at each stop of a tour, with the page showing it.
Shot = Callable[[Page, str], None]

SYNC = 60_000
PASSPHRASE = "a sentence only I would think of"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def every_tour(browser, app, base_url: str, lang: str, shot: Shot) -> None:  # type: ignore[no-untyped-def]
    """The three tours, one after the other, on the server at base_url (app: its Flask app, for
    invites). The people tour expects a server where nobody else has published a card."""
    with phones(browser, base_url) as new_phone:
        vault_tour(new_phone(), lang, shot)
    account_tour(browser, app, base_url, lang, shot)
    people_tour(browser, app, base_url, lang, shot)


def use_language(page: Page, lang: str) -> None:
    if lang != "en":
        page.locator("#language").select_option(lang)
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)


def by_key(key: str) -> str:
    """A control found by its catalog key, the same in every language."""
    return f"#screen [data-i18n='{key}']"


# --- Vault (01-09, 34-36) --------------------------------------------------------------------

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


def attach_photo(page: Page) -> None:
    page.locator("input[type=file]").first.set_input_files([{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])


def vault_tour(page: Page, lang: str, shot: Shot) -> None:
    """A delegate alone with the app: no account, nothing leaves the phone."""
    text = text_in(TEXT, lang)
    page.goto("/")
    Vault(page).wait_until_ready()
    use_language(page, lang)
    shot(page, "01-create-vault")
    page.locator(by_key("restore.open")).click()
    expect(page.locator("[data-screen=restore]")).to_be_visible()
    shot(page, "34-restore")
    page.locator(by_key("restore.back")).click()

    page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
    page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
    shot(page, "02-emergency-kit")
    page.locator("[data-screen=kit] .button.primary").click()
    expect(page.locator("[data-screen=list]")).to_be_visible()
    shot(page, "03-my-incidents-empty")
    page.locator("#nav-new").click()
    page.locator("select[name=type]").select_option("device-search")
    page.locator("input[name=title]").fill(text["title"])
    page.locator("textarea[name=what]").fill(text["kept"])
    attach_photo(page)
    shot(page, "04-new-incident")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list] .incident")).to_have_count(1, timeout=SLOW)
    shot(page, "05-my-incidents")
    page.locator(".incident").first.click()
    expect(page.locator("[data-screen=detail] .facts")).to_be_visible()
    shot(page, "06-incident-detail")
    page.locator("#nav-settings").click()
    expect(page.locator("[data-screen=settings]")).to_be_visible()
    shot(page, "07-settings")
    page.locator(by_key("wipe.open")).click()
    expect(page.locator(by_key("wipe.confirm"))).to_be_focused()
    shot(page, "35-settings-wipe")
    page.locator(by_key("wipe.cancel")).click()

    page.locator("#lock").click()
    expect(page.locator("[data-screen=unlock]")).to_be_visible()
    shot(page, "08-unlock")
    page.locator("#screen input[type=password]").fill("not my passphrase at all")
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=unlock] .counter")).not_to_be_empty(timeout=SLOW)
    shot(page, "36-unlock-failed")
    page.locator("#screen input[type=password]").fill(PASSPHRASE)
    page.locator("#screen button[type=submit]").click()
    expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
    page.locator("#quick-exit").click()
    expect(page.locator("[data-screen=neutral]")).to_be_visible()
    shot(page, "09-quick-exit")


# --- Accounts and sync (10-20) -----------------------------------------------------------------

def sign_in(page: Page, username: str, secret: str) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=passphrase]").fill(PASSPHRASE)
    page.locator("input[name=secret]").fill(secret)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SYNC)


def sync(page: Page) -> None:
    page.locator("#nav-sync").click()
    page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
    page.locator("[data-screen=sync] .button.primary:visible").first.click()
    page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)


def edit(page: Page, text: str) -> None:
    page.locator("#nav-list").click()
    page.locator(".incident").first.click()
    page.locator("[data-screen=detail] .actions .button.primary").click()
    page.locator("textarea[name=what]").fill(text)
    page.locator("#screen button[type=submit]").click()
    page.locator("[data-screen=list]").wait_for(timeout=SLOW)


def account_tour(browser, app, base_url: str, lang: str, shot: Shot) -> None:  # type: ignore[no-untyped-def]
    """Invite, Create account, Sync, Devices, Prepare for crossing, Sign in, and a conflict."""
    text = text_in(TEXT, lang)
    username = f"delegate.{lang}"
    with phones(browser, base_url) as new_phone:
        page = new_phone()
        page.goto("/" + invites(app)("delegate"))
        Vault(page).wait_until_ready()
        use_language(page, lang)
        shot(page, "10-create-vault-invited")
        page.locator("#screen input[type=password]").nth(0).fill(PASSPHRASE)
        page.locator("#screen input[type=password]").nth(1).fill(PASSPHRASE)
        page.locator("#screen button[type=submit]").click()
        expect(page.locator("[data-screen=kit]")).to_be_visible(timeout=SLOW)
        secret = page.locator("[data-screen=kit] textarea").input_value()
        page.locator("[data-screen=kit] .button.primary").click()
        expect(page.locator("[data-screen=enrol]")).to_be_visible()
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=displayName]").fill(text["display"])
        shot(page, "11-create-account")
        page.locator("#screen button[type=submit]").click()
        expect(page.locator("[data-screen=sync]")).to_be_visible(timeout=SYNC)
        page.locator("#nav-new").click()
        page.locator("select[name=type]").select_option("device-search")
        page.locator("input[name=title]").fill(text["title"])
        page.locator("textarea[name=what]").fill(text["one"])
        attach_photo(page)
        page.locator("#screen button[type=submit]").click()
        expect(page.locator("[data-screen=list]")).to_be_visible(timeout=SLOW)
        page.locator("#nav-sync").click()
        page.locator("[data-screen=sync] .plan:not(:empty)").wait_for()
        shot(page, "12-sync")
        page.locator("[data-screen=sync] .button.primary:visible").first.click()
        page.locator(".sync-status[data-outcome]").wait_for(timeout=SYNC)
        shot(page, "13-sync-done")
        page.locator("[data-screen=sync] .actions .button").first.click()  # Devices
        page.locator(".device").first.wait_for()
        page.locator(".device .button.danger").first.click()  # Revoke: the confirmation opens
        shot(page, "14-devices")
        page.locator("#nav-sync").click()
        page.locator("[data-screen=sync] .button.block:not(.primary)").click()  # Prepare for crossing
        expect(page.locator("[data-screen=crossing]")).to_be_visible()
        page.locator("[data-screen=crossing] .button.primary").click()
        shot(page, "15-prepare-for-crossing")
        page.locator("[data-screen=crossing] .confirm .button.danger").click()
        expect(page.locator("[data-screen=create]")).to_be_visible(timeout=SYNC)
        shot(page, "16-after-crossing")
        page.locator("[data-screen=create] .alt .button").first.click()  # Sign in
        expect(page.locator("[data-screen=signin]")).to_be_visible()
        shot(page, "17-sign-in")
        sign_in(page, username, secret)

        # A second phone edits the same incident before syncing: a conflict on the second phone.
        other = new_phone()
        other.goto("/")
        Vault(other).wait_until_ready()
        use_language(other, lang)
        other.locator("[data-screen=create] .alt .button").first.click()
        sign_in(other, username, secret)
        edit(page, text["one"] + " " + text["two"])
        edit(other, text["two"])
        sync(page)
        sync(other)
        shot(other, "18-sync-conflict")
        other.locator("#nav-list").click()
        other.locator(".incident").first.wait_for()
        shot(other, "19-my-incidents-conflict")
        other.locator(".incident").first.click()
        other.locator(".conflict-version").first.wait_for()
        shot(other, "20-conflict")


# --- Sharing and legal support (21-33, 37-39) ---------------------------------------------------
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


def delegate_tour(trio: Trio, lang: str, shot: Shot) -> None:
    """Amal: Contacts, Verify (Layla, not verified yet), Share (and to Layla: "Share anyway?"),
    Shared with, Check-in, and Settings with her duress passphrase."""
    text = text_in(PEOPLE_TEXT, lang)
    page = trio.delegate.page
    unlock_in_the_app(trio.delegate, lang)
    page.locator("#nav-contacts").click()
    expect(page.locator("[data-screen=contacts] li.contact")).to_have_count(2)
    shot(page, "21-contacts")
    page.locator(f"li.contact[data-contact='{trio.layla.uid}'] .actions button").click()
    expect(page.locator("[data-screen=contact] .safety-number span")).to_have_count(12)
    shot(page, "22-verify-contact")

    page.locator("#nav-list").click()
    page.locator(".incident").filter(has_text=text["unshared"].title).click()
    page.locator("[data-screen=detail] [data-i18n='detail.share']").click()
    page.locator(f"[data-screen=share] input[name=to][value='{trio.maria.uid}']").check()
    shot(page, "23-share")
    page.locator(f"[data-screen=share] input[name=to][value='{trio.layla.uid}']").check()
    page.locator(by_key("share.submit")).click()
    expect(page.locator(by_key("share.anyway"))).to_be_focused()
    shot(page, "38-share-unverified")

    page.locator("#nav-list").click()
    page.locator(".incident").filter(has_text=text["referred"][0]).click()
    expect(page.locator("[data-screen=detail] .shared-with li.share")).to_have_count(2)
    expect(page.locator("[data-screen=detail] .shared-with .answer").first).to_be_visible()
    shot(page, "24-shared-with")

    page.locator("#nav-checkin").click()
    page.locator(f"[data-screen=checkin] input[name=to][value='{trio.maria.uid}']").check()
    page.locator("[data-screen=checkin] [data-i18n='checkin.set.button']").click()
    expect(page.locator("[data-screen=checkin] li.timer")).to_have_count(1, timeout=SYNC)
    shot(page, "27-check-in")

    page.locator("#nav-settings").click()
    expect(page.locator("[data-screen=settings] .duress input[name=duress]")).to_be_visible()
    shot(page, "37-settings-duress")


def focal_point_tour(trio: Trio, rids: dict[str, str], lang: str, shot: Shot) -> None:
    """Maria: Inbox, the report with the photo and its checks, Statistics, Refer to legal
    supporter (the other report Amal allowed for legal use), and Contacts with her card."""
    page = trio.maria.page
    unlock_in_the_app(trio.maria, lang)
    page.locator("#nav-inbox").click()
    expect(page.locator("[data-screen=inbox] ul.inbox > li")).to_have_count(5)
    shot(page, "25-inbox")
    page.locator(f"[data-screen=inbox] li[data-rid='{rids['referred']}'] button").click()
    report = page.locator("[data-screen=report]")
    expect(report.locator(".verification")).to_be_visible()
    report.locator("ul.picked li [data-i18n='detail.attachment.show']").click()
    expect(report.locator("ul.picked li img")).to_have_count(1)
    page.wait_for_function("() => [...document.querySelectorAll('#screen img')].every((i) => i.complete)")
    shot(page, "26-report")

    page.locator("#nav-statistics").click()
    expect(page.locator("[data-screen=statistics] .chart-block svg")).to_have_count(3)
    shot(page, "28-statistics")

    page.locator("#nav-inbox").click()
    page.locator(f"[data-screen=inbox] li[data-rid='{rids['to-refer']}'] button").click()
    page.locator("[data-screen=report] [data-i18n='refer.open']").click()
    page.locator(f"[data-screen=refer] input[name=to][value='{trio.layla.uid}']").check()
    page.locator("[data-screen=refer] input[name=case-title]").fill(text_in(PEOPLE_TEXT, lang)["shared"][0].title)
    shot(page, "29-refer")

    page.locator("#nav-contacts").click()
    expect(page.locator("[data-screen=contacts] .card-form input[name=card-name]")).to_be_visible()
    expect(page.locator("[data-screen=contacts] li.contact").first).to_be_visible()
    shot(page, "39-contacts-focal-point")


def legal_tour(trio: Trio, lang: str, shot: Shot) -> None:
    """Layla: Cases, the case (custody log, the report opened with its Integrity region, the
    whole page), Working copy, Export evidence bundle."""
    page = trio.layla.page
    unlock_in_the_app(trio.layla, lang)
    page.locator("#nav-cases").click()
    expect(page.locator("[data-screen=cases] ul.cases > li")).to_have_count(1)
    shot(page, "30-cases")
    page.locator("[data-screen=cases] ul.cases > li button").click()
    case = page.locator("[data-screen=case]")
    expect(case.locator("ol.timeline > li").first).to_be_visible()
    case.locator("li.case-report .actions button[aria-expanded]").click()
    # The photo is checked once it is opened: every line of the Integrity region then says OK.
    case.locator("li.case-file [data-i18n='detail.attachment.show']").click()
    expect(case.locator("li.case-file .preview img")).to_have_count(1)
    expect(case.locator(".integrity-line[data-check]").first).to_be_visible(timeout=SYNC)
    expect(case.locator(".verdict-unchecked")).to_have_count(0, timeout=SYNC)
    shot(page, "31-case")

    case.locator("li.case-file [data-i18n='case.workingcopy.make']").click()
    working = page.locator("[data-screen=working]")
    expect(working.locator("[data-i18n='working.save']")).to_be_enabled(timeout=SYNC)
    for name, value in (("x", 40), ("y", 40), ("w", 60), ("h", 30)):  # the yellow boat of the photo
        working.locator(f"input[name={name}]").fill(str(value))
    working.locator("button[type=submit]").click()
    expect(working.locator("ul.areas > li")).to_have_count(1)
    shot(page, "32-working-copy")

    page.locator("#nav-cases").click()
    page.locator("[data-screen=cases] ul.cases > li button").click()
    page.locator("[data-screen=case] [data-i18n='case.export']").click()
    export = page.locator("[data-screen=export]")
    export.locator("input[name=bundle-passphrase]").fill(PASSPHRASE)
    export.locator("input[name=bundle-passphrase-confirm]").fill(PASSPHRASE)
    with page.expect_download(timeout=SYNC):
        export.locator("[data-i18n='export.submit']").click()
    expect(export.locator(".export-result")).to_be_visible()
    shot(page, "33-export")


def people_tour(browser, app, base_url: str, lang: str, shot: Shot) -> None:  # type: ignore[no-untyped-def]
    """Contacts to Export evidence bundle, on three phones."""
    with phones(browser, base_url) as new_phone:
        trio = the_three_of_a_referral(new_phone, invites(app))
        rids = set_the_scene(trio, lang)
        delegate_tour(trio, lang, shot)
        focal_point_tour(trio, rids, lang, shot)
        legal_tour(trio, lang, shot)
