"""Rate limits (Flask-Limiter), one limiter per app so that apps (and tests) never share counts.

The whole API gets ``RATELIMIT_API``; endpoints that an attacker would hammer (pre-login,
sign-in, invite redemption) get tighter limits from ``RATELIMITS`` = {endpoint: limit}.
Behind a proxy, ProxyFix (server/wsgi.py) makes the client address the real one.
"""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask, api: Blueprint) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[],
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    limiter.limit(lambda: app.config["RATELIMIT_API"])(api)
    for endpoint, limit in app.config.get("RATELIMITS", {}).items():
        app.view_functions[endpoint] = limiter.limit(limit)(app.view_functions[endpoint])
    return limiter
