"""Private primitives: thin wrappers over ``cryptography`` and ``argon2-cffi`` (SPEC.md §1.2).

Each wrapper fixes the one algorithm SP1 allows and turns library exceptions into the spcrypto
family, so no caller can pick a mode, a hash or a nonce size by accident.
"""

from __future__ import annotations

import hmac

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hpke as _hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import AuthError, FormatError

KEY_LEN = 32
NONCE_LEN = 12
TAG_LEN = 16

# RFC 9180 suite 0x0020/0x0001/0x0002; SP1 allows no other.
_HPKE_SUITE = _hpke.Suite(_hpke.KEM.X25519, _hpke.KDF.HKDF_SHA256, _hpke.AEAD.AES_256_GCM)
HPKE_ENC_LEN = 32


def sha256(*parts: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    for part in parts:
        h.update(part)
    return h.finalize()


def sha512(*parts: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA512())
    for part in parts:
        h.update(part)
    return h.finalize()


def new_sha256() -> hashes.Hash:
    return hashes.Hash(hashes.SHA256())


def ct_equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison, for commitments and hashes an attacker may probe."""
    return hmac.compare_digest(a, b)


def hkdf(ikm: bytes, *, info: bytes, salt: bytes | None = None, length: int = KEY_LEN) -> bytes:
    # An absent or empty salt is HKDF's all-zero salt (RFC 5869 §2.2); WebCrypto's empty salt agrees.
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt or None, info=info).derive(ikm)


def aead_seal(key: bytes, nonce: bytes, plaintext: bytes, ad: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, plaintext, ad)


def aead_open(key: bytes, nonce: bytes, ciphertext: bytes, ad: bytes, *, what: str) -> bytes:
    """AES-256-GCM decryption; any failure is an AuthError naming only ``what`` failed."""
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, ad)
    except InvalidTag:
        raise AuthError(f"{what}: authentication failed") from None


def argon2id(password: bytes, salt: bytes, *, t: int, m: int, p: int, length: int = KEY_LEN) -> bytes:
    """Raw Argon2id v0x13 (RFC 9106); m is in KiB. No policy here: see account.check_kdf_policy."""
    return hash_secret_raw(password, salt, t, m, p, length, Type.ID, 0x13)


def ed25519_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def ed25519_public(priv: Ed25519PrivateKey) -> bytes:
    return priv.public_key().public_bytes_raw()


def ed25519_verify(public: bytes, signature: bytes, message: bytes, *, what: str) -> None:
    """Raise AuthError unless ``signature`` is a valid Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise AuthError(f"{what}: signature does not verify") from None


def x25519_from_seed(seed: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(seed)


def x25519_public(priv: X25519PrivateKey) -> bytes:
    return priv.public_key().public_bytes_raw()


def pkcs8(priv: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return priv.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_pkcs8(der: bytes) -> Ed25519PrivateKey | X25519PrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        raise FormatError("private key: not PKCS#8") from None
    if not isinstance(key, (Ed25519PrivateKey, X25519PrivateKey)):
        raise FormatError("private key: unexpected algorithm")
    return key


def hpke_seal(recipient_public: bytes, info: bytes, plaintext: bytes) -> bytes:
    """HPKE SealBase; returns enc || ct. Randomised: a fresh ephemeral key every call."""
    try:
        pk = X25519PublicKey.from_public_bytes(recipient_public)
    except ValueError:
        raise FormatError("recipient key: not an X25519 public key") from None
    return _HPKE_SUITE.encrypt(plaintext, pk, info=info)


def hpke_open(recipient: X25519PrivateKey, info: bytes, enc_ct: bytes, *, what: str) -> bytes:
    try:
        return _HPKE_SUITE.decrypt(enc_ct, recipient, info=info)
    except (InvalidTag, ValueError):
        raise AuthError(f"{what}: HPKE open failed") from None
