"""The one exception family of spcrypto (SPEC.md §14).

Every failure of a verification or decryption raises one of these; nothing returns ``False``.
Messages name the rule that failed and never contain key material, plaintext or passphrases,
because exceptions end up in logs and crash reports.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ChainError",
    "CryptoError",
    "FormatError",
    "KdfPolicyError",
    "UnsupportedVersion",
]


class CryptoError(Exception):
    """Base class: catch this to handle every spcrypto failure at once."""


class FormatError(CryptoError):
    """Malformed, non-canonical or internally inconsistent input (vector class "format failure")."""


class AuthError(CryptoError):
    """A signature, AEAD tag, HPKE open, key commitment or hash did not verify ("auth failure")."""


class UnsupportedVersion(CryptoError):
    """A ``v``/``suite``/``alg`` this implementation does not speak ("unsupported version")."""


class KdfPolicyError(CryptoError):
    """KDF parameters below the floor, above the ceiling or not the pinned ones ("policy failure")."""


class ChainError(CryptoError):
    """A per-device chain has a fork, a gap or a broken ``prev`` link ("chain failure")."""
