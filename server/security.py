"""Security headers on every response (API, app shell, static files and errors alike).

flask-talisman sets CSP, HSTS, nosniff, frame and referrer policy and the HTTPS redirect; the
few headers it does not know (COOP, CORP) and the API's no-store are added here.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

# No inline script or style anywhere (the shell is cached by the service worker, so a nonce would
# freeze); 'wasm-unsafe-eval' only because hash-wasm compiles Argon2id from WebAssembly.
CSP = {
    "default-src": "'none'",
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": "'self'",
    "img-src": ["'self'", "blob:", "data:"],
    "media-src": ["'self'", "blob:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Camera, microphone and location are for capturing evidence in the app itself; nothing else.
PERMISSIONS = {
    "camera": "(self)",
    "microphone": "(self)",
    "geolocation": "(self)",
    "payment": "()",
    "usb": "()",
    "interest-cohort": "()",
}

talisman = Talisman()


def init_app(app: Flask) -> None:
    https = bool(app.config["FORCE_HTTPS"])
    talisman.init_app(
        app,
        content_security_policy=CSP,
        content_security_policy_nonce_in=[],
        force_https=https,
        strict_transport_security=https,
        strict_transport_security_max_age=63072000,
        strict_transport_security_include_subdomains=True,
        frame_options="DENY",
        referrer_policy="no-referrer",
        permissions_policy=PERMISSIONS,
        session_cookie_secure=True,
        session_cookie_http_only=True,
        session_cookie_samesite="Strict",
        x_content_type_options=True,
    )

    @app.after_request
    def _extra_headers(response: Response) -> Response:
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response
