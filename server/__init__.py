"""Safe Passage server: an untrusted relay for end-to-end encrypted evidence.

``create_app(config)`` builds the Flask app; tests pass their config straight in.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from .config import Config, DevelopmentConfig

__version__ = "0.1.0"


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_object(config if config is not None else DevelopmentConfig())

    from . import cli, errors, ratelimit, security, shell
    from .api import bp as api_bp
    from .db import db

    db.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    @app.before_request
    def _refuse_oversize_early() -> None:
        # Refuse on the declared length alone, before a byte of the body is read. Bodies without
        # a length (chunked) are capped by MAX_CONTENT_LENGTH while they are read.
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    app.register_blueprint(api_bp)
    app.register_blueprint(shell.bp)
    ratelimit.init_app(app, api_bp)
    cli.init_app(app)
    return app
