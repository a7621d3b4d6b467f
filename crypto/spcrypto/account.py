"""Account keys (SPEC.md §3–4): passphrase → Argon2id → auth key and KEK; ASK; AK wrapping.

Public recipes check the KDF policy and draw randomness; the ``_..._from_parts`` functions take
every input explicitly so the test vectors can pin their output.
"""

from __future__ import annotations

import base64
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _primitives as P
from ._encoding import b64u_decode, b64u_encode, canonical_dumps, dst, strict_json_loads
from .errors import FormatError, KdfPolicyError, UnsupportedVersion

__all__ = [
    "AccountKeys",
    "KdfParams",
    "check_kdf_policy",
    "derive_account_keys",
    "format_ask",
    "generate_ak",
    "generate_ask",
    "new_kdf_params",
    "parse_ask",
    "unwrap_ak",
    "wrap_ak",
]

# Defaults for new accounts (SPEC.md §3.1): RFC 9106's second choice with p = 1, because the
# browser's Argon2 is single-threaded and p = 4 would cost it as much without adding security.
DEFAULT_T = 3
DEFAULT_M = 65536
DEFAULT_P = 1
SALT_LEN = 16
ASK_LEN = 16
AK_LEN = 32
VAULT_ID_LEN = 16

# Floor from OWASP's Argon2id minimum; ceiling so an unpinned client cannot be made to allocate
# gigabytes by a hostile server (SPEC.md §4).
FLOOR_M, FLOOR_T, FLOOR_P = 19456, 2, 1
CEIL_M, CEIL_T, CEIL_P = 262144, 16, 8

_ASK_PREFIX = "SP1"
_ASK_GROUPS = (5, 5, 5, 5, 6)
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class KdfParams:
    """An Argon2id parameter block ``{"alg":"argon2id","v":19,t,m,p,salt}``."""

    t: int
    m: int
    p: int
    salt: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": "argon2id",
            "m": self.m,
            "p": self.p,
            "salt": b64u_encode(self.salt),
            "t": self.t,
            "v": 19,
        }

    def to_text(self) -> str:
        return canonical_dumps(self.to_json())

    @classmethod
    def parse(cls, block: str | Mapping[str, Any]) -> KdfParams:
        """Parse a KDF block; raises FormatError or UnsupportedVersion (no policy check)."""
        if isinstance(block, str):
            obj = strict_json_loads(block, ascii_only=True)
            if not isinstance(obj, dict):
                raise FormatError("kdf: expected an object")
        elif isinstance(block, Mapping):
            obj = dict(block)
        else:
            raise FormatError("kdf: expected an object")
        if set(obj) != {"alg", "m", "p", "salt", "t", "v"}:
            raise FormatError("kdf: wrong members")
        for k in ("m", "p", "t", "v"):
            if not isinstance(obj[k], int) or isinstance(obj[k], bool):
                raise FormatError("kdf: parameters must be integers")
        if not isinstance(obj["alg"], str):
            raise FormatError("kdf: alg must be a string")
        if obj["alg"] != "argon2id" or obj["v"] != 19:
            raise UnsupportedVersion("kdf: only argon2id version 19 is supported")
        if isinstance(block, str) and canonical_dumps(obj) != block:
            raise FormatError("kdf: not canonical JSON")
        salt = b64u_decode(obj["salt"], what="kdf salt")
        return cls(t=obj["t"], m=obj["m"], p=obj["p"], salt=salt)


def new_kdf_params() -> KdfParams:
    return KdfParams(t=DEFAULT_T, m=DEFAULT_M, p=DEFAULT_P, salt=os.urandom(SALT_LEN))


def check_kdf_policy(
    block: str | Mapping[str, Any] | KdfParams,
    pinned: str | Mapping[str, Any] | KdfParams | None = None,
) -> KdfParams:
    """Return the parameters if they may be used, else raise (SPEC.md §4).

    Raises FormatError / UnsupportedVersion for malformed or foreign blocks, KdfPolicyError for
    parameters outside the floor/ceiling or different from the pinned ones (a downgrade).
    """
    params = block if isinstance(block, KdfParams) else KdfParams.parse(block)
    if not (FLOOR_M <= params.m <= CEIL_M and FLOOR_T <= params.t <= CEIL_T):
        raise KdfPolicyError("kdf: memory or time cost outside the allowed range")
    if not FLOOR_P <= params.p <= CEIL_P:
        raise KdfPolicyError("kdf: parallelism outside the allowed range")
    if len(params.salt) != SALT_LEN:
        raise KdfPolicyError("kdf: salt must be 16 bytes")
    if pinned is not None:
        pin = pinned if isinstance(pinned, KdfParams) else KdfParams.parse(pinned)
        if params != pin:
            raise KdfPolicyError("kdf: parameters differ from the pinned ones")
    return params


@dataclass(frozen=True)
class AccountKeys:
    """What a passphrase (and ASK) unlock. ``auth_key`` goes to the server; ``kek`` never does."""

    auth_key: bytes = field(repr=False)
    kek: bytes = field(repr=False)


