"""A delegate reads the app in her language: Arabic once chosen is remembered; every language of
the picker reaches every main screen with no raw key, no missing message, the right <html lang
dir>, right-to-left where it should be, and dates and counts in the language's own digits while
codes (the Secret Key, hashes) stay Latin. Catalog contents are checked in tests/test_catalogs.py."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell
from tests.e2e.pages.vault_pages import SLOW, Vault
from tests.support.languages import LANGUAGES, catalog, present

ARABIC = json.loads((ROOT / "pwa" / "i18n" / "ar.json").read_text())


def test_switching_to_arabic_lays_out_right_to_left_and_is_remembered(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    app.choose_language("العربية")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(app.heading).to_have_text(ARABIC["app.name"])
    expect(app.welcome_heading).to_have_text(ARABIC["welcome.title"])
    assert page.title() == ARABIC["app.name"]

    # The choice survives a reload (a preference, kept in IndexedDB — not a secret).
    app.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(app.heading).to_have_text(ARABIC["app.name"])

    # And the Language control is still findable by its English name in Arabic.
    app.choose_language("English")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(app.heading).to_have_text("Safe Passage")


def test_every_key_used_in_markup_exists() -> None:
    english = json.loads((ROOT / "pwa" / "i18n" / "en.json").read_text())
    used = set(re.findall(r'data-i18n="([^"]+)"', (ROOT / "pwa" / "index.html").read_text()))
    for path in (ROOT / "pwa" / "js").rglob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z][\w.]+)"', path.read_text()))
        used |= set(re.findall(r'i18n = "([a-z][\w.]+)"', path.read_text()))
        # Screens built with ui/dom.js: el(tag, {i18n: "key"}), say(region, "key"), button("key"), field("key").
        used |= set(re.findall(r'\bi18n(?:Label)?: "([a-z][\w.-]+)"', path.read_text()))
        used |= set(re.findall(r'\b(?:say\(\w+, |button\(|field\(|progressBar\()"([a-z][\w.-]+)"', path.read_text()))
        # Keys kept in tables (error codes and sync phases to sentences) and passed as notices.
        used |= set(re.findall(r'"((?:account|sync|signin|enrol|crossing|devices|conflict)\.[\w.-]+)"', path.read_text()))
        used |= set(re.findall(r'notice: "([a-z][\w.-]+)"', path.read_text()))
        # Keys handed to a shared component as a table (ui/recipient-picker.js: keys: {…}).
        for table in re.findall(r'\bkeys: \{([^}]*)\}', path.read_text()):
            used |= set(re.findall(r'\w+: "([a-z][\w.-]+)"', table))
    assert used and used <= set(english), used - set(english)


# --- every language, every main screen ------------------------------------------------------

# A catalog key shown instead of its text ("list.title", "count.records.one").
RAW_KEY = r"^[a-z]+(\.[a-z0-9-]+)+$"
BENGALI_DIGIT, DEVANAGARI_DIGIT = r"[\u09e6-\u09ef]", r"[\u0966-\u096f]"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf500f0004850180848c8c210000000049454e44ae426082")

# What the screen shows, read in the page: raw keys anywhere a person (or a screen reader) meets
# text, the text of every visible translated element, and the page's language and direction.
READ_SCREEN = """(pattern) => {
  const raw = new RegExp(pattern);
  const visible = (el) => !!el && el.getClientRects().length > 0;
  const keys = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (raw.test(text) && visible(n.parentElement)) keys.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], option')) {
    for (const v of [el.getAttribute('aria-label'), el.getAttribute('placeholder'), el.getAttribute('title'),
                     el.tagName === 'OPTION' ? el.textContent : null]) {
      if (v && raw.test(v.trim())) keys.push(v.trim());
    }
  }
  if (raw.test(document.title)) keys.push(document.title);
  const translated = [...document.querySelectorAll('[data-i18n]')].filter(visible)
    .map((el) => [el.dataset.i18n, el.textContent]);
  const html = document.documentElement;
  const screen = document.querySelector('#screen > section') || document.querySelector('#screen');
  return { keys, translated, lang: html.lang, dir: html.dir, direction: getComputedStyle(screen).direction };
}"""


def switch_to(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#language").select_option(code)
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=code)


def read_in_every_language(page, screen: str, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Switches the open screen through every language and reads it in each."""
    for code in codes:
        switch_to(page, code)
        seen = page.evaluate(READ_SCREEN, RAW_KEY)
        words = catalog(code)
        assert seen["keys"] == [], (screen, code, seen["keys"])
        assert (seen["lang"], seen["dir"], seen["direction"]) == (code, LANGUAGES[code], LANGUAGES[code]), (screen, code)
        wrong = [(key, text) for key, text in seen["translated"] if text != words.get(key, text)]
        assert wrong == [], (screen, code, wrong)


