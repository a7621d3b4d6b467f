"""Issue 9, cheap phones: a first visit installs only the core of the app shell; pdf.js, the QR
scanner and the other languages' catalogs follow in the background, each stored and served only
if it is the file the signed release lists (pwa/sw/deferred.js, docs/design.md); an update
keeps them without downloading them again.

The big files are held back by the server until the test lets them through ("a slow network"),
so what is cached before and after the background fill is known exactly, never raced."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from server import create_app
from server.config import ROOT, TestingConfig
from tests.conftest import LiveServer
from tests.e2e.guard import PageGuard
from tests.e2e.pages.app_shell import AppShell
from tests.e2e.test_release import cached_texts_containing, change_welcome_title, publish
from tests.support.pdf import shapes_pdf

SPEC = importlib.util.spec_from_file_location("shell_size", ROOT / "tools" / "shell_size.py")
assert SPEC is not None and SPEC.loader is not None
shell_size = importlib.util.module_from_spec(SPEC)
sys.modules["shell_size"] = shell_size
SPEC.loader.exec_module(shell_size)

PDF_LIBRARY = "/vendor/pdfjs/pdf.js"
VIEWER_NOT_YET = ("The PDF viewer has not reached this phone yet: it comes the next time the app is "
                  "online. You can still download the file.")
MARKER = "tampered-deferred-file-9c1e"
AR_WELCOME = json.loads((ROOT / "pwa" / "i18n" / "ar.json").read_text(encoding="utf-8"))["welcome.title"]


class HeldBack:
    """WSGI middleware: requests for the deferred files wait until ``let_through()`` (a slow
    network for the big files); everything else is answered at once. Logs what was asked."""

    def __init__(self, app: Any, deferred: Callable[[str], bool]) -> None:
        self.app = app
        self.deferred = deferred
        self.gate = threading.Event()
        self.asked: list[str] = []

    def let_through(self) -> None:
        self.gate.set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self.deferred(path):
            self.asked.append(path)
            self.gate.wait(60)
        return self.app(environ, start_response)  # type: ignore[no-any-return]


@pytest.fixture
def release_dir(tmp_path: Path) -> Path:
    pwa = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", pwa)
    publish(pwa)
    return pwa


@pytest.fixture
def split(release_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(core, deferred) of the published release: path -> SHA-256 hex."""
    files = shell_size.manifest_files(release_dir)
    core, deferred = shell_size.split(files, shell_size.deferred_patterns(release_dir))
    return {p: files[p] for p in core}, {p: files[p] for p in deferred}


@pytest.fixture
def server(release_dir, split, database_url):  # type: ignore[no-untyped-def]
    app = create_app(TestingConfig(database_url, PWA_DIR=release_dir))
    held = HeldBack(app, lambda path: path in split[1])
    live = LiveServer(held)
    live.held = held  # type: ignore[attr-defined]
    yield live
    held.let_through()
    live.stop()


@pytest.fixture
def phone(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740})
    guard = PageGuard(context.new_page(), server.url)
    yield guard
    context.close()