def normalize_passphrase(passphrase: str) -> bytes:
    # NFC on both sides: a macOS keyboard may produce "e\u0301" where Android produces "\u00e9".
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _stretch(passphrase: str, params: KdfParams) -> bytes:
    """A = Argon2id(NFC(passphrase)); no policy check (the vectors use small parameters)."""
    return P.argon2id(
        normalize_passphrase(passphrase), params.salt, t=params.t, m=params.m, p=params.p
    )


def _keys_from_stretched(a: bytes, ask: bytes | None) -> AccountKeys:
    if ask is not None and len(ask) != ASK_LEN:
        raise FormatError("ASK must be 16 bytes")
    salt = ask or b""
    return AccountKeys(
        auth_key=P.hkdf(a, salt=salt, info=dst("auth")),
        kek=P.hkdf(a, salt=salt, info=dst("kek")),
    )


def _derive_account_keys_from_params(
    passphrase: str, params: KdfParams, ask: bytes | None
) -> AccountKeys:
    """The deterministic inner derivation: no policy, so vectors may use any parameters."""
    return _keys_from_stretched(_stretch(passphrase, params), ask)


def derive_account_keys(
    passphrase: str,
    kdf: str | Mapping[str, Any] | KdfParams,
    ask: bytes | None,
    *,
    pinned: str | Mapping[str, Any] | KdfParams | None = None,
) -> AccountKeys:
    """Check the KDF policy, then derive the auth key and KEK (SPEC.md §3.1, §4).

    Raises FormatError, UnsupportedVersion or KdfPolicyError before any Argon2 work is done.
    """
    params = check_kdf_policy(kdf, pinned)
    return _derive_account_keys_from_params(passphrase, params, ask)


def generate_ask() -> bytes:
    return os.urandom(ASK_LEN)


def format_ask(ask: bytes) -> str:
    """``SP1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXXX`` (RFC 4648 base32, groups 5-5-5-5-6)."""
    if len(ask) != ASK_LEN:
        raise FormatError("ASK must be 16 bytes")
    b32 = base64.b32encode(ask).decode("ascii").rstrip("=")
    groups, i = [], 0
    for n in _ASK_GROUPS:
        groups.append(b32[i : i + n])
        i += n
    return "-".join([_ASK_PREFIX, *groups])


def parse_ask(text: str) -> bytes:
    """Parse an ASK typed by a person: case-insensitive, spaces and dashes ignored.

    Raises FormatError for anything that is not exactly one canonical 16-byte key.
    """
    if not isinstance(text, str) or not text.isascii():
        raise FormatError("ASK: not ASCII")
    compact = "".join(ch for ch in text if ch not in " \t\r\n-").upper()
    if not compact.startswith(_ASK_PREFIX):
        raise FormatError("ASK: missing SP1 prefix")
    body = compact[len(_ASK_PREFIX) :]
    if len(body) != 26 or any(ch not in _BASE32 for ch in body):
        raise FormatError("ASK: expected 26 base32 characters")
    # 26 characters carry 130 bits; the last character's two low bits must be zero, so every
    # key has exactly one text form.
    if _BASE32.index(body[-1]) & 0b11:
        raise FormatError("ASK: non-canonical final character")
    return base64.b32decode(body + "======")


def generate_ak() -> bytes:
    return os.urandom(AK_LEN)


def _ak_ad(vault_id: bytes) -> bytes:
    if len(vault_id) != VAULT_ID_LEN:
        raise FormatError("vault_id must be 16 bytes")
    return dst("ak") + vault_id


def _wrap_ak_from_parts(kek: bytes, vault_id: bytes, ak: bytes, nonce: bytes) -> bytes:
    if len(ak) != AK_LEN or len(nonce) != P.NONCE_LEN:
        raise FormatError("AK must be 32 bytes and the nonce 12")
    return nonce + P.aead_seal(kek, nonce, ak, _ak_ad(vault_id))


def wrap_ak(kek: bytes, vault_id: bytes, ak: bytes) -> bytes:
    """wrapped_ak = n || AES-GCM(KEK, n, AK, DST("ak") || vault_id) with a fresh random n."""
    return _wrap_ak_from_parts(kek, vault_id, ak, os.urandom(P.NONCE_LEN))


def unwrap_ak(kek: bytes, vault_id: bytes, wrapped_ak: bytes) -> bytes:
    """Return AK; raises AuthError for a wrong passphrase, wrong ASK or corrupted data alike."""
    if len(wrapped_ak) != P.NONCE_LEN + AK_LEN + P.TAG_LEN:
        raise FormatError("wrapped AK has the wrong length")
    n, ct = wrapped_ak[: P.NONCE_LEN], wrapped_ak[P.NONCE_LEN :]
    return P.aead_open(kek, n, ct, _ak_ad(vault_id), what="account key")
