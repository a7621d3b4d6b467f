"""Safe Passage server: an untrusted relay for end-to-end encrypted evidence.

``create_app(config)`` builds the Flask app; tests pass their config straight in.
"""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.exceptions import RequestEntityTooLarge

from .config import Config, DevelopmentConfig

__version__ = "0.1.0"

# The one route whose body may be raw ciphertext; it is capped at PART_SIZE instead.
PART_ENDPOINT = "api.uploads.put_part"


class _NoClientSessions(SessionInterface):
    """Sessions live in the database (services/sessions.py), never in a signed cookie: Flask's
    own session is a NullSession that refuses writes, and it never reads the session cookie."""

    def open_session(self, app: Flask, request: object) -> SessionMixin:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: object) -> None:
        return None


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_object(config if config is not None else DevelopmentConfig())
    app.session_interface = _NoClientSessions()

    from . import cli, errors, ratelimit, security, settings, shell
    from .api import bp as api_bp
    from .db import db

    db.init_app(app)
    settings.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    @app.before_request
    def _refuse_oversize_early() -> None:
        # Refuse on the declared length alone, before a byte of the body is read. Bodies without
        # a length (chunked) are capped by the same limit while they are read. JSON bodies get
        # MAX_CONTENT_LENGTH; an attachment part gets one part.
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.endpoint == PART_ENDPOINT:
            limit = app.config["PART_SIZE"]
            request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    app.register_blueprint(api_bp)
    app.register_blueprint(shell.bp)
    ratelimit.init_app(app, api_bp)
    cli.init_app(app)
    return app
