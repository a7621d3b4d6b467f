"""The app shell is sent gzip-compressed to browsers that accept it (issue 9, cheap phones on slow
3G), byte for byte the file once decoded; identity to those that do not; each variant with its
own ETag so a revalidation answers 304 only for the bytes the browser holds. The API is never
compressed (BREACH: only static, secret-free files are)."""
from __future__ import annotations

import gzip
import os

import pytest

from server import create_app, killswitch
from server.config import ROOT, TestingConfig

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
# One of each compressible type, and the largest file (pdf.js's worker, a deferred one).
TEXT_FILES = {
    "/": ROOT / "pwa" / "index.html",
    "/js/main.js": ROOT / "pwa" / "js" / "main.js",
    "/css/app.css": ROOT / "pwa" / "css" / "app.css",
    "/i18n/ar.json": ROOT / "pwa" / "i18n" / "ar.json",
    "/manifest.webmanifest": ROOT / "pwa" / "manifest.webmanifest",
    "/crypto/sp1.js": ROOT / "crypto" / "js" / "sp1.js",
    "/vendor/pdfjs/openjpeg.wasm": ROOT / "pwa" / "vendor" / "pdfjs" / "openjpeg.wasm",
    "/vendor/pdfjs/pdf.worker.js": ROOT / "pwa" / "vendor" / "pdfjs" / "pdf.worker.js",
}


@pytest.mark.parametrize("path", sorted(TEXT_FILES))
def test_a_browser_that_accepts_gzip_gets_the_exact_file_compressed(client, path: str) -> None:
    raw = TEXT_FILES[path].read_bytes()
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(raw)
    assert gzip.decompress(response.data) == raw
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br", "*;q=0"])
def test_a_browser_that_does_not_accept_gzip_gets_the_file_as_it_is(client, accept: str | None) -> None:
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    response = client.get("/js/main.js", headers=headers)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]  # a cache must still tell them apart
    assert response.data == (ROOT / "pwa" / "js" / "main.js").read_bytes()


def test_images_are_not_compressed_again(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/icons/icon-192.png", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.data == (ROOT / "pwa" / "icons" / "icon-192.png").read_bytes()


def test_each_variant_has_its_own_etag_and_revalidates_to_304(client) -> None:  # type: ignore[no-untyped-def]
    compressed = client.get("/js/main.js", headers=GZIP)
    plain = client.get("/js/main.js")
    gz_etag, raw_etag = compressed.headers["ETag"], plain.headers["ETag"]
    assert gz_etag != raw_etag

    # Each browser that kept its variant gets a 304 for it …
    again = client.get("/js/main.js", headers={**GZIP, "If-None-Match": gz_etag})
    assert again.status_code == 304 and again.data == b""
    again = client.get("/js/main.js", headers={"If-None-Match": raw_etag})
    assert again.status_code == 304 and again.data == b""

    # … but never a 304 that would let it keep the other variant's bytes.
    crossed = client.get("/js/main.js", headers={**GZIP, "If-None-Match": raw_etag})
    assert crossed.status_code == 200 and gzip.decompress(crossed.data) == plain.data
    crossed = client.get("/js/main.js", headers={"If-None-Match": gz_etag})
    assert crossed.status_code == 200 and crossed.data == plain.data


@pytest.fixture
def shell_copy(tmp_path, database_url):  # type: ignore[no-untyped-def]
    """An app serving a small shell folder of its own, to change a file under it."""
    pwa = tmp_path / "pwa"
    (pwa / "js").mkdir(parents=True)
    (pwa / "js" / "app.js").write_text("export const answer = 41;\n" * 50)
    return pwa, create_app(TestingConfig(database_url, PWA_DIR=pwa)).test_client()


def test_a_changed_file_is_compressed_again(shell_copy) -> None:  # type: ignore[no-untyped-def]
    pwa, client = shell_copy
    first = client.get("/js/app.js", headers=GZIP)
    assert b"41" in gzip.decompress(first.data)
    # A deploy replaces the file (same size, so only the file's identity and time tell).
    new = pwa / "js" / ".app.js.new"
    new.write_text("export const answer = 42;\n" * 50)
    os.replace(new, pwa / "js" / "app.js")
    second = client.get("/js/app.js", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert gzip.decompress(second.data) == (pwa / "js" / "app.js").read_bytes()
    assert second.headers["ETag"] != first.headers["ETag"]


def test_the_api_is_never_compressed(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/health", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_json() is not None


def test_kill_switch_answers_stay_correct_when_gzip_is_accepted(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    switch = tmp_path / "KILL_SWITCH"
    client = create_app(TestingConfig(database_url, KILL_SWITCH_FILE=switch)).test_client()
    killswitch.turn_on(switch)

    worker = client.get("/service-worker.js", headers=GZIP)
    assert worker.status_code == 200
    body = gzip.decompress(worker.data) if worker.headers.get("Content-Encoding") == "gzip" else worker.data
    assert body == (ROOT / "pwa" / killswitch.RETIRING_WORKER).read_bytes()
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Clear-Site-Data"] == killswitch.CLEAR_SITE_DATA

    paused = client.get("/js/main.js", headers=GZIP)
    assert paused.status_code == 503
    body = gzip.decompress(paused.data) if paused.headers.get("Content-Encoding") == "gzip" else paused.data
    assert b"Safe Passage is paused" in body
    assert paused.headers["Clear-Site-Data"] == killswitch.CLEAR_SITE_DATA
    assert paused.headers["Cache-Control"] == "no-store"
    # A 304 must never keep a retired phone on the app: the worker's ETag is the retiring one's.
    live = create_app(TestingConfig(database_url)).test_client().get("/service-worker.js", headers=GZIP)
    retired = client.get("/service-worker.js", headers={**GZIP, "If-None-Match": live.headers["ETag"]})
    assert retired.status_code == 200
