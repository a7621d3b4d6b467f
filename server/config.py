"""Configuration classes for ``create_app(config)``.

Secrets never have a usable default: development generates random keys once and keeps them in the
instance folder; production refuses to start unless an operator supplied strong ones. There are
two: Flask's ``SECRET_KEY``, and the relay's ``SERVER_KEY`` (32 bytes; server/settings.py derives
the receipt signing key, the username HMAC key and the prelogin key from it), kept apart so that
rotating one never invalidates receipts or stored usernames.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from spcrypto import FormatError
from spcrypto import b64u_decode, b64u_encode  # SP1's one strict base64url

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("SAFEPASSAGE_INSTANCE", ROOT / "instance"))

# Anything shorter than this cannot be a randomly generated key (32 bytes, base64/hex encoded).
MIN_SECRET_KEY_LENGTH = 32
KNOWN_BAD_SECRETS = {"dev", "change-me", "changeme", "secret", "default", "test"}
SERVER_KEY_LEN = 32  # bytes of the seed behind receipts, username MACs and prelogin salts


def _instance_secret(name: str, make: Callable[[], str] = lambda: secrets.token_urlsafe(48)) -> str:
    """A random secret created on first use and kept (0600) in the instance folder."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()


def parse_server_key(text: str) -> bytes:
    """Decode SAFEPASSAGE_SERVER_KEY (unpadded base64url of 32 bytes); raises ValueError."""
    try:
        return b64u_decode(text.strip(), SERVER_KEY_LEN, what="server key")
    except FormatError:
        raise ValueError(f"the server key must be {SERVER_KEY_LEN} bytes in base64url") from None


def new_server_key_text() -> str:
    return b64u_encode(secrets.token_bytes(SERVER_KEY_LEN))


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
    # Per-address limits on what an attacker would hammer: guessing usernames (prelogin),
    # guessing auth keys (signin), guessing invite tokens (enrol, invite check) and duress
    # release tokens (the one route that takes a bearer token without a session; the duress
    # decoy retries it on every sync attempt, far below this). Endpoint names are Flask's
    # (blueprint.view).
    RATELIMITS = {
        "api.auth.prelogin": "20 per minute",
        "api.auth.signin": "10 per minute",
        "api.auth.enrol": "10 per hour",
        "api.auth.invite": "30 per hour",
        "api.alerts.release": "10 per minute",
    }
    JSON_SORT_KEYS = False
    DATABASE_POOLING = True
    TESTING = False

    # Sessions (docs/sync-api.md): server-side rows, named by a cookie holding a random token.
    SESSION_IDLE_SECONDS = 30 * 60
    SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
    INVITE_DEFAULT_HOURS = 72
    INVITE_MAX_HOURS = 30 * 24
    # Invite links are built on this; the token rides in the fragment, never sent to a server.
    PUBLIC_URL = "http://127.0.0.1:8000"

    # Sync limits. A part is 16 whole SP1 ciphertext chunks (SPEC.md §8.1: 65536 B + 16 B tag),
    # so every part boundary is a chunk boundary and a resumed upload never splits a chunk.
    PART_SIZE = 16 * 65552
    MAX_ATTACHMENT = 2 * 1024 * 1024 * 1024
    MAX_BATCH = 50
    MAX_PULL = 200

    # argon2-cffi PasswordHasher for the auth key. Its input is a 256-bit key the client derived
    # with the expensive Argon2id (SPEC.md §3.1), so nobody can guess it; the server hash only
    # has to stop a database thief from replaying the stored value as a credential. OWASP's
    # Argon2id minimum (19 MiB, t=2, p=1) is therefore plenty, and it keeps a sign-in cheap.
    PASSWORD_HASH = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1,
                     "hash_len": 32, "salt_len": 16}

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URL = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'safepassage.db'}"
        )
        self.PUBLIC_URL = os.environ.get("SAFEPASSAGE_PUBLIC_URL", self.PUBLIC_URL)


class DevelopmentConfig(Config):
    """`make run`: plain http on 127.0.0.1, a per-instance random secret."""

    FORCE_HTTPS = False

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = os.environ.get("SAFEPASSAGE_SECRET_KEY") or _instance_secret("secret_key")
        self.SERVER_KEY = parse_server_key(os.environ.get("SAFEPASSAGE_SERVER_KEY")
                                           or _instance_secret("server_key", new_server_key_text))


class TestingConfig(Config):
    """Tests pass a database URL in; plain http on 127.0.0.1.

    The server key is random per config unless ``SERVER_KEY=<32 bytes>`` is passed or
    SAFEPASSAGE_SERVER_KEY is set, so a test that restarts a server process keeps its receipts
    and usernames valid. Rate limits are high enough for whole test sessions against one app;
    tests of the limits pass ``RATELIMITS=Config.RATELIMITS``.
    """

    __test__ = False  # not a pytest test class, despite the name
    TESTING = True
    FORCE_HTTPS = False
    DATABASE_POOLING = False
    RATELIMIT_API = "100000 per minute"
    RATELIMITS = {endpoint: "100000 per minute" for endpoint in Config.RATELIMITS}

    def __init__(self, database_url: str, **overrides: object) -> None:
        super().__init__()
        self.SECRET_KEY = secrets.token_urlsafe(48)
        env_key = os.environ.get("SAFEPASSAGE_SERVER_KEY")
        self.SERVER_KEY = (parse_server_key(env_key) if env_key
                           else secrets.token_bytes(SERVER_KEY_LEN))
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
        try:
            self.SERVER_KEY = parse_server_key(os.environ.get("SAFEPASSAGE_SERVER_KEY", ""))
        except ValueError:
            raise RuntimeError(
                "SAFEPASSAGE_SERVER_KEY is missing or invalid: set it to 32 random bytes in "
                "unpadded base64url, e.g. `python -c 'import secrets, base64; print(base64."
                "urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b\"=\").decode())'`. It signs "
                "receipts and keys stored usernames: keep it, and never change it."
            ) from None
        # Load tests (many simulated delegates behind one address) may raise the API-wide limit.
        self.RATELIMIT_API = os.environ.get("SAFEPASSAGE_RATELIMIT_API", self.RATELIMIT_API)
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("DATABASE_URL must be set in production (postgresql+psycopg://...).")
        self.SECRET_KEY = key
