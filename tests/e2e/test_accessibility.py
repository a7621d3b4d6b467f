"""axe-core (from npm) finds no serious or critical violation, in English and in Arabic (the shell in
every language of the app), at 360 px; nothing moves when the phone asks for reduced motion; and
nothing is lost at 200% zoom. The helpers here (axe, touch targets, raw catalog keys, losses at
200%) are what tests/e2e/test_every_screen.py checks at every stop of the tours."""
from __future__ import annotations

import pytest

from server.config import ROOT
from tests.e2e.pages.app_shell import AppShell
from tests.e2e.test_language import RAW_KEY, READ_SCREEN
from tests.support.languages import LANGUAGES, catalog

AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page as it is, with the first few nodes."""
    # Evaluated through the DevTools protocol, so the page's CSP (rightly) does not apply to it;
    # once per document (a reload or navigation drops it).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes: {v['nodes'][:3]})" for v in results
            if v["impact"] in ("serious", "critical")]


def small_touch_targets(page) -> list:  # type: ignore[no-untyped-def, type-arg]
    """Controls under 44x44 px. A checkbox counts its row (its label is part of the target); a
    camera/file input is visually hidden behind its label, which is the target."""
    return page.evaluate("""() => [...document.querySelectorAll('button, select, a[href], input, textarea, summary, label.file-label')]
        .filter(el => el.offsetParent !== null && !el.classList.contains('file-input'))
        .map(el => [el, el.type === 'checkbox' ? el.closest('.check') : el])
        .map(([el, box]) => { const r = box.getBoundingClientRect();
                              return [el.id || el.name || el.textContent.trim(), r.width, r.height]; })
        .filter(([, w, h]) => w < 44 || h < 44)""")


# The first part of every catalog key ("create" of "create.title"): a raw key on screen starts
# with one of them, while a file name such as "photo.png" (the same shape) does not.
NAMESPACES = {key.split(".", 1)[0] for key in catalog("en")}


def raw_keys(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Catalog keys shown (or read out) instead of their text: "list.title", "count.records.one"."""
    seen = page.evaluate(READ_SCREEN, RAW_KEY)["keys"]
    return [key for key in seen if key.split(".", 1)[0] in NAMESPACES]


def horizontal_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS px the page is wider than the screen (0: nothing to scroll sideways)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_shell_has_no_serious_accessibility_violations(page, language: str) -> None:  # type: ignore[no-untyped-def]
    """Every language of the picker (the screens of every role are checked in English and Arabic)."""
    app = AppShell(page)
    app.open()
    page.locator("#language").select_option(language)
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=language)
    assert axe_violations(page) == []


