"""Identity keys, key ids, wrapped private keys, public bundles, safety numbers (SPEC.md §5, §13)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from . import _primitives as P
from ._encoding import (
    SUITE,
    VERSION,
    b64u_decode,
    b64u_encode,
    canonical_dumps,
    dst,
    parse_versioned_canonical,
    u16,
)
from .errors import AuthError, FormatError

__all__ = [
    "Bundle",
    "Identity",
    "generate_identity",
    "kid_for",
    "make_bundle",
    "safety_number",
    "unwrap_identity",
    "verify_bundle",
    "wrap_identity",
]

KID_LEN = 16
SAFETY_ITERATIONS = 5200  # libsignal's value: > 112 bits against a targeted collision search


def kid_for(sig_pub: bytes) -> bytes:
    """kid = SHA-256(DST("kid") || sig_pub)[0:16]."""
    return P.sha256(dst("kid"), sig_pub)[:KID_LEN]


@dataclass(frozen=True)
class Identity:
    """A private identity: Ed25519 for signatures, X25519 for HPKE. Never persisted unwrapped."""

    sig_priv: Ed25519PrivateKey = field(repr=False)
    enc_priv: X25519PrivateKey = field(repr=False)

    @property
    def sig_pub(self) -> bytes:
        return P.ed25519_public(self.sig_priv)

    @property
    def enc_pub(self) -> bytes:
        return P.x25519_public(self.enc_priv)

    @property
    def kid(self) -> bytes:
        return kid_for(self.sig_pub)

    def sign(self, message: bytes) -> bytes:
        return self.sig_priv.sign(message)


def generate_identity() -> Identity:
    return _identity_from_seeds(os.urandom(32), os.urandom(32))


def _identity_from_seeds(sig_seed: bytes, enc_seed: bytes) -> Identity:
    return Identity(P.ed25519_from_seed(sig_seed), P.x25519_from_seed(enc_seed))


def _idkey_ad(kid: bytes, which: bytes) -> bytes:
    return dst("idkey") + kid + which


def _wrap_identity_from_parts(
    identity: Identity, ak: bytes, nonce_sig: bytes, nonce_enc: bytes
) -> dict[str, bytes]:
    kid = identity.kid
    return {
        "sig": nonce_sig
        + P.aead_seal(ak, nonce_sig, P.pkcs8(identity.sig_priv), _idkey_ad(kid, b"sig")),
        "enc": nonce_enc
        + P.aead_seal(ak, nonce_enc, P.pkcs8(identity.enc_priv), _idkey_ad(kid, b"enc")),
    }


def wrap_identity(identity: Identity, ak: bytes) -> dict[str, bytes]:
    """Wrap both private keys (PKCS#8) under AK: {"sig": n||ct, "enc": n||ct}."""
    return _wrap_identity_from_parts(
        identity, ak, os.urandom(P.NONCE_LEN), os.urandom(P.NONCE_LEN)
    )


def unwrap_identity(ak: bytes, kid: bytes, wrapped_sig: bytes, wrapped_enc: bytes) -> Identity:
    """Unwrap both private keys; raises AuthError on AEAD failure or if they do not match ``kid``."""
    keys = []
    for wrapped, which in ((wrapped_sig, b"sig"), (wrapped_enc, b"enc")):
        if len(wrapped) <= P.NONCE_LEN + P.TAG_LEN:
            raise FormatError("wrapped identity key too short")
        der = P.aead_open(
            ak,
            wrapped[: P.NONCE_LEN],
            wrapped[P.NONCE_LEN :],
            _idkey_ad(kid, which),
            what="identity key",
        )
        keys.append(P.load_pkcs8(der))
    sig_priv, enc_priv = keys
    if not isinstance(sig_priv, Ed25519PrivateKey) or not isinstance(enc_priv, X25519PrivateKey):
        raise FormatError("wrapped identity keys have the wrong algorithms")
    identity = Identity(sig_priv, enc_priv)
    if not P.ct_equal(identity.kid, kid):
        raise AuthError("identity key does not match its kid")
    return identity


@dataclass(frozen=True)
class Bundle:
    """A verified public bundle. Only verify_bundle and make_bundle construct these."""

    uid: str
    role: str
    kid: bytes
    sig_pub: bytes
    enc_pub: bytes
    text: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"bundle": self.text, "sig": b64u_encode(self.sig)}


