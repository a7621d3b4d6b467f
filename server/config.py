"""Configuration classes for ``create_app(config)``.

Secrets never have a usable default: development generates a random key once and keeps it in the
instance folder; production refuses to start unless an operator supplied a strong one.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("SAFEPASSAGE_INSTANCE", ROOT / "instance"))

# Anything shorter than this cannot be a randomly generated key (32 bytes, base64/hex encoded).
MIN_SECRET_KEY_LENGTH = 32
KNOWN_BAD_SECRETS = {"dev", "change-me", "changeme", "secret", "default", "test"}


def _instance_secret(name: str) -> str:
    """A random secret created on first use and kept (0600) in the instance folder."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    PWA_DIR = ROOT / "pwa"
    CRYPTO_JS_DIR = ROOT / "crypto" / "js"
    # Anything larger is refused with 413 before the body is read. Attachment parts (sync issue)
    # are bounded separately; JSON bodies never need more than this.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_NAME = "__Host-sp_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_PATH = "/"
    FORCE_HTTPS = True
    RATELIMIT_API = "300 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    JSON_SORT_KEYS = False
    DATABASE_POOLING = True
    TESTING = False

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URL = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'safepassage.db'}"
        )


class DevelopmentConfig(Config):
    """`make run`: plain http on 127.0.0.1, a per-instance random secret."""

    FORCE_HTTPS = False

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = os.environ.get("SAFEPASSAGE_SECRET_KEY") or _instance_secret("secret_key")


class TestingConfig(Config):
    """Tests pass a database URL in; plain http on 127.0.0.1."""

    __test__ = False  # not a pytest test class, despite the name
    TESTING = True
    FORCE_HTTPS = False
    DATABASE_POOLING = False

    def __init__(self, database_url: str, **overrides: object) -> None:
        super().__init__()
        self.SECRET_KEY = secrets.token_urlsafe(48)
        self.SQLALCHEMY_DATABASE_URL = database_url
        for key, value in overrides.items():
            setattr(self, key, value)


class ProductionConfig(Config):
    """Behind a TLS-terminating proxy; refuses to start without a strong secret key."""

    def __init__(self) -> None:
        super().__init__()
        key = os.environ.get("SAFEPASSAGE_SECRET_KEY", "")
        if len(key) < MIN_SECRET_KEY_LENGTH or key.lower() in KNOWN_BAD_SECRETS:
            raise RuntimeError(
                "SAFEPASSAGE_SECRET_KEY is missing or too weak: set it to a random value of at "
                f"least {MIN_SECRET_KEY_LENGTH} characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("DATABASE_URL must be set in production (postgresql+psycopg://...).")
        self.SECRET_KEY = key
