"""Identity keys, key ids, wrapped private keys, public bundles, contact cards, safety numbers
(SPEC.md §5, §13)."""

from __future__ import annotations

import os
import unicodedata
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
    "CARD_NAME_MAX",
    "Bundle",
    "Card",
    "Identity",
    "generate_identity",
    "kid_for",
    "make_bundle",
    "make_card",
    "safety_number",
    "unwrap_identity",
    "verify_bundle",
    "verify_card",
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


def _signed_message(label: str, text: str) -> bytes:
    """What a self-signed object's signature covers: DST(label) || SHA-256(canonical text)."""
    return dst(label) + P.sha256(text.encode("ascii"))


def _sign_canonical(identity: Identity, label: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """Serialise ``obj`` canonically and sign it; returns ``{label: text, "sig": b64u}``."""
    text = canonical_dumps(obj)
    return {label: text, "sig": b64u_encode(identity.sign(_signed_message(label, text)))}


def _parse_signed(
    signed: Mapping[str, Any], label: str, members: frozenset[str]
) -> tuple[str, dict[str, Any], bytes]:
    """Steps 1-3 of SPEC.md §6.2 on ``signed[label]``, then its member set, ``typ`` and the
    signature's encoding. Returns (text, object, sig); raises FormatError or UnsupportedVersion.
    The signature itself is the caller's to check, once the signer's key is known."""
    if not isinstance(signed, Mapping):
        raise FormatError(f"{label}: expected an object")
    text = signed.get(label)
    if not isinstance(text, str):
        raise FormatError(f"{label}: expected the {label} text")
    obj = parse_versioned_canonical(text)
    if set(obj) != members:
        raise FormatError(f"{label}: wrong members")
    if obj["typ"] != f"sp.{label}":
        raise FormatError(f"{label}: wrong typ")
    sig = b64u_decode(signed.get("sig"), 64, what=f"{label} sig")
    return text, obj, sig


_BUNDLE_MEMBERS = frozenset({"enc_pub", "kid", "role", "sig_pub", "suite", "typ", "uid", "v"})


def make_bundle(identity: Identity, uid: str, role: str) -> dict[str, str]:
    """Return the signed bundle ``{"bundle": <canonical text>, "sig": b64u}`` (SPEC.md §5.3)."""
    if not uid or not role:
        raise FormatError("bundle: uid and role must be non-empty")
    return _sign_canonical(
        identity,
        "bundle",
        {
            "enc_pub": b64u_encode(identity.enc_pub),
            "kid": b64u_encode(identity.kid),
            "role": role,
            "sig_pub": b64u_encode(identity.sig_pub),
            "suite": SUITE,
            "typ": "sp.bundle",
            "uid": uid,
            "v": VERSION,
        },
    )


def verify_bundle(signed: Mapping[str, Any]) -> Bundle:
    """Verify a signed bundle; raises FormatError, UnsupportedVersion or AuthError."""
    text, obj, sig = _parse_signed(signed, "bundle", _BUNDLE_MEMBERS)
    for k in ("uid", "role"):
        if not isinstance(obj[k], str) or not obj[k]:
            raise FormatError("bundle: uid and role must be non-empty strings")
    sig_pub = b64u_decode(obj["sig_pub"], 32, what="bundle sig_pub")
    enc_pub = b64u_decode(obj["enc_pub"], 32, what="bundle enc_pub")
    kid = b64u_decode(obj["kid"], KID_LEN, what="bundle kid")
    if not P.ct_equal(kid, kid_for(sig_pub)):
        raise AuthError("bundle: kid does not match sig_pub")
    P.ed25519_verify(sig_pub, sig, _signed_message("bundle", text), what="bundle")
    return Bundle(obj["uid"], obj["role"], kid, sig_pub, enc_pub, text, sig)


# -- contact cards (SPEC.md §5.4) -------------------------------------------------------------

CARD_NAME_MAX = 128  # UTF-8 bytes, for the name and for the org
_CARD_MEMBERS = frozenset({"kid", "name", "org", "suite", "typ", "v"})
# Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): a name is
# read by people, and an override in it makes it display as someone else's ("Trojan Source").
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


@dataclass(frozen=True)
class Card:
    """A verified contact card: the display name and organisation that ``kid`` signed."""

    kid: bytes
    name: str
    org: str


def _check_card_text(value: str, what: str, min_len: int) -> bytes:
    """The card text rules (SPEC.md §5.4) for a name or org; returns its UTF-8.

    Never normalises: makers pass the NFC form, and a verifier must refuse anything else.
    Raises FormatError.
    """
    try:
        raw = value.encode("utf-8")  # a lone surrogate is not text and cannot be encoded
    except UnicodeEncodeError:
        raise FormatError(f"card: {what} is not valid Unicode") from None
    if not min_len <= len(raw) <= CARD_NAME_MAX:
        raise FormatError(f"card: {what} must be {min_len}..{CARD_NAME_MAX} UTF-8 bytes")
    if not unicodedata.is_normalized("NFC", value):
        raise FormatError(f"card: {what} is not NFC")
    for ch in value:
        cp = ord(ch)
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            raise FormatError(f"card: {what} contains a control character")
        if cp in _BIDI_CONTROLS:
            raise FormatError(f"card: {what} contains a bidirectional control character")
    return raw


def _card_text_from_b64(value: Any, what: str, min_len: int) -> str:
    try:
        text = b64u_decode(value, what=f"card {what}").decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"card: {what} is not valid UTF-8") from None
    _check_card_text(text, what, min_len)
    return text


def make_card(identity: Identity, name: str, org: str = "") -> dict[str, str]:
    """Return the signed contact card ``{"card": <canonical text>, "sig": b64u}`` (SPEC.md §5.4).

    ``name`` and ``org`` are normalised to NFC first; then the name must be 1..128 UTF-8 bytes,
    the org 0..128, and neither may hold control or bidirectional control characters, else
    FormatError.
    """
    if not isinstance(name, str) or not isinstance(org, str):
        raise FormatError("card: name and org must be text")
    name, org = unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", org)
    return _sign_canonical(
        identity,
        "card",
        {
            "kid": b64u_encode(identity.kid),
            "name": b64u_encode(_check_card_text(name, "name", 1)),
            "org": b64u_encode(_check_card_text(org, "org", 0)),
            "suite": SUITE,
            "typ": "sp.card",
            "v": VERSION,
        },
    )


def verify_card(signed: Mapping[str, Any], bundle: Bundle) -> Card:
    """Verify a contact card under the contact's verified bundle (SPEC.md §5.4).

    Raises FormatError or UnsupportedVersion for a malformed card (including a name that breaks
    the rules of make_card: it is never normalised here), AuthError when the card is not
    ``bundle``'s (another kid) or its signature does not verify.
    """
    text, obj, sig = _parse_signed(signed, "card", _CARD_MEMBERS)
    kid = b64u_decode(obj["kid"], KID_LEN, what="card kid")
    name = _card_text_from_b64(obj["name"], "name", 1)
    org = _card_text_from_b64(obj["org"], "org", 0)
    if not P.ct_equal(kid, bundle.kid):
        raise AuthError("card: kid is not the bundle's")
    P.ed25519_verify(bundle.sig_pub, sig, _signed_message("card", text), what="card")
    return Card(kid, name, org)


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
