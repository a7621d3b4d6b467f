"""A delegate who uses only the keyboard (no mouse, no touch: a switch device, a screen reader, a
broken screen) gets through the main flow: Create vault, Emergency Kit, a new incident, the
incident opened from the list, Settings, Lock, Unlock. Only page.keyboard acts on the app here:
Tab, Shift+Tab, Enter, Space, typing and the arrow keys in a select. After every change of
screen the focus is on the new screen's heading (where a screen reader starts reading), every
control reached shows where the focus is, and the skip link jumps over the header."""
from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages.vault_pages import SLOW, Vault

PASSPHRASE = "four words only I know"
TITLE = "Phone searched at the airport"

# Counts presses of a mouse button or a finger on the page: the test must make none.
COUNT_POINTERS = """
window.__pointers = 0;
addEventListener('pointerdown', () => { window.__pointers += 1; }, true);
addEventListener('mousedown', () => { window.__pointers += 1; }, true);
"""


def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("(el) => el === document.activeElement"))


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 60) -> None:
    """Presses Tab (or Shift+Tab) until `target` has the focus, then checks the focus shows."""
    for _ in range(limit):
        if has_focus(target):
            break
        page.keyboard.press("Shift+Tab" if back else "Tab")
    else:
        raise AssertionError(f"{target} not reached with {'Shift+Tab' if back else 'Tab'} in {limit} presses")
    outline = target.evaluate("(el) => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]")
    file_label = target.evaluate("(el) => el.classList.contains('file-input')")
    assert file_label or (outline[0] != "none" and outline[1] >= 2), (str(target), outline)  # focus visible


def lands_on(page: Page, screen: str, heading: str | None = None, *, timeout: float = 5000) -> None:
    """The screen changed to `screen`, and the focus is on its heading."""
    h2 = page.locator(f"#screen > [data-screen={screen}] h2").first
    expect(h2).to_be_focused(timeout=timeout)
    if heading is not None:
        expect(h2).to_have_text(heading)


def test_the_main_flow_works_with_the_keyboard_alone(page: Page) -> None:
    keyboard = page.keyboard
    page.add_init_script(COUNT_POINTERS)
    vault = Vault(page)
    vault.open()

    # The skip link is the first stop, shows when focused, and jumps over the header to the content.
    keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("(el) => el.getBoundingClientRect().top >= 0")
    keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#main')"), "Tab after the skip link left the content"

    # Create vault: type the passphrase twice, Enter submits.
    tab_to(page, vault.field("Passphrase"))
    keyboard.type(PASSPHRASE)
    tab_to(page, vault.field("Confirm passphrase"))
    keyboard.type(PASSPHRASE)
    keyboard.press("Enter")
    lands_on(page, "kit", "Your Emergency Kit", timeout=SLOW)

    # Emergency Kit: Space presses the button.
    tab_to(page, vault.button("I have saved my Emergency Kit"))
    keyboard.press("Space")
    lands_on(page, "list", "My incidents")

    # New incident: back up to the session bar, then the form with a select chosen by arrow keys.
    tab_to(page, vault.button("New incident"), back=True)
    keyboard.press("Enter")
    lands_on(page, "form", "New incident")
    tab_to(page, vault.field("Title"))
    keyboard.type(TITLE)
    kind = vault.field("Incident type")
    tab_to(page, kind)
    for _ in range(10):
        if kind.input_value() == "device-search":
            break
        keyboard.press("ArrowDown")
    expect(kind).to_have_value("device-search")
    tab_to(page, vault.field("What happened"))
    keyboard.type("They kept my phone for two hours.")
    tab_to(page, vault.button("Save incident"))
    keyboard.press("Enter")
    lands_on(page, "list", "My incidents", timeout=SLOW)

    # Open it from the list.
    tab_to(page, vault.incidents.get_by_role("button").filter(has_text=TITLE))
    keyboard.press("Enter")
    lands_on(page, "detail", TITLE)
    expect(page.locator("[data-screen=detail] .facts")).to_contain_text("They kept my phone for two hours.")

    # Settings, then Lock, from the session bar.
    tab_to(page, vault.button("Settings"), back=True)
    keyboard.press("Enter")
    lands_on(page, "settings", "Settings")
    tab_to(page, vault.button("Lock"), back=True)
    keyboard.press("Enter")
    lands_on(page, "unlock", "Unlock your vault")

    # Unlock: the incident is there again.
    tab_to(page, vault.field("Passphrase"))
    keyboard.type(PASSPHRASE)
    keyboard.press("Enter")
    lands_on(page, "list", "My incidents", timeout=SLOW)
    expect(vault.incidents.get_by_role("button").filter(has_text=TITLE)).to_have_count(1)

    assert page.evaluate("() => window.__pointers") == 0, "something was clicked or touched"
