"""Watches a page for what must never happen: CSP violations, console errors, uncaught page
errors, and requests to any origin but the app's own."""
from __future__ import annotations

from urllib.parse import urlsplit

# Installed before any page script runs; CDP-injected, so the strict CSP does not block it.
COLLECT_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


class PageGuard:
    def __init__(self, page, origin: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.csp_violations: list[str] = []
        self.expected_console_errors: list[str] = []
        page.add_init_script(COLLECT_CSP_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.context.on("request", self._on_request)
        page.on("close", lambda _p: None)

    def expect_console_error(self, text: str) -> None:
        """A test that provokes an error on purpose (e.g. a fetch while offline) names it."""
        self.expected_console_errors.append(text)

    def _on_console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" and not any(t in message.text for t in self.expected_console_errors):
            self.console_errors.append(message.text)
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def _on_request(self, request) -> None:  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def collect_page_violations(self) -> None:
        if self.page.is_closed():
            return
        try:
            self.csp_violations += self.page.evaluate("() => window.__cspViolations || []")
        except Exception:  # the page may be mid-navigation or crashed; console still caught it
            pass

    def assert_clean(self) -> None:
        self.collect_page_violations()
        assert not self.csp_violations, f"CSP violations: {self.csp_violations}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.foreign_requests, f"requests to other origins: {self.foreign_requests}"
