"""Rate limits (Flask-Limiter), one limiter per app so that apps (and tests) never share counts.

The whole API gets ``RATELIMIT_API``; endpoints that an attacker would hammer (pre-login,
sign-in, invite redemption) get tighter limits from ``RATELIMITS`` = {endpoint: limit}.
Behind a proxy, ProxyFix (server/wsgi.py) makes the client address the real one.

Counts are keyed by the client address in the limiter's storage (memory), never in the database.
Flask-Limiter logs the key — the address — when a limit is breached; ``_NoAddresses`` removes
it, because no log line may hold an IP address.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


class _NoAddresses(logging.Filter):
    """Blank the key in Flask-Limiter's breach message ("ratelimit %s (%s) exceeded at endpoint:
    %s", whose second argument is the client address); other messages pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if "exceeded" in str(record.msg) and isinstance(args, tuple) and len(args) > 1:
            record.args = (args[0], "-", *args[2:])
        return True


_limiter_log = logging.getLogger("flask-limiter")
if not any(isinstance(f, _NoAddresses) for f in _limiter_log.filters):
    _limiter_log.addFilter(_NoAddresses())


def init_app(app: Flask, api: Blueprint) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[],
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    limiter.limit(lambda: app.config["RATELIMIT_API"])(api)
    for endpoint, limit in app.config.get("RATELIMITS", {}).items():
        app.view_functions[endpoint] = limiter.limit(limit)(app.view_functions[endpoint])
    return limiter
