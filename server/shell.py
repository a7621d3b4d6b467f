"""The app shell: the PWA's static files, the browser crypto modules and the vendored libraries.

Only files that exist under the three folders are served, with explicit MIME types so that
``nosniff`` never blocks a module. Everything is revalidated (``no-cache``): the service worker,
not the HTTP cache, is what makes the app work offline, and updates must be seen promptly.

Text and WebAssembly files are sent gzip-compressed to browsers that accept it (issue 9: a first
visit on slow 3G carries about a third of the bytes). Each file is compressed once and kept in
memory until it changes on disk; the gzip variant has its own ETag, so a revalidation never
answers 304 for the other variant's bytes.

While the operator's kill switch is on (server/killswitch.py), every shell request gets the
retiring worker or the static "paused" page instead; the API is not affected.
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.http import generate_etag
from werkzeug.security import safe_join

from . import killswitch

bp = Blueprint("shell", __name__)

MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
}
# Types worth compressing. PNG is already compressed. Compression is safe here and only here:
# BREACH recovers a secret from the compressed size of a response that reflects attacker input
# next to it, and shell files are static, public and the same for everyone (no secret, no
# reflection). The API (api/ blueprint: sessions, CSRF tokens, per-user ciphertext) is never
# compressed: this module does not serve it.
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".webmanifest", ".svg", ".wasm"}
# Folders of the shell that may be served, with the URL prefix each lives under.
PWA_FOLDERS = ("js", "css", "i18n", "icons", "vendor", "sw")


@dataclass(frozen=True)
class _Gzipped:
    body: bytes
    etag: str


class GzipCache:
    """gzip -9 of shell files, computed once per version of a file on disk and kept in memory.

    A version is (path, inode, mtime, size): build_release.py and deploys replace files
    atomically (new inode and mtime), and an edit in place changes the mtime. Bounded by total
    bytes, least recently used first out: the whole shell compresses to about 1.2 MB.
    """

    def __init__(self, max_bytes: int = 16 << 20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, int, int, int], _Gzipped] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: Path) -> _Gzipped:
        st = path.stat()
        key = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        raw = path.read_bytes()
        # mtime=0: the same bytes give the same gzip (and ETag) on every server and restart.
        body = gzip.compress(raw, compresslevel=9, mtime=0)
        entry = _Gzipped(body, generate_etag(raw) + "-gzip")
        with self._lock:
            if key not in self._entries:
                self._entries[key] = entry
                self._size += len(body)
            while self._size > self.max_bytes and len(self._entries) > 1:
                _, old = self._entries.popitem(last=False)
                self._size -= len(old.body)
        return entry


_gzipped = GzipCache()


def _accepts_gzip() -> bool:
    # Accept-Encoding: "gzip", "gzip;q=0.5", "*" accept it; "identity", "gzip;q=0" do not.
    return request.accept_encodings["gzip"] > 0


def _send(folder: Path, filename: str) -> Response:
    suffix = Path(filename).suffix
    joined = safe_join(str(folder), filename)
    if suffix not in MIME or joined is None or not Path(joined).is_file():
        abort(404)
    path = Path(joined)
    if suffix in COMPRESSIBLE and _accepts_gzip():
        gz = _gzipped.get(path)
        response = Response(gz.body, mimetype=MIME[suffix])
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(gz.etag)
    else:
        # Shell files are small (the largest, pdf.js's worker, is 1.3 MB): read them whole,
        # which leaves no file handle open, and let the ETag answer revalidations with 304.
        response = Response(path.read_bytes(), mimetype=MIME[suffix])
        response.add_etag()
    if suffix in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")  # caches must not hand gzip to a client without it
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.before_request
def _kill_switch() -> Response | None:
    """While the kill switch is on: the retiring worker for the worker's URL, the paused page
    (503) for everything else, both with Clear-Site-Data: "cache" (never "storage")."""
    if not killswitch.is_on(killswitch.switch_file(current_app.config)):
        return None
    pwa_dir = current_app.config["PWA_DIR"]
    if request.path == "/service-worker.js":
        response = _send(pwa_dir, killswitch.RETIRING_WORKER)
        response.headers["Service-Worker-Allowed"] = "/"
    else:
        response = Response(Path(pwa_dir, killswitch.PAUSED_PAGE).read_bytes(), status=503,
                            mimetype=MIME[".html"])
        response.headers["Cache-Control"] = "no-store"
    response.headers["Clear-Site-Data"] = killswitch.CLEAR_SITE_DATA
    return response


@bp.get("/")
def index() -> Response:
    return _send(current_app.config["PWA_DIR"], "index.html")


@bp.get("/<any('index.html', 'manifest.webmanifest', 'manifest-notes.webmanifest', "
        "'service-worker.js', 'release.js', 'favicon.ico'):filename>")
def root_file(filename: str) -> Response:
    response = _send(current_app.config["PWA_DIR"], filename)
    if filename == "service-worker.js":
        # The worker controls the whole origin from the root scope.
        response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/<any(" + ", ".join(f"'{f}'" for f in PWA_FOLDERS) + "):folder>/<path:filename>")
def pwa_file(folder: str, filename: str) -> Response:
    return _send(current_app.config["PWA_DIR"] / folder, filename)


@bp.get("/crypto/<path:filename>")
def crypto_file(filename: str) -> Response:
    return _send(current_app.config["CRYPTO_JS_DIR"], filename)
