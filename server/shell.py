"""The app shell: the PWA's static files, the browser crypto modules and the vendored libraries.

Only files that exist under the three folders are served, with explicit MIME types so that
``nosniff`` never blocks a module. Everything is revalidated (``no-cache``): the service worker,
not the HTTP cache, is what makes the app work offline, and updates must be seen promptly.

While the operator's kill switch is on (server/killswitch.py), every shell request gets the
retiring worker or the static "paused" page instead; the API is not affected.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
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
# Folders of the shell that may be served, with the URL prefix each lives under.
PWA_FOLDERS = ("js", "css", "i18n", "icons", "vendor", "sw")


def _send(folder: Path, filename: str) -> Response:
    suffix = Path(filename).suffix
    path = safe_join(str(folder), filename)
    if suffix not in MIME or path is None or not Path(path).is_file():
        abort(404)
    # Shell files are small (the largest vendored module is ~30 KB): read them whole, which
    # leaves no file handle open, and let the ETag answer revalidations with 304.
    response = Response(Path(path).read_bytes(), mimetype=MIME[suffix])
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
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
