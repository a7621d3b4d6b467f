"""``python -m server`` (what ``make run`` calls): migrate, then serve on 127.0.0.1:8000.

This is the development server, plain http on loopback only. Production runs gunicorn behind a
TLS proxy (see README).
"""
from __future__ import annotations

import os

from werkzeug.serving import run_simple

from . import create_app
from .config import DevelopmentConfig
from .db import upgrade
from .serving import AnonymousRequestHandler


def main() -> None:
    config = DevelopmentConfig()
    upgrade(config.SQLALCHEMY_DATABASE_URL)
    app = create_app(config)
    host, port = "127.0.0.1", int(os.environ.get("PORT", "8000"))
    backend = config.SQLALCHEMY_DATABASE_URL.split(":", 1)[0]
    print(f"\nSafe Passage is running at http://{host}:{port}/  (database: {backend})\n", flush=True)
    run_simple(host, port, app, threaded=True, use_reloader=False,
               request_handler=AnonymousRequestHandler)


if __name__ == "__main__":
    main()