def _bundle_message(text: str) -> bytes:
    return dst("bundle") + P.sha256(text.encode("ascii"))


def make_bundle(identity: Identity, uid: str, role: str) -> dict[str, str]:
    """Return the signed bundle ``{"bundle": <canonical text>, "sig": b64u}`` (SPEC.md §5.3)."""
    if not uid or not role:
        raise FormatError("bundle: uid and role must be non-empty")
    text = canonical_dumps(
        {
            "enc_pub": b64u_encode(identity.enc_pub),
            "kid": b64u_encode(identity.kid),
            "role": role,
            "sig_pub": b64u_encode(identity.sig_pub),
            "suite": SUITE,
            "typ": "sp.bundle",
            "uid": uid,
            "v": VERSION,
        }
    )
    return {"bundle": text, "sig": b64u_encode(identity.sign(_bundle_message(text)))}


def verify_bundle(signed: Mapping[str, Any]) -> Bundle:
    """Verify a signed bundle; raises FormatError, UnsupportedVersion or AuthError."""
    if not isinstance(signed, Mapping):
        raise FormatError("bundle: expected an object")
    text = signed.get("bundle")
    if not isinstance(text, str):
        raise FormatError("bundle: expected the bundle text")
    obj = parse_versioned_canonical(text)
    if set(obj) != {"enc_pub", "kid", "role", "sig_pub", "suite", "typ", "uid", "v"}:
        raise FormatError("bundle: wrong members")
    if obj["typ"] != "sp.bundle":
        raise FormatError("bundle: wrong typ")
    for k in ("uid", "role"):
        if not isinstance(obj[k], str) or not obj[k]:
            raise FormatError("bundle: uid and role must be non-empty strings")
    sig_pub = b64u_decode(obj["sig_pub"], 32, what="bundle sig_pub")
    enc_pub = b64u_decode(obj["enc_pub"], 32, what="bundle enc_pub")
    kid = b64u_decode(obj["kid"], KID_LEN, what="bundle kid")
    sig = b64u_decode(signed.get("sig"), 64, what="bundle sig")
    if not P.ct_equal(kid, kid_for(sig_pub)):
        raise AuthError("bundle: kid does not match sig_pub")
    P.ed25519_verify(sig_pub, sig, _bundle_message(text), what="bundle")
    return Bundle(obj["uid"], obj["role"], kid, sig_pub, enc_pub, text, sig)


def _fingerprint_digits(key: bytes, ident: bytes, iterations: int = SAFETY_ITERATIONS) -> str:
    """libsignal's NumericFingerprintGenerator for one party: 30 decimal digits."""
    h = P.sha512(u16(0), key, ident, key)
    for _ in range(1, iterations):
        h = P.sha512(h, key)
    return "".join(f"{int.from_bytes(h[i : i + 5], 'big') % 100000:05d}" for i in range(0, 30, 5))


def _safety_number_from_parts(key_a: bytes, id_a: bytes, key_b: bytes, id_b: bytes) -> str:
    a, b = _fingerprint_digits(key_a, id_a), _fingerprint_digits(key_b, id_b)
    return a + b if a < b else b + a


def safety_number(a: Bundle, b: Bundle) -> str:
    """60 digits, the same on both sides; key = sig_pub || enc_pub, id = kid (SPEC.md §13)."""
    return _safety_number_from_parts(a.sig_pub + a.enc_pub, a.kid, b.sig_pub + b.enc_pub, b.kid)