def shell_cache(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The installed release's cache: path -> SHA-256 hex of the stored bytes."""
    return page.evaluate("""async () => {
        const name = (await caches.keys()).find((n) => n.startsWith("sp-shell-"));
        const cache = await caches.open(name);
        const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
        const stored = {};
        for (const request of await cache.keys()) {
          const body = await (await cache.match(request)).arrayBuffer();
          stored[new URL(request.url).pathname] = hex(await crypto.subtle.digest("SHA-256", body));
        }
        return stored;
    }""")


def wait_for_background_fill(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Asks the active worker for its background fill and waits for the answer:
    {missing: [...], refused: [...]} (the paths it could not fetch, or would not store)."""
    return page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        const worker = registration.active;
        if (worker.state !== "activated") {
          await new Promise((done) => worker.addEventListener("statechange", () => {
            if (worker.state === "activated") done();
          }));
        }
        const channel = new MessageChannel();
        const answer = new Promise((done) => { channel.port1.onmessage = (e) => done(e.data); });
        worker.postMessage({ type: "FILL_DEFERRED" }, [channel.port2]);
        return answer;
    }""")


def tiny_pdf() -> bytes:
    """A one-page PDF with a blue square and no text (no font to load)."""
    return shapes_pdf([b"0 0 1 rg 50 25 100 50 re f"], 200, 100)


def show_pdf(page, pdf: bytes) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What a legal supporter sees when a case file is a PDF: the app's own viewer
    (js/ui/pdf-view.js, which loads pdf.js) draws it below the page; returns its caption and
    whether the middle of the page came out blue."""
    return page.evaluate("""async (b64) => {
        const { pdfView } = await import("/js/ui/pdf-view.js");
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const view = pdfView(new Blob([bytes], { type: "application/pdf" }), { nameId: "about-title" });
        document.getElementById("main").append(view.node);
        await view.open();
        const canvas = view.node.querySelector("canvas");
        let blue = false;
        if (!canvas.hidden && canvas.width) {
          const [r, g, b] = canvas.getContext("2d").getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
          blue = b > 200 && r < 60 && g < 60;
        }
        const caption = view.node.querySelector(".pdf-where").textContent;
        view.dispose();
        view.node.remove();
        return { caption, blue };
    }""", base64.b64encode(pdf).decode("ascii"))


def test_first_visit_installs_the_core_and_the_rest_follows_for_offline_use(
        phone, server, split) -> None:  # type: ignore[no-untyped-def]
    page = phone.page
    app = AppShell(page)
    core, deferred = split
    # Given a delegate's first visit on a network too slow for the big files to arrive yet
    app.open()
    app.wait_until_installed_for_offline_use()

    # Then the app is installed with its whole core, verified, and none of the deferred files
    stored = shell_cache(page)
    assert {path: stored.get(path) for path in core} == core
    assert PDF_LIBRARY in deferred and "/i18n/ar.json" in deferred
    assert [path for path in deferred if path in stored] == []

    # When the big files get through, the worker fetches them in the background
    server.held.let_through()
    assert wait_for_background_fill(page) == {"type": "DEFERRED", "missing": [], "refused": []}

    # Then every one of them is stored, with exactly the bytes the signed release lists
    stored = shell_cache(page)
    assert {path: stored.get(path) for path in deferred} == deferred

    # When the server is gone (no network at all) and she opens the app in Arabic
    server.stop()
    page.context.set_offline(True)
    phone.expect_console_error("net::ERR_INTERNET_DISCONNECTED")  # the app's own online checks
    app.reload()
    app.choose_language("العربية")

    # Then it works offline in Arabic, also after another start
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    app.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(app.welcome_heading).to_have_text(AR_WELCOME)
    # and a PDF in a case file is drawn, by the pdf.js the fill stored
    shown = show_pdf(page, tiny_pdf())
    assert shown["blue"], shown
    phone.assert_clean()


def test_a_deferred_file_changed_on_the_server_after_install_is_never_stored_or_served(
        phone, server, release_dir, split) -> None:  # type: ignore[no-untyped-def]
    page = phone.page
    app = AppShell(page)
    _core, deferred = split
    library = release_dir / PDF_LIBRARY.lstrip("/")
    genuine = library.read_bytes()
    # Given a phone that installed the release while the big files were still on their way
    app.open()
    app.wait_until_installed_for_offline_use()
    assert PDF_LIBRARY not in shell_cache(page)
    # (offline now, a PDF cannot be drawn yet: the viewer says what is missing and when it comes)
    phone.expect_console_error("net::ERR_FAILED")  # the worker cannot fetch pdf.js offline
    page.context.set_offline(True)
    assert show_pdf(page, tiny_pdf()) == {"caption": VIEWER_NOT_YET, "blue": False}
    page.context.set_offline(False)

    # When the server's pdf.js is altered after the phone installed the release
    with library.open("a") as f:
        f.write(f"\n/* {MARKER} */\n")
    server.held.let_through()

    # Then the background fill refuses it and stores everything else
    result = wait_for_background_fill(page)
    assert result["refused"] == [PDF_LIBRARY] and result["missing"] == []
    stored = shell_cache(page)
    assert PDF_LIBRARY not in stored
    assert {p: stored.get(p) for p in deferred if p != PDF_LIBRARY} == {
        p: h for p, h in deferred.items() if p != PDF_LIBRARY}

    # And when the app asks for it, the worker answers an error, never the altered bytes
    phone.expect_console_error("status of 502")
    answer = page.evaluate("""async (path) => {
        const response = await fetch(path);
        return { status: response.status, body: await response.text() };
    }""", PDF_LIBRARY)
    assert answer["status"] == 502 and MARKER not in answer["body"]
    # so a PDF is not drawn: the viewer says so (and the case screen offers the file to save)
    shown = show_pdf(page, tiny_pdf())
    assert shown == {"caption": "This PDF cannot be shown on this phone.", "blue": False}
    assert cached_texts_containing(page, MARKER) == []

    # When the server has the signed file again, the next use gets it, verified and stored
    library.write_bytes(genuine)
    assert show_pdf(page, tiny_pdf())["blue"]
    assert shell_cache(page)[PDF_LIBRARY] == hashlib.sha256(genuine).hexdigest()
    phone.assert_clean()


def test_an_update_keeps_the_deferred_files_without_downloading_them_again(
        phone, server, release_dir, split) -> None:  # type: ignore[no-untyped-def]
    page = phone.page
    app = AppShell(page)
    _core, deferred = split
    # Given a phone whose background fill has finished
    server.held.let_through()
    app.open()
    app.wait_until_installed_for_offline_use()
    assert wait_for_background_fill(page)["missing"] == []
    old_version = app.running_version()

    # When a new release changes a core file only, and the delegate takes the update
    catalog_path = release_dir / "i18n" / "en.json"
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    catalog["welcome.title"] = "Record what happened, safely (new)"
    catalog_path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    publish(release_dir)
    asked_before = len(server.held.asked)
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    with page.expect_navigation():
        app.update_button.click()
    app.wait_until_ready()
    expect(app.welcome_heading).to_have_text("Record what happened, safely (new)")
    expect(page.locator("#about-version")).not_to_have_text(old_version)

    # Then the new version holds every deferred file, checked, and none was downloaded again
    stored = shell_cache(page)
    assert {path: stored.get(path) for path in deferred} == deferred
    assert server.held.asked[asked_before:] == []
    phone.assert_clean()


def test_an_update_never_waits_for_the_background_fill(phone, server, release_dir) -> None:  # type: ignore[no-untyped-def]
    # (CI once found the kill switch's retiring worker still waiting 5 s after a reload: Chromium
    # activates a new worker only when the old one has no event in flight, and the fill held
    # every event open. The same held "Reload to update" back for as long as pdf.js took.)
    page = phone.page
    app = AppShell(page)
    # Given a phone whose worker is still fetching the big files, on a network that holds them
    app.open()
    app.wait_until_installed_for_offline_use()
    app.reload()  # events the worker handles while the fill runs
    # When a new release is published and the delegate takes the update
    change_welcome_title(release_dir, "Record what happened, safely (v2)")
    v2 = publish(release_dir)
    app.reload()
    expect(app.update_button).to_be_visible(timeout=20_000)
    app.update_button.click()
    # Then the new version runs at once, while the big files are still on their way
    expect(page.locator("#about-version")).to_have_text(v2.version, timeout=15_000)
    expect(app.welcome_heading).to_have_text("Record what happened, safely (v2)")
    assert not server.held.gate.is_set()
    phone.assert_clean()