def test_touch_targets_are_at_least_44px(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    sizes = page.evaluate("""() => [...document.querySelectorAll('button, select, a[href], input')]
        .filter(el => el.offsetParent !== null)
        .map(el => { const r = el.getBoundingClientRect(); return [el.id || el.tagName, r.width, r.height]; })""")
    assert sizes
    for name, width, height in sizes:
        assert height >= 44 and width >= 44, (name, width, height)


def check_both_languages(page, screen: str) -> None:  # type: ignore[no-untyped-def]
    """axe in Arabic (right to left) and English, and every target at least 44 px."""
    assert small_touch_targets(page) == [], screen
    for name, lang in (("العربية", "ar"), ("English", "en")):
        AppShell(page).choose_language(name)
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
        assert axe_violations(page) == [], (screen, lang)


def names_reached_by_tab(page, limit: int = 40) -> list[str]:  # type: ignore[no-untyped-def]
    """From the screen's heading, the accessible names Tab moves through (controls of the screen
    only; the header and session bar come before the heading)."""
    page.locator("#screen h2").focus()
    names = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || !el.closest('#screen')) return null;
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            return (el.getAttribute('aria-label') || label || el.textContent || '').trim();
        }""")
        if name is None:
            break
        names.append(name)
    return names


def test_account_screens_pass_axe_and_their_controls_are_reachable_by_keyboard(issue_invite, phones) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from tests.e2e.pages.account_pages import SYNC

    phone = phones()
    device, page = phone.device, phone.page
    passphrase = "four words for the test"
    device.open_invite(issue_invite().url)
    check_both_languages(page, "create vault with an invite")
    secret_key = device.delegate_creates_vault_for_the_invite(passphrase)

    # Create account
    check_both_languages(page, "create account")
    assert {"Username", "Display name", "Create account"} <= set(names_reached_by_tab(page))
    device.field("Username").fill("No Spaces Allowed")
    device.button("Create account").click()
    expect(device.alert).to_contain_text("This username is not allowed.")
    check_both_languages(page, "create account, invalid username")
    username = "keyboard.user"
    device.field("Username").fill(username)
    device.field("Display name").focus()
    page.keyboard.press("Enter")  # submits the form from the keyboard
    expect(device.screen_heading()).to_have_text("Sync", timeout=SYNC)

    # Sync: everything reachable, and Sync now works from the keyboard
    reached = names_reached_by_tab(page)
    assert {"Sync now", "Devices", "Sign out", "Prepare for crossing"} <= set(reached), reached
    device.button("Sync now").focus()
    page.keyboard.press("Enter")
    expect(device.status).to_have_attribute("data-outcome", "done", timeout=SYNC)
    expect(device.status).to_have_attribute("role", "status")
    check_both_languages(page, "sync, after a sync")

    # Devices, with the Revoke confirmation open
    device.open_devices()
    assert "Revoke" in names_reached_by_tab(page)
    revoke = device.button("Revoke")
    described = page.evaluate("(id) => document.getElementById(id).textContent",
                              revoke.get_attribute("aria-describedby"))
    assert described == device.this_device_name()  # "Revoke" says which device to a screen reader
    revoke.focus()
    page.keyboard.press("Enter")
    expect(device.button("Yes, revoke it")).to_be_focused()
    check_both_languages(page, "devices, confirming a revoke")
    device.button("Cancel").click()

    # Prepare for crossing, with its confirmation open
    device.open_sync()
    device.button("Prepare for crossing").click()
    check_both_languages(page, "prepare for crossing")
    assert "Prepare for crossing" in names_reached_by_tab(page)
    device.button("Prepare for crossing").focus()
    page.keyboard.press("Enter")
    expect(device.button("Yes, send everything and empty this phone")).to_be_focused()
    check_both_languages(page, "prepare for crossing, confirming")
    page.keyboard.press("Enter")
    expect(device.button("Create vault")).to_be_visible(timeout=SYNC)
    check_both_languages(page, "empty app after crossing")

    # Sign in, with a wrong Secret Key first (one neutral message)
    device.button("Sign in").click()
    check_both_languages(page, "sign in")
    assert {"Username", "Passphrase", "Secret Key", "Sign in"} <= set(names_reached_by_tab(page))
    device.field("Username").fill(username)
    device.field("Passphrase").fill(passphrase)
    device.field("Secret Key").fill("SP1-not a key")
    device.button("Sign in").click()
    expect(device.alert).to_contain_text("This does not look like a Secret Key.")
    check_both_languages(page, "sign in, error")
    device.field("Secret Key").fill(secret_key)
    device.button("Sign in").click()
    expect(device.incidents).to_be_attached(timeout=SYNC)


# --- Reduced motion ---------------------------------------------------------------------------------
# What moves in the app: the indeterminate progress bar of long work (Argon2id at Create vault and
# Unlock, a sync, a backup, an export), drawn by app.css. Chromium paints its own indeterminate
# bar with a moving sheen that ignores prefers-reduced-motion, which is why app.css draws it.

# Every element with an animation or a transition that lasts, hidden ones included (the progress
# bars of a screen wait hidden until the work starts; their computed style is already final).
MOVING = """() => [...document.querySelectorAll('*')].flatMap((el) => {
  const s = getComputedStyle(el);
  const lasts = (durations) => durations.split(',').some((d) => parseFloat(d) > 0);
  const what = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '');
  const out = [];
  if (s.animationName !== 'none' && lasts(s.animationDuration)) out.push(`${what}: animation ${s.animationName} ${s.animationDuration}`);
  if (lasts(s.transitionDuration)) out.push(`${what}: transition ${s.transitionProperty} ${s.transitionDuration}`);
  if (s.scrollBehavior === 'smooth') out.push(`${what}: smooth scrolling`);
  return out;
})"""


def moving_on_create_vault(browser, live_server: str, reduced_motion: str) -> list[str]:  # type: ignore[no-untyped-def]
    from tests.e2e.guard import PageGuard

    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                  reduced_motion=reduced_motion)
    guard = PageGuard(context.new_page(), live_server)
    try:
        AppShell(guard.page).open()
        assert guard.page.locator("#screen [data-screen=create] progress").count() == 1
        moving = guard.page.evaluate(MOVING)
        guard.assert_clean()
        return list(moving)
    finally:
        context.close()


def test_nothing_moves_when_the_phone_asks_for_reduced_motion(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    # Given a phone set to "remove animations", nothing on the page animates or transitions.
    assert moving_on_create_vault(browser, live_server, "reduce") == []
    # Without that setting, the busy bar of Create vault does move: the check above is not empty
    # by accident (this fails if app.css's prefers-reduced-motion rule is what stops it).
    moving = moving_on_create_vault(browser, live_server, "no-preference")
    assert any(line.startswith("progress") and "animation" in line for line in moving), moving


# --- 200% zoom ---------------------------------------------------------------------------------------
# Browser zoom (Chrome's "Zoom" setting, Ctrl +, and Android Chrome's "Text scaling" / page zoom)
# makes every CSS px twice as big: the page then lays out in half as many CSS px, and media queries
# see the smaller width. A 360 px phone at 200% is therefore a 180 x 370 CSS px viewport, drawn at
# two device pixels per CSS px — what the context below is. The other candidates are not the
# same thing: CDP's Emulation.setPageScaleFactor is pinch zoom (the layout stays 360 px wide and
# the person pans sideways, WCAG 1.4.10's failure case), and CSS `zoom` on <body> leaves media
# queries, viewport units and the root font size where they were. Sizes in app.css are in rem,
# so controls grow with a larger text size as well.
ZOOMED = {"width": 180, "height": 370}

# What 200% loses: anything wider than the screen; text cut off at the edge of the screen or of a
# box that clips; content wider than its box; text squeezed into a column a few letters wide (a
# hash one character a line is there, but cannot be read); a control that cannot be brought into
# view (or is hidden under something else once it is). Visually hidden text (for screen readers,
# 1 px), the skip link (off screen until focused) and file inputs (behind their label) are meant
# so. A select's chosen option is not measured (Chromium gives no width for it); its list shows
# every option in full when opened.
LOSSES = """() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const lost = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const meant = (el) => !!el.closest('.visually-hidden, .skip-link, .file-input');
  if (doc.scrollWidth > width) lost.push(`page: ${doc.scrollWidth} px wide on a ${width} px screen`);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!n.textContent.trim() || !shown(parent) || meant(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const lines = [...range.getClientRects()];
    if (lines.some((r) => r.left < -1 || r.right > width + 1)) lost.push(`text off screen: ${name(parent)}`);
    let box = parent;
    while (box && box.clientWidth === 0) box = box.parentElement;
    const em = parseFloat(getComputedStyle(parent).fontSize);
    if (lines.length > 1 && box && box.clientWidth < 4 * em) lost.push(`text squeezed into ${box.clientWidth} px: ${name(box)}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || meant(el) || el.clientWidth === 0) continue;
    if (['INPUT', 'TEXTAREA', 'SELECT', 'CANVAS', 'SVG', 'IMG', 'VIDEO'].includes(el.tagName.toUpperCase())) continue;
    if (el.scrollWidth > el.clientWidth + 1) lost.push(`wider than its box (${el.scrollWidth} > ${el.clientWidth}): ${name(el)}`);
  }
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary')) {
    if (!shown(el) || meant(el)) continue;
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > width + 1) { lost.push(`control out of reach: ${name(el)}`); continue; }
    const x = Math.min(Math.max(r.left + r.width / 2, 0), width - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 20), 0), window.innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    const target = el.type === 'checkbox' || el.type === 'radio' ? el.closest('.check') || el : el;
    if (!top || !(target.contains(top) || top.contains(target) || (el.labels && [...el.labels].some((l) => l.contains(top)))))
      lost.push(`control covered by ${top ? name(top) : 'nothing'}: ${name(el)}`);
  }
  window.scrollTo(0, 0);
  return lost;
}"""


def losses_at_200_percent(page, screen: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What is lost on the open screen at 200%, in English and in Arabic (right to left)."""
    found = []
    for lang in ("ar", "en"):
        page.locator("#language").select_option(lang)
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
        found += [f"{screen} ({lang}) {loss}" for loss in page.evaluate(LOSSES)]
    return found


def test_nothing_is_lost_at_200_percent_zoom(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from tests.e2e.guard import PageGuard
    from tests.e2e.pages.vault_pages import SLOW, Vault

    context = browser.new_context(base_url=live_server, viewport=ZOOMED, device_scale_factor=2)
    guard = PageGuard(context.new_page(), live_server)
    page, vault, lost = guard.page, Vault(guard.page), []
    try:
        vault.open()
        assert page.evaluate("() => window.innerWidth") == ZOOMED["width"]
        lost += losses_at_200_percent(page, "create vault")
        vault.button("Restore from a backup").click()
        lost += losses_at_200_percent(page, "restore")
        vault.button("Back").click()
        vault.field("Passphrase").fill("a sentence only I would think of")
        vault.field("Confirm passphrase").fill("a sentence only I would think of")
        vault.button("Create vault").click()
        expect(vault.field("Secret Key")).to_be_visible(timeout=SLOW)
        lost += losses_at_200_percent(page, "emergency kit")
        vault.button("I have saved my Emergency Kit").click()
        lost += losses_at_200_percent(page, "empty list")
        vault.open_new_incident()
        vault.fill_incident(title="Phone searched at the airport", type_label="Device search",
                            what="They kept my phone for two hours and asked for the PIN.")
        lost += losses_at_200_percent(page, "new incident")
        vault.save_incident()
        lost += losses_at_200_percent(page, "list")
        vault.open_incident("Phone searched at the airport")
        lost += losses_at_200_percent(page, "incident")
        vault.button("Settings").click()
        lost += losses_at_200_percent(page, "settings")
        vault.lock()
        lost += losses_at_200_percent(page, "unlock")
        assert lost == [], "\n".join(lost)
        guard.assert_clean()
    finally:
        context.close()