def starts_right_of(page, first: str, second: str) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("""([a, b]) => document.querySelector(a).getBoundingClientRect().left
                                        > document.querySelector(b).getBoundingClientRect().left""", [first, second])


def test_every_language_reaches_every_main_screen(page) -> None:  # type: ignore[no-untyped-def]
    missing_messages: list[str] = []
    page.on("console", lambda m: missing_messages.append(m.text) if "missing message" in m.text else None)
    codes = present()
    vault = Vault(page)
    vault.open()
    # The picker lists every language by its own name, each option in its own language.
    options = page.locator("#language option")
    assert options.evaluate_all("os => os.map(o => [o.value, o.lang, o.dir])") == [
        [code, code, direction] for code, direction in LANGUAGES.items()]
    assert options.all_inner_texts() == [catalog("en")[f"language.{code}"] for code in LANGUAGES]

    # Given a delegate on the Create vault screen, in each language
    read_in_every_language(page, "create", codes)
    switch_to(page, "en")
    vault.field("Passphrase").fill("a sentence only I would think of")
    vault.field("Confirm passphrase").fill("a sentence only I would think of")
    vault.button("Create vault").click()
    expect(vault.field("Secret Key")).to_be_visible(timeout=SLOW)
    secret = vault.field("Secret Key").input_value()
    read_in_every_language(page, "kit", codes)
    # The Secret Key stays Latin and left to right in every language (here the last one).
    key = page.locator("textarea.secret-key")
    assert (key.get_attribute("dir"), key.get_attribute("lang"), key.input_value()) == ("ltr", "en", secret)
    assert secret.isascii()
    switch_to(page, "en")
    vault.button("I have saved my Emergency Kit").click()
    vault.delegate_logs_incident("Phone searched at the airport", "Device search", "They kept my phone.",
                                 files=[{"name": "Airport photo.png", "mimeType": "image/png", "buffer": PNG}])

    # When she goes through the main screens in every language
    for screen, go in (("list", "#nav-list"), ("form", "#nav-new"), ("settings", "#nav-settings"),
                       ("sync", "#nav-sync"), ("detail", None)):
        if go:
            page.locator(go).click()
        else:
            page.locator("#nav-list").click()
            page.locator(".incident").first.click()
        expect(page.locator(f"[data-screen={screen}]")).to_be_visible()
        read_in_every_language(page, screen, codes)
        if screen == "settings":
            # The idle-lock choices count minutes with each language's plural rules (Arabic
            # says one and two minutes in words), drawn again on every switch.
            switch_to(page, "ar")
            idle = page.locator("select[name=idle] option")
            arabic = catalog("ar")
            assert idle.all_inner_texts()[:3] == [arabic["count.minutes.one"], arabic["count.minutes.two"],
                                                  arabic["count.minutes.few"].replace("{n}", "5")]
            switch_to(page, "en")
            assert idle.all_inner_texts()[:2] == ["1 minute", "2 minutes"]

    # Then dates, counts and sizes are in the language's digits, the hash stays Latin
    detail = page.locator("[data-screen=detail]")
    for code, digit in (("bn", BENGALI_DIGIT), ("ne", DEVANAGARI_DIGIT)):
        if code not in codes:
            continue
        switch_to(page, code)
        meta = detail.locator(".picked .incident-meta").inner_text()  # "image/png · ৬৮ B"-like
        assert re.search(digit, meta) and not re.search("[0-9]", meta), meta
        assert re.search(digit, detail.locator(".facts").inner_text()), code  # the date it was saved
        hash_text = detail.locator(".hash").inner_text()
        assert hash_text.isascii() and re.fullmatch(r"SHA-256 [0-9a-f]{64}", hash_text), hash_text
        page.locator("#nav-list").click()
        assert re.search(digit, page.locator(".incident-meta").first.inner_text()), code
        page.locator(".incident").first.click()
        expect(detail).to_be_visible()

    # And right-to-left languages lay the session bar out from the right
    for code in codes:
        switch_to(page, code)
        assert starts_right_of(page, "#quick-exit", "#lock") == (LANGUAGES[code] == "rtl"), code

    # And the Unlock screen, after locking, reads right in every language too
    page.locator("#lock").click()
    expect(page.locator("[data-screen=unlock]")).to_be_visible()
    read_in_every_language(page, "unlock", codes)

    assert missing_messages == []
    missing = sorted(set(LANGUAGES) - set(codes))
    assert not missing, f"no catalog yet for {missing}: only {codes} were walked"


