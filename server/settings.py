"""What the services run with: the relay's own keys and the sync limits, built once per app.

One 32-byte seed (``SERVER_KEY``, from SAFEPASSAGE_SERVER_KEY) is expanded with HKDF-SHA256 into
independent keys, one per purpose, so no key is ever used for two things:

- the Ed25519 **receipt key** (SP1 §12), whose public half clients pin at enrolment;
- the **username key**: usernames are stored only as HMAC-SHA256 under it, so a seized database
  holds no names (docs/THREAT_MODEL.md);
- the **prelogin key**: stable fake KDF salts for unknown usernames, so prelogin does not tell
  who has an account.

Services read ``current()``; it lives on the app (``app.extensions``) so two apps in one process
(tests) never share keys.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app
from spcrypto import CT_CHUNK

# HKDF info labels: versioned, and distinct from every SP1 DST ("SP1/..."), so the relay's keys
# can never collide with a key of the format itself.
_INFO_RECEIPT = b"safe-passage/server/v1/receipt-ed25519"
_INFO_USERNAME = b"safe-passage/server/v1/username-hmac"
_INFO_PRELOGIN = b"safe-passage/server/v1/prelogin-salt"


def _derive(seed: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(seed)


@dataclass(frozen=True)
class ServerKeys:
    receipt: Ed25519PrivateKey = field(repr=False)
    username: bytes = field(repr=False)
    prelogin: bytes = field(repr=False)

    @property
    def receipt_public(self) -> bytes:
        return self.receipt.public_key().public_bytes_raw()

    @classmethod
    def from_seed(cls, seed: bytes) -> ServerKeys:
        if len(seed) != 32:
            raise ValueError("the server key must be 32 bytes")
        return cls(
            receipt=Ed25519PrivateKey.from_private_bytes(_derive(seed, _INFO_RECEIPT)),
            username=_derive(seed, _INFO_USERNAME),
            prelogin=_derive(seed, _INFO_PRELOGIN),
        )


@functools.lru_cache(maxsize=4)
def _dummy_hash(params: tuple[tuple[str, int], ...]) -> str:
    """A hash of nothing anyone knows, verified when a username is unknown so that sign-in costs
    the same Argon2id work whether or not the account exists. Computed once per parameter set
    (and per process), not per app, because tests build hundreds of apps."""
    return PasswordHasher(**dict(params)).hash(os.urandom(32))


@dataclass(frozen=True)
class Settings:
    keys: ServerKeys
    hasher: PasswordHasher = field(repr=False)
    session_idle_ms: int
    session_absolute_ms: int
    invite_default_hours: int
    invite_max_hours: int
    public_url: str
    chunk_size: int  # SP1's ciphertext chunk (65552 B): fixed by the format, not configurable
    part_size: int
    max_attachment: int
    max_batch: int
    max_pull: int

    @property
    def dummy_hash(self) -> str:
        h = self.hasher
        return _dummy_hash((("hash_len", h.hash_len), ("memory_cost", h.memory_cost),
                            ("parallelism", h.parallelism), ("salt_len", h.salt_len),
                            ("time_cost", h.time_cost)))


def build(config: dict) -> Settings:  # type: ignore[type-arg]
    return Settings(
        keys=ServerKeys.from_seed(config["SERVER_KEY"]),
        hasher=PasswordHasher(**config["PASSWORD_HASH"]),
        session_idle_ms=int(config["SESSION_IDLE_SECONDS"]) * 1000,
        session_absolute_ms=int(config["SESSION_ABSOLUTE_SECONDS"]) * 1000,
        invite_default_hours=int(config["INVITE_DEFAULT_HOURS"]),
        invite_max_hours=int(config["INVITE_MAX_HOURS"]),
        public_url=str(config["PUBLIC_URL"]).rstrip("/"),
        chunk_size=CT_CHUNK,
        part_size=int(config["PART_SIZE"]),
        max_attachment=int(config["MAX_ATTACHMENT"]),
        max_batch=int(config["MAX_BATCH"]),
        max_pull=int(config["MAX_PULL"]),
    )


def init_app(app: Flask) -> None:
    settings = build(app.config)
    if settings.part_size % settings.chunk_size:
        raise RuntimeError("PART_SIZE must be a whole number of SP1 chunks")
    app.extensions["safepassage"] = settings


def current() -> Settings:
    settings: Settings = current_app.extensions["safepassage"]
    return settings
