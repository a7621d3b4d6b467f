"""Werkzeug's development server, with access log lines that name no one.

Werkzeug's default request handler starts every log line with the client's address and logs the
full request line, query string included. A delegate's address next to the time of a sync is
exactly what a seized server's logs should not hold (docs/sync-api.md "Conventions"), so
``python -m server`` and the tests' live server use this handler instead: method, path (no query
string), status, and a time to the minute. Production runs gunicorn, whose access log is off
unless an operator turns it on.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler


class AnonymousRequestHandler(WSGIRequestHandler):
    def address_string(self) -> str:
        # Every werkzeug log line (errors too) starts with this: never the peer's address.
        return "-"

    def log_date_time_string(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.gmtime())

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        method = getattr(self, "command", None) or "-"
        path = urlsplit(getattr(self, "path", None) or "-").path
        line = f"{method} {path}".translate(self._control_char_table)
        self.log("info", '"%s" %s', line, getattr(code, "value", code))
