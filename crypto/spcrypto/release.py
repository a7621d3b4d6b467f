"""Signed release manifests (SPEC.md §19): what the service worker checks before it installs.

A release manifest lists every file the app shell ships with its SHA-256, a version, and the
release keys the *next* release may be signed with. It is canonical JSON signed (detached) with
an offline Ed25519 release key over ``"safe-passage/release/v1\\n" || manifest bytes``.
``tools/build_release.py`` signs; the browser's ``verifyRelease`` (crypto/js/sp1.js) verifies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import _primitives as P
from ._encoding import b64u_decode, strict_json_loads
from .errors import AuthError, FormatError, UnsupportedVersion

__all__ = [
    "RELEASE_APP",
    "release_key_id",
    "release_manifest_hash",
    "release_public_key",
    "sign_release",
    "verify_release",
]

RELEASE_VERSION = 1
RELEASE_APP = "safe-passage"
# Not an SP1 DST: the release key signs nothing but manifests, and this prefix (ending in a
# newline, which no SP1 DST contains) can never be read as the start of an SP1 signature input.
RELEASE_CONTEXT = b"safe-passage/release/v1\n"

MEMBERS = ("app", "built", "files", "keys", "v", "version")
MAX_FILES = 10_000  # the shell ships a few hundred; a bound keeps a hostile manifest cheap
MAX_KEYS = 8
MAX_PATH = 512
_VERSION_RE = re.compile(r"[0-9a-f]{16}")
_BUILT_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# An absolute URL path of segments over [A-Za-z0-9_.-]: no escapes are ever needed in JSON and
# none in the URL, so the text is the same in Python, JavaScript and the address bar.
_PATH_RE = re.compile(r"(/[A-Za-z0-9_.-]+)+")


def _check_path(path: object) -> str:
    if (not isinstance(path, str) or len(path) > MAX_PATH or not _PATH_RE.fullmatch(path)
            or any(seg in {".", ".."} for seg in path.split("/"))):
        raise FormatError("release: bad file path")
    return path


def _check_shape(obj: dict[str, Any]) -> None:
    """Member set and value shapes of §19.2; raises FormatError."""
    if sorted(obj) != list(MEMBERS):
        raise FormatError("release: unexpected members")
    if obj["app"] != RELEASE_APP:
        raise FormatError("release: not a Safe Passage release")
    if not isinstance(obj["version"], str) or not _VERSION_RE.fullmatch(obj["version"]):
        raise FormatError("release: version must be 16 lowercase hex digits")
    if not isinstance(obj["built"], str) or not _BUILT_RE.fullmatch(obj["built"]):
        raise FormatError("release: built must be YYYY-MM-DD")
    files = obj["files"]
    if not isinstance(files, dict) or not 1 <= len(files) <= MAX_FILES:
        raise FormatError("release: files must be a non-empty object")
    for path, digest in files.items():
        _check_path(path)
        if not isinstance(digest, str) or not _SHA256_RE.fullmatch(digest):
            raise FormatError("release: file hash must be 64 lowercase hex digits")
    keys = obj["keys"]
    if not isinstance(keys, list) or not 1 <= len(keys) <= MAX_KEYS:
        raise FormatError("release: keys must be a list of 1 to 8 public keys")
    decoded = [b64u_decode(k, 32, what="release key") for k in keys]
    if len(set(decoded)) != len(decoded):
        raise FormatError("release: duplicate key")


def _canonical_text(obj: Mapping[str, Any]) -> str:
    """The canonical JSON of §2.1 (sorted keys, no whitespace) for a checked manifest.

    Written out member by member because file paths contain "/", which §2.1's string alphabet
    excludes; every string here is checked to need no JSON escape.
    """
    files = ",".join(f'"{p}":"{obj["files"][p]}"' for p in sorted(obj["files"]))
    keys = ",".join(f'"{k}"' for k in obj["keys"])
    return (f'{{"app":"{obj["app"]}","built":"{obj["built"]}","files":{{{files}}},'
            f'"keys":[{keys}],"v":{obj["v"]},"version":"{obj["version"]}"}}')


def _parse(manifest: bytes) -> dict[str, Any]:
    """Steps 1–4 of §19.3: parse, version, shape, canonical bytes."""
    obj = strict_json_loads(manifest, ascii_only=True)
    if not isinstance(obj, dict):
        raise FormatError("release: expected a JSON object")
    v = obj.get("v")
    if not isinstance(v, int) or isinstance(v, bool):
        raise FormatError("release: missing v")
    if v != RELEASE_VERSION:
        raise UnsupportedVersion("release: unsupported version")
    _check_shape(obj)
    if _canonical_text(obj).encode("ascii") != bytes(manifest):
        raise FormatError("release: not canonical JSON")
    return obj


def release_public_key(seed: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key of a release key seed."""
    if len(seed) != 32:
        raise FormatError("release: the key seed must be 32 bytes")
    return P.ed25519_public(P.ed25519_from_seed(seed))


def sign_release(seed: bytes, manifest: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """Serialise ``manifest`` canonically and sign it with the 32-byte Ed25519 ``seed``.

    Returns (manifest bytes, 64-byte signature). Raises FormatError if the manifest does not
    have the shape of §19.2 (so a build never publishes what a verifier would refuse).
    """
    obj = dict(manifest)
    if obj.get("v") != RELEASE_VERSION:
        raise FormatError("release: v must be 1")
    _check_shape(obj)
    text = _canonical_text(obj).encode("ascii")
    sig = P.ed25519_from_seed(seed).sign(RELEASE_CONTEXT + text)
    return text, sig


def verify_release(manifest: bytes, sig: bytes, trusted_keys: Sequence[bytes]) -> dict[str, Any]:
    """Check a signed release (§19.3) and return the manifest as a dict.

    Raises FormatError (malformed or non-canonical manifest, bad signature or key encoding),
    UnsupportedVersion (``v`` other than 1) or AuthError (no trusted key verifies ``sig``).
    """
    obj = _parse(bytes(manifest))
    if len(sig) != 64:
        raise FormatError("release: signature must be 64 bytes")
    for key in trusted_keys:
        if len(key) != 32:
            raise FormatError("release: trusted keys must be 32 bytes")
    for key in trusted_keys:
        try:
            P.ed25519_verify(bytes(key), bytes(sig), RELEASE_CONTEXT + bytes(manifest), what="release")
        except AuthError:
            continue
        return obj
    raise AuthError("release: not signed by a trusted release key")


def release_manifest_hash(manifest: bytes) -> str:
    """SHA-256 of the manifest bytes, lowercase hex: what "About this app" shows."""
    return P.sha256(bytes(manifest)).hex()


def release_key_id(public_key: bytes) -> str:
    """A release key's fingerprint: the first 16 bytes of SHA-256(public key), lowercase hex."""
    if len(public_key) != 32:
        raise FormatError("release: public key must be 32 bytes")
    return P.sha256(bytes(public_key))[:16].hex()

