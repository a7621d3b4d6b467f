"""Page object: a screen's Help as a person meets it — the closed "Help" control right under the
screen's heading, reached with Tab from the heading and opened with Enter, as a keyboard or screen
reader user would."""
from __future__ import annotations

from playwright.sync_api import Page, expect


class ScreenHelp:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.locator("#screen h2")
        self.disclosure = page.locator("#screen details.help")
        self.summary = self.disclosure.locator("summary")
        self.sentences = self.disclosure.locator(".help-body p")

    # --- what a person does ------------------------------------------------------------------
    def tab_to_it_from_the_heading(self) -> None:
        """From the heading (where the app puts focus on every new screen), one Tab."""
        self.heading.focus()
        self.page.keyboard.press("Tab")
        expect(self.summary).to_be_focused()

    def open_with_the_keyboard(self) -> None:
        self.tab_to_it_from_the_heading()
        expect(self.disclosure).not_to_have_attribute("open", "")
        self.page.keyboard.press("Enter")
        expect(self.disclosure).to_have_attribute("open", "")

    def close_with_the_keyboard(self) -> None:
        self.tab_to_it_from_the_heading()
        self.page.keyboard.press("Enter")
        expect(self.disclosure).not_to_have_attribute("open", "")
        expect(self.sentences.first).to_be_hidden()

    # --- what a person sees ------------------------------------------------------------------
    def texts(self) -> tuple[str, list[str]]:
        """The label and the sentences, as shown."""
        return self.summary.inner_text().strip(), [text.strip() for text in self.sentences.all_inner_texts()]

    def layout(self) -> dict:  # type: ignore[type-arg]
        """Where it sits and which way it reads: right after the heading, its direction, the
        label's target size, and the gap between the label and the heading's start edge (left in
        a left-to-right language, right in a right-to-left one)."""
        return self.page.evaluate("""() => {
            const details = document.querySelector('#screen details.help');
            const summary = details.querySelector('summary');
            const heading = document.querySelector('#screen h2');
            const s = summary.getBoundingClientRect(), h = heading.getBoundingClientRect();
            const direction = getComputedStyle(details).direction;
            return {
                afterHeading: heading.nextElementSibling === details,
                direction,
                width: s.width, height: s.height,
                fromStart: direction === 'rtl' ? h.right - s.right : s.left - h.left,
            };
        }""")
