"""The header matrix: every route in the URL map, a 404 and a static file all carry the same
security headers; the API is never cached; production adds HSTS and the HTTPS redirect."""
from __future__ import annotations

from pathlib import Path

import pytest

from server import create_app
from server.config import ROOT, ProductionConfig

EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


# Routes that take an id: a well-formed id nobody has (404 for GET, or 401 without a session).
SAMPLE_ID = "AAAAAAAAAAAAAAAAAAAAAA"
ID_ROUTES = {"api.uploads.upload_state", "api.uploads.put_part", "api.uploads.download",
             "api.devices.revoke", "api.shares.revoke", "api.alerts.checkin"}


def _with_sample_id(rule) -> str:  # type: ignore[no-untyped-def]
    url = str(rule.rule)
    for argument in rule.arguments:
        url = url.replace(f"<{argument}>", SAMPLE_ID)
    return url


def sample_unsafe_requests(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, URL) for every state-changing route in the URL map."""
    requests = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT", "DELETE", "PATCH"}):
            if rule.arguments and rule.endpoint not in ID_ROUTES:
                raise AssertionError(f"the header matrix does not know route {rule.rule}; add it")
            requests.append((method, _with_sample_id(rule) if rule.arguments else rule.rule))
    return requests


def sample_urls(app) -> list[str]:  # type: ignore[no-untyped-def]
    """One concrete URL for every rule in the URL map (a real file for file routes)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.endpoint == "shell.root_file":
            urls += [f"/{name}" for name in ("index.html", "manifest.webmanifest", "manifest-notes.webmanifest",
                                             "service-worker.js", "release.js")]
        elif rule.endpoint == "shell.pwa_file":
            urls += ["/js/main.js", "/css/app.css", "/i18n/ar.json", "/icons/icon-192.png",
                     "/vendor/idb.js"]
        elif rule.endpoint == "shell.crypto_file":
            first = sorted(p.name for p in (ROOT / "crypto" / "js").glob("*.js"))
            urls.append(f"/crypto/{first[0]}" if first else "/crypto/missing.js")
        elif rule.endpoint in ID_ROUTES:
            urls.append(_with_sample_id(rule))
        else:
            raise AssertionError(f"the header matrix does not know route {rule.rule}; add it")
    return urls + ["/no-such-page", "/api/no-such-endpoint"]


def test_matrix_covers_the_whole_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {"/", "/api/health", "/js/main.js", "/no-such-page"} <= set(sample_urls(app))


def test_every_response_carries_the_security_headers(app, client) -> None:  # type: ignore[no-untyped-def]
    for url in sample_urls(app):
        response = client.get(url)
        # 401: the API routes that need a session answer so, with the same headers.
        assert response.status_code in (200, 401, 404), url
        assert_security_headers(url, response.headers)


def test_state_changing_routes_carry_the_security_headers(app, client) -> None:  # type: ignore[no-untyped-def]
    unsafe = sample_unsafe_requests(app)
    assert ("POST", "/api/records") in unsafe and ("PUT", f"/api/uploads/{SAMPLE_ID}") in unsafe
    for method, url in unsafe:
        response = client.open(url, method=method, json={})
        assert 400 <= response.status_code < 500, (method, url)
        assert_security_headers(url, response.headers)


def assert_security_headers(url: str, headers) -> None:  # type: ignore[no-untyped-def]
    csp = parse_csp(headers["Content-Security-Policy"])
    for directive, value in EXPECTED_CSP.items():
        assert csp.get(directive) == value, (url, directive, csp.get(directive))
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] == "no-referrer", url
    assert headers["X-Frame-Options"] == "DENY", url
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    policy = headers["Permissions-Policy"]
    for feature in ("camera=(self)", "microphone=(self)", "geolocation=(self)"):
        assert feature in policy, (url, policy)
    if url.startswith("/api/"):
        assert headers["Cache-Control"] == "no-store", url


def test_shell_files_exist_and_have_exact_mime_types(client) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "/": "text/html", "/js/main.js": "text/javascript", "/css/app.css": "text/css",
        "/manifest.webmanifest": "application/manifest+json", "/icons/icon-192.png": "image/png",
        "/service-worker.js": "text/javascript", "/i18n/en.json": "application/json",
    }
    for url, mimetype in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == mimetype, url


def test_no_path_escapes_the_shell_folders(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/js/../../server/config.py", "/crypto/../spcrypto/__init__.py",
                "/vendor/%2e%2e/%2e%2e/package.json", "/js/main.py"):
        assert client.get(url).status_code == 404, url


def test_index_has_no_inline_script_or_style() -> None:
    html = (ROOT / "pwa" / "index.html").read_text()
    assert "<style" not in html and " style=" not in html
    for tag in html.split("<script")[1:]:
        assert 'src="' in tag.split(">")[0], "inline <script> in index.html"


@pytest.fixture
def production_app(monkeypatch, database_url):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SAFEPASSAGE_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SAFEPASSAGE_SERVER_KEY", "A" * 43)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app(ProductionConfig())
    yield app
    app.extensions["db"][0].dispose()  # production pools connections; close them here


def test_production_redirects_to_https_and_sends_hsts(production_app) -> None:  # type: ignore[no-untyped-def]
    client = production_app.test_client()
    plain = client.get("/api/health")
    assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://")
    secure = client.get("/api/health", base_url="https://safepassage.example")
    assert secure.status_code == 200
    assert "max-age=63072000" in secure.headers["Strict-Transport-Security"]


def test_session_cookie_is_host_prefixed_and_strict(production_app) -> None:  # type: ignore[no-untyped-def]
    config = production_app.config
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Strict" and config["SESSION_COOKIE_PATH"] == "/"


def test_static_files_are_revalidated_not_cached_blindly(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/service-worker.js").headers["Cache-Control"] == "no-cache"
    assert Path(ROOT / "pwa" / "service-worker.js").exists()
