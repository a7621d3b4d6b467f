"""A delegate opens the app once on hotel Wi-Fi; at the border, with no network, it still opens."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.pages.app_shell import AppShell


def test_app_opens_offline_after_first_visit(page) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    # Given the delegate has opened Safe Passage once while connected
    first = app.open()
    assert first is not None and first.ok
    app.wait_until_installed_for_offline_use()

    # When the network is gone and the app is opened again
    page.context.set_offline(True)
    response = app.reload()

    # Then the service worker serves the whole app shell and the app says it is offline
    assert response is not None and response.from_service_worker
    expect(app.heading).to_have_text("Safe Passage")
    expect(app.welcome_heading).to_have_text("Record what happened, safely")
    expect(app.connection_status).to_contain_text("Offline")
    page.context.set_offline(False)


def test_api_is_never_served_or_stored_by_the_worker(page, page_guard) -> None:  # type: ignore[no-untyped-def]
    app = AppShell(page)
    app.open()
    app.wait_until_installed_for_offline_use()
    online = page.evaluate("""async () => {
        const r = await fetch('/api/health');
        const cached = [];
        for (const name of await caches.keys()) {
          for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
        }
        return {status: r.status, cached};
    }""")
    assert online["status"] == 200
    assert "/" in online["cached"] and "/js/main.js" in online["cached"]
    assert not [path for path in online["cached"] if path.startswith("/api/")]

    page.context.set_offline(True)
    page_guard.expect_console_error("net::ERR_INTERNET_DISCONNECTED")
    offline = page.evaluate("""async () => {
        try { await fetch('/api/health'); return 'answered'; } catch (e) { return 'network error'; }
    }""")
    assert offline == "network error"
    page.context.set_offline(False)