# Before any page script: the catalog of Bengali cannot be read (as if not shipped yet). A stub
# of fetch rather than page.route: the service worker answers from its cache, out of route's reach.
NO_BENGALI_CATALOG = """(() => {
  const real = window.fetch.bind(window);
  window.fetch = (input, init) => String(input && input.url || input).endsWith('/i18n/bn.json')
    ? Promise.resolve(new Response('not found', { status: 404 })) : real(input, init);
})();"""


def test_a_language_without_its_catalog_falls_back_to_english(page) -> None:  # type: ignore[no-untyped-def]
    """A language listed before its catalog ships (or a damaged cache) leaves the app in English,
    with a warning, not an error; browser languages pick the app's language; Intl formats each."""
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.add_init_script(NO_BENGALI_CATALOG)
    AppShell(page).open()
    page.locator("#language").select_option("bn")
    expect(page.locator("#language")).to_have_value("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(AppShell(page).heading).to_have_text("Safe Passage")
    assert any("bn" in w and "English" in w for w in warnings), warnings

    picked = page.evaluate("""async () => {
        const m = await import('/js/i18n.js');
        return ['ur-PK', 'fil-PH', 'tl', 'in-ID', 'id', 'ne-NP', 'bn-BD', 'ar-EG', 'de-DE', 'en-GB']
          .map((tag) => m.pickLanguage(null, [tag]));
    }""")
    assert picked == ["ur", "fil", "fil", "id", "id", "ne", "bn", "ar", "en", "en"]

    formatted = page.evaluate("""async () => {
        const m = await import('/js/i18n.js');
        const day = Date.UTC(2026, 10, 2, 12, 0);
        return Object.fromEntries(Object.keys(m.LANGUAGES).map((code) => [code, {
          n: m.formatNumber(1234, code), date: m.formatDate(day, { dateStyle: 'medium', timeZone: 'UTC' }, code),
          size: m.formatBytes(12500, code) }]));
    }""")
    assert formatted["en"] == {"n": "1,234", "date": "Nov 2, 2026", "size": "12.5 kB"}
    for code, digit in (("bn", BENGALI_DIGIT), ("ne", DEVANAGARI_DIGIT)):
        assert all(re.search(digit, v) and not re.search("[0-9]", v) for v in formatted[code].values()), formatted[code]


def test_the_evidence_report_is_written_in_each_readers_language(page) -> None:  # type: ignore[no-untyped-def]
    """report.html of a bundle in every language: its lang and dir, its words from the reader's
    catalog, its date in the reader's digits, the case id and keys left to right in Latin."""
    AppShell(page).open()
    reports = page.evaluate("""async (codes) => {
        const { textsFor, reportHtml } = await import('/js/legal/bundle-text.js');
        const view = { title: 'Airport', case: 'c0ffee00-case', reports: [], logVerdict: { missing: [] }, log: [], notes: [] };
        const out = {};
        for (const code of codes) {
          out[code] = reportHtml(await textsFor(code), { view, created: Date.UTC(2026, 10, 2, 12, 0),
            exporter: { name: 'Layla', kid: 'kid-123' }, serverKey: 'server-key-456', filename: 'case.zip' });
        }
        return out;
    }""", present())
    for code, html in reports.items():
        words = catalog(code)
        assert f'<html lang="{code}" dir="{LANGUAGES[code]}">' in html, code
        assert words["bundle.report.heading"] in html and words["bundle.report.verifyText"] in html, code
        assert '<span class="id">c0ffee00-case</span>' in html and "server-key-456" in html, code
    for code, digit in (("bn", BENGALI_DIGIT), ("ne", DEVANAGARI_DIGIT)):
        if code in reports:
            assert re.search(digit + r".*UTC", reports[code]), code
