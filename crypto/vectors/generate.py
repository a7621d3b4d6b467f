"""Generate the SP1 test vectors (crypto/SPEC.md §16) deterministically.

Run: ``.venv/bin/python crypto/vectors/generate.py [--out DIR]``. Every random value comes from
the labelled test DRBG, so running this twice writes byte-identical files; a test enforces it.
The generator uses spcrypto's deterministic ``_..._from_parts`` seams, checks itself against
external known answers (Argon2 cross-library and Bitwarden, libsignal's fingerprint, RFC 9180
A.1) and asserts every negative vector really fails in Python before writing it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

import spcrypto as S
from spcrypto import _primitives as P
from spcrypto._encoding import b64u_decode, b64u_encode, canonical_dumps, dst
from spcrypto.account import KdfParams, _derive_account_keys_from_params, _stretch, _wrap_ak_from_parts
from spcrypto.identity import _fingerprint_digits, _identity_from_seeds, _safety_number_from_parts
from spcrypto.identity import _sign_canonical, _wrap_identity_from_parts
from spcrypto.padding import body_padded_len, pad_body
from spcrypto.receipt import _make_receipt_at
from spcrypto.release import RELEASE_CONTEXT
from spcrypto.record import (
    _attest_share,
    _body_key,
    _commit,
    _header_text,
    _hpke_info,
    _seal_record_from_parts,
    _to_sign,
    _wrap_for_owner_from_parts,
)
from spcrypto.sealed import MAGIC, _seal_file_from_parts
from spcrypto.stream import CHUNK, CT_CHUNK, AttachmentEncryptor, AttachmentRef, _attachment_key, _nonce

HERE = Path(__file__).resolve().parent
b64 = b64u_encode


# -- deterministic randomness ---------------------------------------------------------------


def drbg(label: str, n: int) -> bytes:
    """DRBG(label, n) = (SHA-256("SP1-test/<label>/0") || SHA-256(".../1") || ...)[0:n]."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"SP1-test/{label}/{i}".encode("ascii")).digest()
        i += 1
    return bytes(out[:n])


# -- deterministic HPKE (test-only) ---------------------------------------------------------
# cryptography's HPKE always draws a fresh ephemeral key, so it cannot produce reproducible
# vectors. This is RFC 9180 SealBase with the ephemeral key from DeriveKeyPair(ikmE), exactly
# how the RFC's own vectors are made. It is checked below against RFC 9180 A.1 and its output is
# opened by spcrypto (that is, by cryptography's HPKE). It never ships in spcrypto.


def _hmac(key: bytes, msg: bytes) -> bytes:
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(msg)
    return h.finalize()


def _lextract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _hmac(salt, b"HPKE-v1" + suite_id + label + ikm)


def _lexpand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, n: int) -> bytes:
    full = n.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), n, full).derive(prk)


_KEM_SUITE = b"KEM" + (0x0020).to_bytes(2, "big")


def hpke_derive_keypair(ikm: bytes) -> X25519PrivateKey:
    prk = _lextract(_KEM_SUITE, b"", b"dkp_prk", ikm)
    return X25519PrivateKey.from_private_bytes(_lexpand(_KEM_SUITE, prk, b"sk", b"", 32))


def hpke_seal_det(
    pk_r: bytes, info: bytes, pt: bytes, ikm_e: bytes, *, aad: bytes = b"", aead_id: int = 2
) -> bytes:
    """enc || ct of RFC 9180 SealBase (seq 0), X25519/HKDF-SHA256, AES-256-GCM (or -128: id 1)."""
    nk = {1: 16, 2: 32}[aead_id]
    sk_e = hpke_derive_keypair(ikm_e)
    enc = sk_e.public_key().public_bytes_raw()
    dh = sk_e.exchange(X25519PublicKey.from_public_bytes(pk_r))
    eae = _lextract(_KEM_SUITE, b"", b"eae_prk", dh)
    shared = _lexpand(_KEM_SUITE, eae, b"shared_secret", enc + pk_r, 32)
    suite = b"HPKE" + (0x0020).to_bytes(2, "big") + (1).to_bytes(2, "big") + aead_id.to_bytes(2, "big")
    ctx = (
        b"\x00"
        + _lextract(suite, b"", b"psk_id_hash", b"")
        + _lextract(suite, b"", b"info_hash", info)
    )
    secret = _lextract(suite, shared, b"secret", b"")
    key = _lexpand(suite, secret, b"key", ctx, nk)
    nonce = _lexpand(suite, secret, b"base_nonce", ctx, 12)
    return enc + AESGCM(key).encrypt(nonce, pt, aad)


def check_hpke_rfc9180_a1() -> None:
    h = bytes.fromhex
    sk_r = hpke_derive_keypair(h("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"))
    pk_r = sk_r.public_key().public_bytes_raw()
    assert pk_r == h("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d")
    out = hpke_seal_det(
        pk_r,
        h("4f6465206f6e2061204772656369616e2055726e"),
        h("4265617574792069732074727574682c20747275746820626561757479"),
        h("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"),
        aad=h("436f756e742d30"),
        aead_id=1,
    )
    assert out[:32] == h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431")
    assert out[32:] == h(
        "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"
    ), "RFC 9180 A.1.1 mismatch"


# -- AES-GCM key multi-collision ("invisible salamanders"), test-only -----------------------

_R = 0xE1 << 120


def _gf_mul(x: int, y: int) -> int:
    """Multiplication in GCM's GF(2^128) (NIST SP 800-38D, Algorithm 1)."""
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _R if v & 1 else v >> 1
    return z


def _gf_pow(x: int, e: int) -> int:
    r = 1 << 127  # the field's 1 in GCM's reflected bit order
    while e:
        if e & 1:
            r = _gf_mul(r, x)
        x = _gf_mul(x, x)
        e >>= 1
    return r


def _aes_block(key: bytes, block: bytes) -> int:
    # One raw AES block: the GHASH key and J0 mask of the key-commitment attack vector.
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # nosec B305  # one block, never data
    return int.from_bytes(enc.update(block) + enc.finalize(), "big")


def _ghash(h: int, blocks: list[int]) -> int:
    y = 0
    for b in blocks:
        y = _gf_mul(y ^ b, h)
    return y


def _blocks(data: bytes) -> list[int]:
    data = data + bytes(-len(data) % 16)
    return [int.from_bytes(data[i : i + 16], "big") for i in range(0, len(data), 16)]


def gcm_two_key_ciphertext(k1: bytes, k2: bytes, nonce: bytes, aad: bytes, pt2: bytes) -> bytes:
    """A ciphertext||tag that AES-GCM accepts under both k1 and k2 (Dodis et al. 2018).

    All blocks but the last are the encryption of ``pt2`` under k2; the last block is solved so
    the two tags coincide. Requires len(pt2) to be a multiple of 16.
    """
    assert len(pt2) % 16 == 0 and len(nonce) == 12
    c = bytearray(AESGCM(k2).encrypt(nonce, pt2, aad)[:-16])
    c[-16:] = bytes(16)
    j0 = nonce + b"\x00\x00\x00\x01"
    lens = ((len(aad) * 8) << 64) | (len(c) * 8)
    h1, h2 = _aes_block(k1, bytes(16)), _aes_block(k2, bytes(16))
    fixed = _blocks(aad) + _blocks(bytes(c)) + [lens]
    g1, g2 = _ghash(h1, fixed), _ghash(h2, fixed)
    # The free (last ciphertext) block is second to last in GHASH's input, so it gets H^2.
    coeff = _gf_mul(h1, h1) ^ _gf_mul(h2, h2)
    rhs = _aes_block(k1, j0) ^ _aes_block(k2, j0) ^ g1 ^ g2
    x = _gf_mul(rhs, _gf_pow(coeff, 2**128 - 2))
    c[-16:] = x.to_bytes(16, "big")
    tag = _aes_block(k1, j0) ^ _ghash(h1, _blocks(aad) + _blocks(bytes(c)) + [lens])
    out = bytes(c) + tag.to_bytes(16, "big")
    AESGCM(k1).decrypt(nonce, out, aad)  # both must accept, or the vector proves nothing
    AESGCM(k2).decrypt(nonce, out, aad)
    return out


# -- vector plumbing ------------------------------------------------------------------------

EXPECT = {
    None: "success",
    S.FormatError: "format failure",
    S.AuthError: "auth failure",
    S.UnsupportedVersion: "unsupported version",
    S.KdfPolicyError: "policy failure",
    S.ChainError: "chain failure",
}


# Text stays readable UTF-8 in the files, except characters that would not show or would
# rearrange the file as displayed (C1 controls, bidi embeddings/overrides/isolates): those are
# written as \u escapes, which are the same JSON strings. json.dumps already escapes C0.
_INVISIBLE = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


class Writer:
    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}

    def add(
        self,
        name: str,
        scenario: str,
        comment: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any] | None = None,
        *,
        raises: type[Exception] | None = None,
        check: Callable[[], Any] | None = None,
    ) -> None:
        """Record one vector; for a negative one, ``check`` must raise exactly ``raises``."""
        if raises is not None:
            assert check is not None, name
            try:
                check()
            except S.CryptoError as e:
                assert type(e) is raises, f"{name}: raised {type(e).__name__}, not {raises.__name__}"
            else:
                raise AssertionError(f"{name}: negative vector did not fail")
        n = len(self.files) + 1
        self.files[f"{n:03d}-{name}.json"] = {
            "scenario": scenario,
            "expect": EXPECT[raises],
            "comment": comment,
            "inputs": inputs,
            "outputs": outputs if outputs is not None else {},
        }

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("[0-9][0-9][0-9]-*.json"):
            old.unlink()
        for fname, obj in self.files.items():
            text = _INVISIBLE.sub(_escape, json.dumps(obj, indent=1, ensure_ascii=False)) + "\n"
            (out / fname).write_text(text, encoding="utf-8")
        (out / "README.md").write_text(readme(self.files), encoding="utf-8")


def drbg_spec(label: str, n: int) -> dict[str, Any]:
    return {"drbg": label, "len": n}


def kdf_text(t: int, m: int, p: int, salt: bytes) -> str:
    return KdfParams(t=t, m=m, p=p, salt=salt).to_text()


def flip(data: bytes, index: int, bit: int = 0) -> bytes:
    b = bytearray(data)
    b[index] ^= 1 << bit
    return bytes(b)


# -- the scenarios ----------------------------------------------------------------------------


def gen_kdf(w: Writer) -> None:
    tag = P.argon2id(b"password", b"somesalt0123456789abcdef", t=2, m=65536, p=1)
    assert tag.hex() == "693c1e04d597b906aadd297e1d2387383ac7558af4d39390b1c25b2af7e42104"
    w.add(
        "argon2id-cross-library",
        "argon2id",
        "Argon2id known answer shared by argon2-cffi, cryptography, hash-wasm and @noble/hashes "
        "(crypto-design.md E1). The password is UTF-8 encoded as is.",
        {"password": "password", "salt": b64(b"somesalt0123456789abcdef"), "t": 2, "m": 65536,
         "p": 1, "len": 32},
        {"tag": b64(tag)},
    )
    bw_salt = hashlib.sha256(b"test_key").digest()
    tag = P.argon2id(b"67t9b5g67$%Dh89n", bw_salt, t=4, m=32768, p=2)
    assert tag.hex().startswith("cff0e1b1a213a34c") and tag.hex().endswith("35e1f2")
    w.add(
        "argon2id-bitwarden-kat",
        "argon2id",
        "Bitwarden's Argon2 known-answer test (sdk-internal kdf.rs): salt = SHA-256('test_key'), "
        "32 MiB, t=4, p=2. RFC 9106 §5.3 needs Argon2 'secret' and 'ad', which hash-wasm and "
        "argon2-cffi's raw API lack; it is checked in Python only (tests/crypto/test_vectors.py).",
        {"password": "67t9b5g67$%Dh89n", "salt": b64(bw_salt), "t": 4, "m": 32768, "p": 2,
         "len": 32},
        {"tag": b64(tag)},
    )
    salt = drbg("salt", 16)
    small = kdf_text(2, 8192, 1, salt)
    nfd = "Cafe\u0301 de\u0301le\u0301gue\u0301 \U0001f512"
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    a = _stretch(nfd, KdfParams.parse(small))
    for name, text, what in (("nfd", nfd, "decomposed (NFD)"), ("nfc", nfc, "precomposed (NFC)")):
        w.add(
            f"passphrase-{name}",
            "passphrase-nfc",
            f"A {what} passphrase is normalised to NFC before Argon2id, so both spellings give "
            "the same A (small parameters: the inner derivation applies no policy).",
            {"passphrase": text, "kdf": small},
            {"nfc_utf8": b64(nfc.encode("utf-8")), "A": b64(a)},
        )
    real = kdf_text(3, 65536, 1, salt)
    ask = drbg("ask", 16)
    for name, ask_v, comment in (
        ("account-derive-ask", ask, "with an Account Secret Key as HKDF salt"),
        ("account-derive-no-ask", None, "without an Account Secret Key (empty HKDF salt)"),
    ):
        keys = _derive_account_keys_from_params("correct horse battery staple", KdfParams.parse(real), ask_v)
        w.add(
            name,
            "account-derive",
            f"Account derivation at the real parameters (64 MiB, t=3, p=1), {comment}: "
            "auth_key = HKDF(A, ASK, DST('auth')), KEK = HKDF(A, ASK, DST('kek')).",
            {"passphrase": "correct horse battery staple", "kdf": real,
             "ask": None if ask_v is None else b64(ask_v)},
            {"A": b64(_stretch("correct horse battery staple", KdfParams.parse(real))),
             "auth_key": b64(keys.auth_key), "kek": b64(keys.kek)},
        )

    text = S.format_ask(ask)
    w.add("ask-format", "ask-format", "ASK text: 'SP1-' + base32, groups 5-5-5-5-6.",
          {"ask": b64(ask)}, {"text": text})
    loose = "  " + text.lower().replace("-", " ") + "\n"
    w.add("ask-parse-loose", "ask-parse",
          "Parsing is case-insensitive and ignores spaces, tabs, newlines and dashes.",
          {"text": loose}, {"ask": b64(S.parse_ask(loose))})
    bad = [
        ("ask-parse-bad-char", text[:-1] + "1", "'1' is not in the base32 alphabet"),
        ("ask-parse-noncanonical", text[:-1] + chr(ord(text[-1]) ^ 1 if text[-1] not in "AQ" else ord("B")),
         "the last character's two unused bits must be zero (one key, one text)"),
        ("ask-parse-wrong-prefix", "SP2" + text[3:], "the prefix must be SP1"),
        ("ask-parse-short", text[:-2], "26 base32 characters are required"),
    ]
    for name, t, why in bad:
        w.add(name, "ask-parse", f"Rejected: {why}.", {"text": t},
              raises=S.FormatError, check=lambda t=t: S.parse_ask(t))

    # KDF policy
    base = kdf_text(3, 65536, 1, salt)
    cases: list[tuple[str, str, str | None, type[Exception] | None, str]] = [
        ("kdf-policy-default", base, None, None, "The default parameters pass the floor."),
        ("kdf-policy-pinned-same", base, base, None, "Parameters equal to the pinned ones pass."),
        ("kdf-policy-floor-m", kdf_text(3, 16384, 1, salt), None, S.KdfPolicyError,
         "m = 16384 KiB is below the floor of 19456."),
        ("kdf-policy-floor-t", kdf_text(1, 65536, 1, salt), None, S.KdfPolicyError,
         "t = 1 is below the floor of 2."),
        ("kdf-policy-short-salt", kdf_text(3, 65536, 1, salt[:8]), None, S.KdfPolicyError,
         "The salt must be 16 bytes."),
        ("kdf-policy-ceiling", kdf_text(3, 4194304, 1, salt), None, S.KdfPolicyError,
         "m = 4 GiB is above the ceiling of 262144 KiB (a hostile server must not crash the client)."),
        ("kdf-policy-downgrade", kdf_text(2, 19456, 1, salt), base, S.KdfPolicyError,
         "Above the floor but weaker than the pinned parameters: a downgrade, refused."),
        ("kdf-policy-salt-changed", kdf_text(3, 65536, 1, drbg("salt2", 16)), base, S.KdfPolicyError,
         "A different salt than the pinned one is refused."),
        ("kdf-policy-unsupported-alg",
         canonical_dumps({"alg": "argon2i", "m": 65536, "p": 1, "salt": b64(salt), "t": 3, "v": 19}),
         None, S.UnsupportedVersion, "Only argon2id (v 19) is spoken."),
        ("kdf-policy-noncanonical", base.replace(",", ", ", 1), None, S.FormatError,
         "The KDF block is canonical JSON."),
    ]
    for name, block, pinned, err, comment in cases:
        if err is None:
            S.check_kdf_policy(block, pinned)
        w.add(name, "kdf-policy", comment, {"kdf": block, "pinned": pinned}, raises=err,
              check=lambda b=block, p=pinned: S.check_kdf_policy(b, p))

    # AK wrap
    kek = _derive_account_keys_from_params("correct horse battery staple", KdfParams.parse(real), ask).kek
    vault_id, ak, akn = drbg("vault", 16), drbg("ak", 32), drbg("akn", 12)
    wrapped = _wrap_ak_from_parts(kek, vault_id, ak, akn)
    w.add("ak-wrap", "ak-wrap",
          "wrapped_ak = n || AES-GCM(KEK, n, AK, DST('ak') || vault_id); KEK from account-derive-ask.",
          {"kek": b64(kek), "vault_id": b64(vault_id), "ak": b64(ak), "nonce": b64(akn)},
          {"wrapped_ak": b64(wrapped)})
    w.add("ak-unwrap", "ak-unwrap", "Unwrapping yields AK.",
          {"kek": b64(kek), "vault_id": b64(vault_id), "wrapped_ak": b64(wrapped)}, {"ak": b64(ak)})
    for name, kw, why in (
        ("ak-unwrap-flipped-bit", {"wrapped_ak": b64(flip(wrapped, 20))}, "one flipped ciphertext bit"),
        ("ak-unwrap-wrong-vault", {"vault_id": b64(drbg("vault2", 16))}, "another vault_id in the AD"),
        ("ak-unwrap-no-ask", {"kek": b64(_derive_account_keys_from_params(
            "correct horse battery staple", KdfParams.parse(real), None).kek)},
         "the KEK derived without the ASK (a seized database alone does not unlock)"),
    ):
        inputs = {"kek": b64(kek), "vault_id": b64(vault_id), "wrapped_ak": b64(wrapped)} | kw
        w.add(name, "ak-unwrap", f"Rejected: {why}.", inputs, raises=S.AuthError,
              check=lambda i=inputs: S.unwrap_ak(b64u_decode(i["kek"]), b64u_decode(i["vault_id"]),
                                                 b64u_decode(i["wrapped_ak"])))


class Fixture:
    """The people and keys the record vectors share."""

    def __init__(self) -> None:
        self.a_seeds = {"sig_seed": drbg("ed", 32), "enc_seed": drbg("x", 32)}
        self.r_seeds = {"sig_seed": drbg("red", 32), "enc_seed": drbg("rx", 32)}
        self.alice = _identity_from_seeds(self.a_seeds["sig_seed"], self.a_seeds["enc_seed"])
        self.rafa = _identity_from_seeds(self.r_seeds["sig_seed"], self.r_seeds["enc_seed"])
        self.a_signed = S.make_bundle(self.alice, "u-0001", "delegate")
        self.r_signed = S.make_bundle(self.rafa, "u-0002", "focal-point")
        self.a_bundle = S.verify_bundle(self.a_signed)
        self.r_bundle = S.verify_bundle(self.r_signed)
        self.ak = drbg("ak", 32)
        self.cek = drbg("cek", 32)
        self.dev = drbg("dev", 16)

    def seeds(self, which: dict[str, bytes]) -> dict[str, str]:
        return {k: b64(v) for k, v in which.items()}


def gen_identity(w: Writer, fx: Fixture) -> None:
    nonces = drbg("idn", 24)
    wrapped = _wrap_identity_from_parts(fx.alice, fx.ak, nonces[:12], nonces[12:])
    msg = b"SP1 test message"
    w.add(
        "identity", "identity",
        "Identity keys from seeds: raw public keys, kid = SHA-256(DST('kid') || sig_pub)[0:16], "
        "48-byte PKCS#8, wraps under AK with AD DST('idkey') || kid || 'sig'|'enc', and a "
        "deterministic Ed25519 signature of 'message'.",
        fx.seeds(fx.a_seeds) | {"ak": b64(fx.ak), "nonce_sig": b64(nonces[:12]),
                                "nonce_enc": b64(nonces[12:]), "message": b64(msg)},
        {"sig_pub": b64(fx.alice.sig_pub), "enc_pub": b64(fx.alice.enc_pub), "kid": b64(fx.alice.kid),
         "sig_pkcs8": b64(P.pkcs8(fx.alice.sig_priv)), "enc_pkcs8": b64(P.pkcs8(fx.alice.enc_priv)),
         "wrapped_sig": b64(wrapped["sig"]), "wrapped_enc": b64(wrapped["enc"]),
         "signature": b64(fx.alice.sign(msg))},
    )
    w.add("bundle-make", "bundle-make",
          "Signed public bundle: canonical JSON text, sig = Ed25519(DST('bundle') || SHA-256(text)).",
          fx.seeds(fx.a_seeds) | {"uid": "u-0001", "role": "delegate"}, {"signed": fx.a_signed})
    w.add("bundle-verify", "bundle-verify", "A valid bundle verifies.", {"signed": fx.r_signed},
          {"uid": "u-0002", "role": "focal-point", "kid": b64(fx.rafa.kid)})
    text = fx.a_signed["bundle"]
    other_kid = b64(fx.rafa.kid)
    negs: list[tuple[str, dict[str, str], type[Exception], str]] = [
        ("bundle-verify-tampered-role", {"bundle": text.replace('"delegate"', '"lawyer"'),
                                         "sig": fx.a_signed["sig"]},
         S.AuthError, "role changed after signing"),
        ("bundle-verify-bad-sig", {"bundle": text, "sig": b64(flip(b64u_decode(fx.a_signed["sig"]), 5))},
         S.AuthError, "a flipped signature bit"),
        ("bundle-verify-wrong-kid", {"bundle": text.replace(b64(fx.alice.kid), other_kid),
                                     "sig": b64(fx.alice.sign(dst("bundle") + P.sha256(
                                         text.replace(b64(fx.alice.kid), other_kid).encode())))},
         S.AuthError, "a correctly signed bundle claiming someone else's kid"),
        ("bundle-verify-whitespace", {"bundle": text.replace(",", ", ", 1), "sig": fx.a_signed["sig"]},
         S.FormatError, "whitespace makes the text non-canonical"),
        ("bundle-verify-v2", {"bundle": text.replace('"v":1', '"v":2'), "sig": fx.a_signed["sig"]},
         S.UnsupportedVersion, "v = 2"),
    ]
    for name, signed, err, why in negs:
        w.add(name, "bundle-verify", f"Rejected: {why}.", {"signed": signed}, raises=err,
              check=lambda s=signed: S.verify_bundle(s))
    # Safety numbers
    number = S.safety_number(fx.a_bundle, fx.r_bundle)
    assert number == S.safety_number(fx.r_bundle, fx.a_bundle)
    w.add("safety-number", "safety-number",
          "60 digits, the same from both sides: libsignal's fingerprint with key = sig_pub || enc_pub, "
          "id = kid, 5200 iterations.",
          {"bundle_a": fx.a_signed, "bundle_b": fx.r_signed}, {"number": number})
    h = bytes.fromhex
    alice_k = h("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868")
    bob_k = h("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b")
    kat = _safety_number_from_parts(alice_k, b"+14152222222", bob_k, b"+14153333333")
    assert kat == "300354477692869396892869876765458257569162576843440918079131", kat
    assert _fingerprint_digits(alice_k, b"+14152222222") in kat
    w.add("safety-number-signal-kat", "fingerprint-raw",
          "libsignal's own known answer (rust/protocol/src/fingerprint.rs, fingerprint_test_v1), "
          "proving our construction is Signal's byte for byte.",
          {"key_a": b64(alice_k), "id_a": b64(b"+14152222222"), "key_b": b64(bob_k),
           "id_b": b64(b"+14153333333"), "iterations": 5200},
          {"number": kat})


def gen_padding(w: Writer) -> None:
    sizes = [0, 1, 2, 3, 5, 8, 9, 16, 17, 54, 100, 129, 255, 256, 1000, 1020, 1021, 1024, 4096,
             65535, 65536, 65537, 100000, 150000, 1048577, 10**7, 500 * 10**6, 2**40 + 1]
    w.add("padme-table", "padme",
          "Padmé(L) for a range of sizes; body_padded_len(L) = max(1024, Padmé(4 + L)) for a JSON "
          "body of L bytes; attachment_ct_len(L) = P + 16·max(1, ceil(P/65536)), P = Padmé(L). "
          "Overhead is < 12 % (max 15/129 at L = 129).",
          {"sizes": sizes},
          {"padme": [S.padme(n) for n in sizes], "body_padded_len": [body_padded_len(n) for n in sizes],
           "attachment_ct_len": [S.attachment_ct_len(n) for n in sizes]})


def _encrypt(cek: bytes, aid: bytes, salt: bytes, data: bytes) -> tuple[bytes, AttachmentRef]:
    enc = AttachmentEncryptor(cek, len(data), aid=aid, salt=salt)
    ct = enc.update(data) + enc.finalize()
    return ct, enc.ref


def _stream_from_chunks(cek: bytes, salt: bytes, chunks: list[tuple[bytes, bool]]) -> bytes:
    """A malicious encoder: seal arbitrary chunks with arbitrary last flags."""
    key = AESGCM(_attachment_key(cek, salt))
    return b"".join(key.encrypt(_nonce(i, last), pt, None) for i, (pt, last) in enumerate(chunks))


def _ref_for(aid: bytes, salt: bytes, ct: bytes) -> AttachmentRef:
    h = P.new_sha256()
    h.update(dst("chunks"))
    for i in range(0, max(len(ct), 1), CHUNK + 16):
        h.update(P.sha256(ct[i : i + CHUNK + 16]))
    return AttachmentRef(aid, salt, len(ct), h.finalize())


def gen_attachments(w: Writer, fx: Fixture) -> AttachmentRef:
    import io

    refs = {}
    for name, label, size, comment in (
        ("attachment-empty", "data-empty", 0, "0 B: one empty final chunk, 16 B of ciphertext."),
        ("attachment-one-chunk", "data-one", 65536,
         "Exactly 65536 B: Padmé(65536) = 65536, one full final chunk of 65552 B."),
        ("attachment-several-chunks", "data-several", 150000,
         "150000 B: padded to Padmé = 151552 B, three chunks (65552 + 65552 + 20496 B)."),
    ):
        aid, salt = drbg(f"aid-{label}", 16), drbg(f"asalt-{label}", 16)
        data = drbg(label, size)
        ct, ref = _encrypt(fx.cek, aid, salt, data)
        out = io.BytesIO()
        S.decrypt_attachment(io.BytesIO(ct), out, fx.cek, ref, size)
        assert out.getvalue() == data
        refs[name] = ref
        w.add(name, "attachment-encrypt",
              comment + " Chunk i nonce = i as 11-byte BE || last flag; "
              "hash = SHA-256(DST('chunks') || SHA-256(c0) || ...).",
              {"cek": b64(fx.cek), "aid": b64(aid), "salt": b64(salt), "size": size,
               "data": drbg_spec(label, size)},
              {"ct": b64(ct), "att": ref.to_json(), "padded_len": S.padme(size),
               "plaintext_sha256": b64(hashlib.sha256(data).digest())})

    # Negatives on a two-chunk stream (65537 B -> 67584 padded -> 65552 + 2064 B).
    size = 65537
    aid, salt = drbg("aid-data-two", 16), drbg("asalt-data-two", 16)
    data = drbg("data-two", size)
    ct, ref = _encrypt(fx.cek, aid, salt, data)
    c0, c1 = ct[: CHUNK + 16], ct[CHUNK + 16 :]
    w.add("attachment-two-chunks", "attachment-decrypt",
          "The honest two-chunk stream the negatives below are made from decrypts.",
          {"cek": b64(fx.cek), "att": ref.to_json(), "size": size, "ct": b64(ct)},
          {"plaintext_sha256": b64(hashlib.sha256(data).digest()), "data": drbg_spec("data-two", size)})

    one = drbg("data-one", 65536)
    one_salt = drbg("asalt-data-one", 16)
    empty_final = _stream_from_chunks(fx.cek, one_salt, [(one, False), (b"", True)])
    bad_pad_plain = data + b"\x01" + bytes(S.padme(size) - size - 1)
    bad_pad = _stream_from_chunks(fx.cek, salt, [(bad_pad_plain[:CHUNK], False), (bad_pad_plain[CHUNK:], True)])
    wrong_salt = AttachmentRef(aid, drbg("asalt-wrong", 16), ref.ct_len, ref.hash)
    negs: list[tuple[str, bytes, AttachmentRef, int, type[Exception], str]] = [
        ("attachment-truncated", c0, ref, size, S.AuthError,
         "truncated at a chunk boundary: the full non-final chunk is opened with the last flag"),
        ("attachment-swapped-chunks", c1 + c0, ref, size, S.AuthError, "chunks swapped"),
        ("attachment-dropped-first-chunk", c1, ref, size, S.AuthError, "first chunk dropped"),
        ("attachment-empty-final-chunk", empty_final, refs["attachment-one-chunk"], 65536, S.FormatError,
         "65536 B encoded as a full non-final chunk plus an empty final chunk (authentic, but a "
         "second encoding; an empty final chunk is only allowed for an empty stream)"),
        ("attachment-trailing-bytes", ct + b"\x00", ref, size, S.AuthError, "one trailing byte"),
        ("attachment-wrong-salt", ct, wrong_salt, size, S.AuthError,
         "header salt differs, so the derived key differs"),
        ("attachment-flipped-byte", flip(ct, CHUNK + 16 + 7), ref, size, S.AuthError,
         "one flipped ciphertext bit in the second chunk"),
        ("attachment-wrong-hash", ct, AttachmentRef(aid, salt, ref.ct_len, drbg("badhash", 32)), size,
         S.AuthError, "every chunk authentic but the header's chunk hash differs"),
        ("attachment-ct-len-mismatch", ct, ref, size + 5000, S.FormatError,
         "the body's true size implies a different ct_len than the header's"),
        ("attachment-bad-padding", bad_pad, _ref_for(aid, salt, bad_pad), size, S.FormatError,
         "authentic stream whose Padmé padding is not all zero"),
    ]
    for name, bad_ct, r, sz, err, why in negs:
        w.add(name, "attachment-decrypt", f"Rejected: {why}.",
              {"cek": b64(fx.cek), "att": r.to_json(), "size": sz, "ct": b64(bad_ct)},
              raises=err,
              check=lambda c=bad_ct, r=r, sz=sz: S.decrypt_attachment(io.BytesIO(c), io.BytesIO(), fx.cek, r, sz))
    return refs["attachment-several-chunks"]


def _body(ts: int, text: str, att: list[dict[str, Any]] | None = None, kind: str = "incident") -> bytes:
    obj: dict[str, Any] = {"kind": kind, "text": text, "ts": ts, "place": "Ventimiglia – Ponte San Ludovico"}
    if att is not None:
        obj["att"] = att
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def gen_records(w: Writer, fx: Fixture, att_ref: AttachmentRef) -> None:
    body1 = _body(
        1767225600000,
        "Group of 14 turned back at the border post, 3 minors; délégué présent. «Nous attendons.»",
        [{"aid": b64(att_ref.aid), "mime": "image/jpeg", "name": "checkpoint.jpg", "size": 150000}],
    )
    rec = dict(rid=drbg("rid1", 16), dev=fx.dev, seq=1, prev=bytes(32), rcpt=[fx.rafa.kid],
               bn=drbg("bn1", 12), att=[att_ref], supersedes=None)
    env1 = _seal_record_from_parts(fx.alice, fx.cek, body_json=body1, **rec)  # type: ignore[arg-type]
    w.add("record-seal", "record-seal",
          "A record with one recipient and one attachment (the attachment-several-chunks ref). "
          "Check hdr, body and sig byte for byte: header canonical JSON, body = AES-GCM(HKDF(CEK, "
          "DST('body')), bn, u32 len || json || zeros to max(1024, Padmé(4+len)), ad = hdr), "
          "sig = Ed25519(DST('record') || SHA-256(hdr) || SHA-256(body)).",
          fx.seeds(fx.a_seeds) | {
              "cek": b64(fx.cek), "rid": b64(rec["rid"]), "dev": b64(fx.dev), "seq": 1,
              "prev": b64(bytes(32)), "rcpt": [b64(fx.rafa.kid)], "bn": b64(rec["bn"]),
              "att": [att_ref.to_json()], "supersedes": None, "body_json": body1.decode("utf-8")},
          {"envelope": env1.to_json(), "commit": b64(_commit(fx.cek)),
           "entry_hash": b64(env1.entry_hash)})

    owner = _wrap_for_owner_from_parts(env1.hdr, fx.cek, fx.ak, drbg("wn1", 12))
    w.add("owner-wrap", "owner-wrap",
          "Owner wrap: AES-GCM(AK, n, CEK, ad = DST('cek-owner') || SHA-256(hdr)).",
          {"hdr": env1.hdr, "cek": b64(fx.cek), "ak": b64(fx.ak), "nonce": b64(drbg("wn1", 12))},
          {"wrap": owner})
    enc_ct = hpke_seal_det(fx.rafa.enc_pub, _hpke_info(env1.hdr, fx.rafa.kid), fx.cek, drbg("hpke-eph", 32))
    hpke_wrap = _attest_share(env1.hdr, fx.rafa.kid, enc_ct, fx.alice)
    assert S.unwrap_recipient(env1.hdr, hpke_wrap, fx.rafa, fx.a_bundle) == fx.cek

    def open_inputs(env: S.Envelope, wrap: dict[str, Any], as_owner: bool) -> dict[str, Any]:
        keys: dict[str, Any] = (
            {"ak": b64(fx.ak)} if as_owner
            else {"reader": fx.seeds(fx.r_seeds), "sharer_bundle": fx.a_signed}
        )
        return {"envelope": env.to_json(), "author_bundle": fx.a_signed, "wrap": wrap} | keys

    def do_open(i: dict[str, Any]) -> S.OpenedRecord:
        env = S.Envelope.from_json(i["envelope"])
        author = S.verify_bundle(i["author_bundle"])
        if "ak" in i:
            return S.open_record(env, author, i["wrap"], ak=b64u_decode(i["ak"]))
        reader = _identity_from_seeds(b64u_decode(i["reader"]["sig_seed"]), b64u_decode(i["reader"]["enc_seed"]))
        return S.open_record(env, author, i["wrap"], reader=reader, sharer=S.verify_bundle(i["sharer_bundle"]))

    ok_out = {"body_json": body1.decode("utf-8"), "entry_hash": b64(env1.entry_hash)}
    for name, i, comment in (
        ("record-open-owner", open_inputs(env1, owner, True), "The author opens with the owner wrap."),
        ("record-open-hpke", open_inputs(env1, hpke_wrap, False),
         "The recipient opens with a Python-sealed HPKE wrap (info = DST('wrap-hpke') || SHA-256(hdr) "
         "|| rkid) attested by the author. HPKE sealing is randomised: this ciphertext was made with a "
         "test-only deterministic ephemeral key (RFC 9180 DeriveKeyPair(DRBG('hpke-eph'))); compare "
         "the opened result, not the wrap bytes."),
    ):
        assert do_open(i).body_json == body1
        w.add(name, "record-open", comment, i, ok_out)

    # Tampering: each must raise.
    e1 = env1.to_json()
    seq9 = env1.hdr.replace('"seq":1', '"seq":9')
    body_ct = b64u_decode(e1["body"])
    tampers: list[tuple[str, dict[str, str], type[Exception], str]] = [
        ("record-open-tampered-header", e1 | {"hdr": seq9}, S.FormatError,
         "seq changed 1 -> 9 while prev stays zero: the header is no longer well-formed"),
        ("record-open-tampered-rcpt", e1 | {"hdr": env1.hdr.replace(b64(fx.rafa.kid), b64(fx.alice.kid))},
         S.AuthError, "rcpt changed: the record signature no longer verifies"),
        ("record-open-tampered-body", e1 | {"body": b64(flip(body_ct, 100))}, S.AuthError,
         "one flipped body bit: the signature (over SHA-256(body)) fails first"),
        ("record-open-tampered-sig", e1 | {"sig": b64(flip(b64u_decode(e1["sig"]), 0))}, S.AuthError,
         "one flipped signature bit"),
    ]
    for name, env_json, err, why in tampers:
        i = {"envelope": env_json, "author_bundle": fx.a_signed, "wrap": owner, "ak": b64(fx.ak)}
        w.add(name, "record-open", f"Rejected: {why}.", i, raises=err, check=lambda i=i: do_open(i))

    # Chain: records 2 and 3 on the same device, a fork and a gap.
    body2 = _body(1767229200000, "Follow-up: the minors were released to an NGO.")
    cek2 = drbg("cek2", 32)
    env2 = _seal_record_from_parts(fx.alice, cek2, rid=drbg("rid2", 16), dev=fx.dev, seq=2,
                                   prev=env1.entry_hash, rcpt=[], bn=drbg("bn2", 12), att=[],
                                   supersedes=None, body_json=body2)
    body3 = _body(1767232800000, "", kind="tombstone")
    env3 = _seal_record_from_parts(fx.alice, drbg("cek3", 32), rid=drbg("rid3", 16), dev=fx.dev,
                                   seq=3, prev=env2.entry_hash, rcpt=[], bn=drbg("bn3", 12), att=[],
                                   supersedes=drbg("rid2", 16), body_json=body3)
    env2f = _seal_record_from_parts(fx.alice, drbg("cek2f", 32), rid=drbg("rid2f", 16), dev=fx.dev,
                                    seq=2, prev=env1.entry_hash, rcpt=[], bn=drbg("bn2f", 12), att=[],
                                    supersedes=None, body_json=_body(1767229300000, "A second seq 2."))
    env2_body = env2.to_json()["body"]
    swapped = e1 | {"body": env2_body}
    i = open_inputs(S.Envelope.from_json(swapped), owner, True)
    w.add("record-open-swapped-body", "record-open",
          "Rejected: header and signature of record 1 with the body of record 2 (swapped record ids).",
          i, raises=S.AuthError, check=lambda i=i: do_open(i))
    i = open_inputs(S.Envelope.from_json(env2.to_json() | {"sig": e1["sig"]}), owner, True)
    w.add("record-open-swapped-sig", "record-open",
          "Rejected: record 2 carrying record 1's signature.", i, raises=S.AuthError,
          check=lambda i=i: do_open(i))

    env1b = _seal_record_from_parts(fx.alice, drbg("cek1b", 32), rid=drbg("rid1b", 16), dev=fx.dev,
                                    seq=1, prev=bytes(32), rcpt=[], bn=drbg("bn1b", 12), att=[],
                                    supersedes=None, body_json=_body(1767225000000, "Another first record."))

    def heads(*envs: S.Envelope) -> list[dict[str, Any]]:
        return [{"author": b64(fx.alice.kid), "dev": b64(fx.dev), "seq": len(envs),
                 "entry_hash": b64(envs[-1].entry_hash)}]

    S.verify_chain([env1, env2, env3])
    w.add("chain-continuity", "chain",
          "Three records of one (author, dev): seq 1, 2, 3, each prev = the previous entry hash. "
          "Record 3 is a tombstone superseding record 2. The result is the chain head.",
          {"envelopes": [e.to_json() for e in (env1, env2, env3)]}, {"heads": heads(env1, env2, env3)})
    w.add("chain-duplicate-record", "chain",
          "The same record listed twice counts once: not a fork.",
          {"envelopes": [e.to_json() for e in (env1, env2, env2, env3)]}, {"heads": heads(env1, env2, env3)})
    for name, envs, why in (
        ("chain-fork", [env1, env2, env2f], "two different records with seq 2 (fork)"),
        ("chain-gap", [env1, env3], "seq 2 missing (gap)"),
        ("chain-no-genesis", [env2, env3], "the chain does not start at seq 1"),
        ("chain-broken-prev", [env1b, env2], "record 2's prev is not the entry hash of this seq-1 record"),
    ):
        inputs = {"envelopes": [e.to_json() for e in envs]}
        w.add(name, "chain", f"Rejected: {why}.", inputs, raises=S.ChainError,
              check=lambda envs=envs: S.verify_chain(envs))

    # Key commitment.
    wrong = _wrap_for_owner_from_parts(env1.hdr, cek2, fx.ak, drbg("wn2", 12))
    i = open_inputs(env1, wrong, True)
    w.add("record-commit-mismatch", "record-open",
          "Rejected: an owner wrap that authentically carries another CEK; HKDF(CEK, DST('commit')) "
          "differs from the header's commit, checked before the body is decrypted.",
          i, raises=S.AuthError, check=lambda i=i: do_open(i))
    body_s = _body(1767240000000, "What the second reader sees.")
    hdr_s = _header_text(rid=drbg("rids", 16), author=fx.alice.kid, dev=drbg("devs", 16), seq=1,
                         prev=bytes(32), rcpt=[], commit=_commit(fx.cek), bn=drbg("bns", 12), att=[],
                         supersedes=None)
    body_ct_s = gcm_two_key_ciphertext(_body_key(fx.cek), _body_key(cek2), drbg("bns", 12),
                                       hdr_s.encode("ascii"), pad_body(body_s))
    env_s = S.Envelope(hdr_s, body_ct_s, fx.alice.sign(_to_sign(hdr_s, body_ct_s)))
    wrap_s = _wrap_for_owner_from_parts(hdr_s, cek2, fx.ak, drbg("wns", 12))
    i = open_inputs(env_s, wrap_s, True)
    w.add("record-commit-mismatch-salamander", "record-open",
          "Rejected (auth failure): the signed body is an AES-GCM key multi-collision ('invisible "
          "salamander'): it decrypts validly under the body keys of both the committed CEK and the "
          "CEK in this wrap. Only the commitment check (before body decryption) can reject it; an "
          "implementation that decrypts first gets no AEAD error and fails later with a format "
          "failure (the solved last block lands in the padding).",
          i, raises=S.AuthError, check=lambda i=i: do_open(i))
    i = open_inputs(env1, owner, True) | {"ak": b64(drbg("ak-other", 32))}
    w.add("record-open-wrong-ak", "record-open", "Rejected: the owner wrap opened with another AK.",
          i, raises=S.AuthError, check=lambda i=i: do_open(i))

    # HPKE and share attestation.
    w.add("hpke-unwrap", "hpke-unwrap",
          "HPKE base X25519/HKDF-SHA256/AES-256-GCM: the recipient opens the Python-sealed wrap "
          "(share signature first).",
          {"hdr": env1.hdr, "wrap": hpke_wrap, "reader": fx.seeds(fx.r_seeds), "sharer_bundle": fx.a_signed},
          {"cek": b64(fx.cek)})
    other_info = hpke_seal_det(fx.rafa.enc_pub, _hpke_info(env2.hdr, fx.rafa.kid), fx.cek, drbg("hpke-eph2", 32))
    mislabeled = _attest_share(env1.hdr, fx.rafa.kid, other_info, fx.alice)
    w.add("hpke-unwrap-wrong-info", "hpke-unwrap",
          "Rejected: a correctly attested wrap whose HPKE info was bound to another header.",
          {"hdr": env1.hdr, "wrap": mislabeled, "reader": fx.seeds(fx.r_seeds), "sharer_bundle": fx.a_signed},
          raises=S.AuthError,
          check=lambda: S.unwrap_recipient(env1.hdr, mislabeled, fx.rafa, fx.a_bundle))
    to_alice = hpke_seal_det(fx.alice.enc_pub, _hpke_info(env1.hdr, fx.alice.kid), fx.cek, drbg("hpke-eph3", 32))
    for_alice = _attest_share(env1.hdr, fx.alice.kid, to_alice, fx.alice)
    w.add("hpke-unwrap-other-reader", "hpke-unwrap",
          "Rejected (format failure): a correctly attested wrap addressed to another reader's kid; "
          "the share signature is checked first and passes, then the kid check fails.",
          {"hdr": env1.hdr, "wrap": for_alice, "reader": fx.seeds(fx.r_seeds), "sharer_bundle": fx.a_signed},
          raises=S.FormatError,
          check=lambda: S.unwrap_recipient(env1.hdr, for_alice, fx.rafa, fx.a_bundle))
    bad_sig = for_alice | {"sig": b64(flip(b64u_decode(for_alice["sig"]), 3))}
    w.add("hpke-unwrap-other-reader-bad-sig", "hpke-unwrap",
          "Rejected (auth failure): addressed to another reader AND a bad share signature; the share "
          "signature is checked before the kid, so this is an auth failure.",
          {"hdr": env1.hdr, "wrap": bad_sig, "reader": fx.seeds(fx.r_seeds), "sharer_bundle": fx.a_signed},
          raises=S.AuthError,
          check=lambda: S.unwrap_recipient(env1.hdr, bad_sig, fx.rafa, fx.a_bundle))
    w.add("share-verify", "share-verify",
          "Share attestation: Ed25519(sharer, DST('share') || SHA-256(hdr) || rkid || SHA-256(enc || ct)).",
          {"hdr": env1.hdr, "wrap": hpke_wrap, "sharer_bundle": fx.a_signed}, {})
    share_negs = [
        ("share-verify-tampered-ct", hpke_wrap | {"ct": b64(flip(b64u_decode(hpke_wrap["ct"]), 40))},
         env1.hdr, "wrap ciphertext changed"),
        ("share-verify-other-header", hpke_wrap, env2.hdr, "the wrap presented for another record"),
        ("share-verify-relabelled", hpke_wrap | {"kid": b64(fx.alice.kid)}, env1.hdr,
         "the recipient kid relabelled"),
        ("share-verify-wrong-by", hpke_wrap | {"by": b64(fx.rafa.kid)}, env1.hdr,
         "'by' names someone other than the sharer whose bundle is given"),
    ]
    for name, wr, hdr, why in share_negs:
        w.add(name, "share-verify", f"Rejected: {why}.",
              {"hdr": hdr, "wrap": wr, "sharer_bundle": fx.a_signed}, raises=S.AuthError,
              check=lambda wr=wr, hdr=hdr: S.verify_share(hdr, wr, fx.a_bundle))

    # Receipts.
    server_seed = drbg("server", 32)
    server = Ed25519PrivateKey.from_private_bytes(server_seed)
    server_pub = server.public_key().public_bytes_raw()
    receipt = _make_receipt_at(server, env1.entry_hash, 1767225661234)
    w.add("receipt-make", "receipt-make",
          "Server receipt: Ed25519(server, DST('receipt') || entry_hash || u64 BE ts).",
          {"server_seed": b64(server_seed), "entry_hash": b64(env1.entry_hash), "ts": 1767225661234},
          {"receipt": receipt, "server_pub": b64(server_pub)})
    for name, rc, err, why in (
        ("receipt-changed-ts", receipt | {"ts": 1767225661235}, S.AuthError, "ts changed by 1 ms"),
        ("receipt-other-entry", receipt | {"entry": b64(env2.entry_hash)}, S.AuthError,
         "the receipt moved to another entry"),
        ("receipt-v2", receipt | {"v": 2}, S.UnsupportedVersion, "v = 2"),
    ):
        w.add(name, "receipt-verify", f"Rejected: {why}.", {"receipt": rc, "server_pub": b64(server_pub)},
              raises=err, check=lambda rc=rc: S.verify_receipt(rc, server_pub))

    gen_header_negatives(w, env1.hdr)


def gen_header_negatives(w: Writer, hdr: str) -> None:
    w.add("header-canonical", "header-parse", "The stored header is canonical and accepted.",
          {"hdr": hdr}, {})
    obj = json.loads(hdr)
    first_key = next(iter(obj))
    cases: list[tuple[str, str, type[Exception], str]] = [
        ("header-whitespace", hdr.replace(",", ", ", 1), S.FormatError, "a space after a comma"),
        ("header-trailing-newline", hdr + "\n", S.FormatError, "a trailing newline"),
        ("header-key-order", json.dumps(dict(reversed(list(obj.items()))), separators=(",", ":")),
         S.FormatError, "keys not sorted"),
        ("header-duplicate-key", hdr[:-1] + ',"v":1}', S.FormatError, "a duplicate key"),
        ("header-non-ascii", hdr.replace('"typ":"sp.record"', '"typ":"sp.r\u00e9cord"'), S.FormatError,
         "a non-ASCII character"),
        ("header-escape", hdr.replace('"typ":"sp.record"', '"typ":"sp.\\u0072ecord"'), S.FormatError,
         "a \\u escape (same string, different bytes)"),
        ("header-float", hdr.replace('"seq":1', '"seq":1.0'), S.FormatError, "a float"),
        ("header-negative", hdr.replace('"seq":1', '"seq":-1'), S.FormatError, "a negative integer"),
        ("header-bad-b64", hdr.replace('"rid":"', '"rid":"=', 1), S.FormatError,
         "a rid that is not unpadded base64url"),
        ("header-missing-member", hdr.replace('"rcpt":' + json.dumps(obj["rcpt"], separators=(",", ":")) + ",", ""),
         S.FormatError, "rcpt missing"),
        ("header-v2", hdr.replace('"v":1', '"v":2'), S.UnsupportedVersion, "v = 2"),
        ("header-suite", hdr.replace('"suite":"SP1"', '"suite":"SP2"'), S.UnsupportedVersion,
         "suite SP2"),
    ]
    assert first_key == "att"
    for name, text, err, why in cases:
        assert text != hdr, name
        w.add(name, "header-parse", f"Rejected: {why}.", {"hdr": text}, raises=err,
              check=lambda t=text: S.parse_header(t))


def gen_cards(w: Writer, fx: Fixture) -> None:
    """Contact cards (SPEC.md §5.4): Rafa, a focal point, publishes her name."""
    name, org = "Mariam Núñez", "Réseau Frontières Solidaires"
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    card = S.make_card(fx.rafa, name, org)
    rafa_in = fx.seeds(fx.r_seeds)
    w.add("card-make", "card-make",
          "Signed contact card: canonical JSON with name and org as base64url of their NFC UTF-8 "
          "(canonical JSON is ASCII-only), sig = Ed25519(DST('card') || SHA-256(text)).",
          rafa_in | {"name": name, "org": org}, {"signed": card})
    w.add("card-make-nfd", "card-make",
          "make_card normalises name and org to NFC first: the decomposed (NFD) spelling of the "
          "card-make name gives the same card, byte for byte.",
          rafa_in | {"name": nfd, "org": org}, {"signed": card})
    for vname, bad_name, bad_org, why in (
        ("card-make-bidi-override", "Mariam \u202eZenuN", org,
         "a name with U+202E RIGHT-TO-LEFT OVERRIDE (it would display as another name)"),
        ("card-make-empty-name", "", org, "an empty name"),
    ):
        w.add(vname, "card-make", f"Rejected when making: {why}.",
              rafa_in | {"name": bad_name, "org": bad_org}, raises=S.FormatError,
              check=lambda n=bad_name, o=bad_org: S.make_card(fx.rafa, n, o))

    def verify_out(c: S.Card) -> dict[str, str]:
        return {"kid": b64(c.kid), "name": c.name, "org": c.org}

    arabic = S.make_card(fx.rafa, "مريم الحسن")
    dove, e64 = "\U0001f54a" * 32, "é" * 64
    assert len(dove.encode()) == len(e64.encode()) == S.CARD_NAME_MAX
    longest = S.make_card(fx.rafa, dove, e64)
    for vname, signed, comment in (
        ("card-verify", card, "The card-make card verifies under Rafa's bundle."),
        ("card-verify-arabic-no-org", arabic,
         "A right-to-left name (Arabic letters need no bidi control characters) and an empty org "
         "(base64url of zero bytes is the empty string)."),
        ("card-verify-128-bytes", longest,
         "Name and org of exactly 128 UTF-8 bytes: 32 four-byte characters (U+1F54A, two UTF-16 "
         "code units each) and 64 two-byte ones."),
    ):
        got = S.verify_card(signed, fx.r_bundle)
        w.add(vname, "card-verify", comment, {"signed": signed, "bundle": fx.r_signed}, verify_out(got))

    def forged(*, name_bytes: bytes = name.encode(), org_bytes: bytes = org.encode(),
               typ: str = "sp.card") -> dict[str, str]:
        """A card Rafa really signed, whose content make_card would have refused to produce."""
        return _sign_canonical(fx.rafa, "card", {
            "kid": b64(fx.rafa.kid), "name": b64(name_bytes), "org": b64(org_bytes),
            "suite": "SP1", "typ": typ, "v": 1})

    text = card["card"]
    b64_name = b64(name.encode())
    tampered_text = text.replace(b64_name, b64("Mariam Nunez".encode()))
    assert tampered_text != text
    ws_text = text.replace(",", ", ", 1)
    v2_text = text.replace('"v":1', '"v":2')
    bad_sig = b64(flip(b64u_decode(card["sig"]), 9))
    negs: list[tuple[str, dict[str, str], type[Exception], str]] = [
        ("card-verify-tampered-name", {"card": tampered_text, "sig": card["sig"]}, S.AuthError,
         "the name changed after signing (to 'Mariam Nunez')"),
        ("card-verify-wrong-kid", S.make_card(fx.alice, name, org), S.AuthError,
         "a valid card of another identity (Alice's, with Rafa's name) under Rafa's bundle: its "
         "kid is not the bundle's"),
        ("card-verify-bad-sig", {"card": text, "sig": bad_sig}, S.AuthError, "a flipped signature bit"),
        ("card-verify-non-nfc", forged(name_bytes=unicodedata.normalize("NFD", name).encode()),
         S.FormatError, "a correctly signed name in NFD (verifiers never normalise)"),
        ("card-verify-bidi-override", forged(name_bytes="Mariam \u202eZenuN".encode()), S.FormatError,
         "a correctly signed name with U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("card-verify-bidi-isolate", forged(name_bytes="Mariam \u2067Núñez\u2069".encode()),
         S.FormatError, "a correctly signed name with U+2067/U+2069 (right-to-left isolate)"),
        ("card-verify-control-in-org", forged(org_bytes="Réseau\nFrontières".encode()), S.FormatError,
         "a correctly signed org with a line feed (C0 control)"),
        ("card-verify-c1-control", forged(name_bytes="Mariam\u0085Núñez".encode()), S.FormatError,
         "a correctly signed name with U+0085 NEXT LINE (C1 control)"),
        ("card-verify-empty-name", forged(name_bytes=b""), S.FormatError, "a correctly signed empty name"),
        ("card-verify-129-bytes", forged(name_bytes=("é" * 64 + "a").encode()), S.FormatError,
         "a correctly signed name of 129 UTF-8 bytes"),
        ("card-verify-invalid-utf8", forged(name_bytes=name.encode("latin-1")), S.FormatError,
         "a correctly signed name that is Latin-1, not UTF-8"),
        ("card-verify-wrong-typ", forged(typ="sp.bundle"), S.FormatError,
         "a correctly signed card whose typ is sp.bundle"),
        ("card-verify-whitespace", {"card": ws_text, "sig": card["sig"]}, S.FormatError,
         "whitespace makes the text non-canonical"),
        ("card-verify-v2", {"card": v2_text, "sig": card["sig"]}, S.UnsupportedVersion, "v = 2"),
    ]
    for vname, signed, err, why in negs:
        w.add(vname, "card-verify", f"Rejected: {why}.", {"signed": signed, "bundle": fx.r_signed},
              raises=err, check=lambda s=signed: S.verify_card(s, fx.r_bundle))


def gen_sealed(w: Writer) -> None:
    """Sealed files (SPEC.md §17) at the §4 floor (t=2, m=19456 KiB, p=1), so both runners stay
    fast while the public opener, which applies the policy, still accepts them."""
    kdf_salt, salt = drbg("sealed-kdf-salt", 16), drbg("sealed-salt", 16)
    floor = kdf_text(2, 19456, 1, kdf_salt)
    params = KdfParams.parse(floor)
    passphrase = "clé de l'affaire 2026 — القضية"
    nfd = unicodedata.normalize("NFD", passphrase)
    assert nfd != passphrase

    def split(sealed: bytes) -> tuple[str, bytes]:
        header, ct = sealed[len(MAGIC):].split(b"\n", 1)
        return header.decode("ascii"), ct

    def rebuilt(header: str, ct: bytes) -> bytes:
        return MAGIC + header.encode("ascii") + b"\n" + ct

    def opens(pw: str, sealed: bytes) -> Callable[[], Any]:
        return lambda: S.open_sealed_file(pw, sealed)

    big_size = CHUNK + 1  # Padmé -> 67584 B: a full chunk and a short final one
    big_data = drbg("sealed-data", big_size)
    big = _seal_file_from_parts(passphrase, big_data, params, salt)
    big_header, big_ct = split(big)
    assert len(big_ct) == S.attachment_ct_len(big_size) == CT_CHUNK + 2064
    assert S.open_sealed_file(passphrase, big) == big_data
    w.add("sealed-seal", "sealed-seal",
          "A sealed file of 65537 B (two chunks): 'SP1-SEALED\\n' || canonical header || '\\n' || "
          "STREAM of §8.1 with CEK = HKDF(Argon2id(NFC(passphrase)), SHA-256(header), "
          "DST('sealed')) and att.salt = the header's salt. KDF at the §4 floor.",
          {"passphrase": passphrase, "kdf": floor, "salt": b64(salt),
           "data": drbg_spec("sealed-data", big_size)},
          {"header": big_header, "file": b64(big)})
    empty = _seal_file_from_parts(passphrase, b"", params, salt)
    assert S.open_sealed_file(passphrase, empty) == b""
    w.add("sealed-seal-empty", "sealed-seal",
          "An empty file seals to one empty final chunk (16 B of ciphertext after the header line).",
          {"passphrase": passphrase, "kdf": floor, "salt": b64(salt), "data": drbg_spec("sealed-empty", 0)},
          {"header": split(empty)[0], "file": b64(empty)})

    text = ("Case 7: bundle for the lawyer. Open with the passphrase agreed by phone; "
            "check the exporter's key with `safepassage verify`. — Dossier 7 : pour l'avocate. "
            "الملف ٧: للمحامية.").encode("utf-8")
    small = _seal_file_from_parts(passphrase, text, params, salt)
    header, ct = split(small)
    prefix = len(small) - len(ct)
    assert S.open_sealed_file(nfd, small) == text
    w.add("sealed-open", "sealed-open",
          "A one-chunk sealed file opens with the decomposed (NFD) spelling of the passphrase it "
          "was sealed with: the passphrase is normalised to NFC before Argon2id.",
          {"passphrase": nfd, "file": b64(small)}, {"data": b64(text)})

    low = _seal_file_from_parts(passphrase, text, KdfParams(t=2, m=8192, p=1, salt=kdf_salt), salt)
    spaced = header.replace(",", ", ", 1)
    assert spaced != header
    negs: list[tuple[str, str, bytes, type[Exception], str]] = [
        ("sealed-open-wrong-passphrase", passphrase + " ", small, S.AuthError,
         "another passphrase (one trailing space): the first chunk does not authenticate"),
        ("sealed-open-flipped-byte", passphrase, flip(small, prefix + 7), S.AuthError,
         "one flipped ciphertext bit"),
        ("sealed-open-truncated", passphrase, rebuilt(big_header, big_ct[:CT_CHUNK]), S.AuthError,
         "the two-chunk file of sealed-seal cut at the chunk boundary: the full first chunk is "
         "then opened with the last-chunk flag"),
        ("sealed-open-trailing-bytes", passphrase, small + b"\x00", S.AuthError,
         "one byte appended: the real last chunk is opened without the last-chunk flag"),
        ("sealed-open-header-size", passphrase,
         rebuilt(header.replace(f'"size":{len(text)}', f'"size":{len(text) - 1}'), ct), S.AuthError,
         "the header's size lowered by one (still canonical, same ciphertext length): the "
         "header is the HKDF salt of K_file, so the first chunk does not authenticate"),
        ("sealed-open-header-kdf", passphrase, rebuilt(header.replace('"t":2', '"t":3'), ct),
         S.AuthError, "the header's Argon2 t raised from 2 to 3 (within the policy): another A"),
        ("sealed-open-header-salt", passphrase,
         rebuilt(header.replace(b64(salt), b64(drbg("sealed-salt-2", 16))), ct), S.AuthError,
         "the header's STREAM salt replaced by another 16 bytes"),
        ("sealed-open-noncanonical", passphrase, rebuilt(spaced, ct), S.FormatError,
         "a space after the header's first comma: not canonical JSON"),
        ("sealed-open-kdf-below-floor", passphrase, low, S.KdfPolicyError,
         "an authentic file sealed with m = 8192 KiB (below the §4 floor of 19456), refused "
         "before Argon2id runs"),
        ("sealed-open-kdf-above-ceiling", passphrase,
         rebuilt(header.replace('"m":19456', '"m":4194304'), ct), S.KdfPolicyError,
         "m = 4 GiB in the header (above the §4 ceiling): refused before Argon2id could exhaust "
         "the opener's memory"),
        ("sealed-open-v2", passphrase, rebuilt(header.replace('"v":1}', '"v":2}'), ct),
         S.UnsupportedVersion, "header v = 2"),
        ("sealed-open-bad-magic", passphrase, b"SP1-SEALED\r\n" + small[len(MAGIC):], S.FormatError,
         "the magic line ends in CR LF (a text-mode transfer): not a sealed file"),
        ("sealed-open-no-header-line", passphrase, MAGIC + header.encode("ascii"), S.FormatError,
         "the file ends inside the header line (no newline)"),
    ]
    for name, pw, sealed, err, why in negs:
        assert (sealed, pw) != (small, passphrase), name
        w.add(name, "sealed-open", f"Rejected: {why}.", {"passphrase": pw, "file": b64(sealed)},
              raises=err, check=opens(pw, sealed))


def gen_release(w: Writer) -> None:
    """Signed release manifests (SPEC.md §19): the release key signs, the service worker checks."""
    seed, next_seed = drbg("release-key", 32), drbg("release-key-next", 32)
    other_seed = drbg("release-key-other", 32)
    pub, next_pub, other_pub = (S.release_public_key(s) for s in (seed, next_seed, other_seed))
    files = {
        "/crypto/sp1.js": hashlib.sha256(b"sp1").hexdigest(),
        "/css/app.css": hashlib.sha256(b"css").hexdigest(),
        "/index.html": hashlib.sha256(b"index").hexdigest(),
        "/js/main.js": hashlib.sha256(b"main").hexdigest(),
        "/vendor/pdfjs/pdf.worker.js": hashlib.sha256(b"pdf").hexdigest(),
    }
    manifest: dict[str, Any] = {"v": 1, "app": "safe-passage", "version": "5afe9a55a9e00001",
                                "built": "2026-03-01", "files": files, "keys": [b64(pub)]}
    text, sig = S.sign_release(seed, manifest)

    def raw_sign(key_seed: bytes, raw: bytes) -> str:
        """A real signature over bytes sign_release would refuse to produce."""
        return b64(P.ed25519_from_seed(key_seed).sign(RELEASE_CONTEXT + raw))

    def verify_out(raw: bytes) -> dict[str, Any]:
        got = S.verify_release(raw, b64u_decode(sig_of[raw]), [pub])
        return {"version": got["version"], "manifest_hash": S.release_manifest_hash(raw), "keys": got["keys"]}

    w.add("release-sign", "release-sign",
          "A release manifest: canonical JSON (sorted keys, no whitespace, paths with '/'), signed "
          "with Ed25519 over 'safe-passage/release/v1\\n' || manifest bytes; the manifest hash is "
          "SHA-256 of the bytes and the key id the first 16 bytes of SHA-256(public key), in hex.",
          {"seed": b64(seed), "manifest": manifest},
          {"manifest": text.decode("ascii"), "sig": b64(sig), "public_key": b64(pub),
           "manifest_hash": S.release_manifest_hash(text), "key_id": S.release_key_id(pub)})

    rotated, rotated_sig = S.sign_release(seed, manifest | {"version": "5afe9a55a9e00002",
                                                            "keys": [b64(next_pub)]})
    sig_of = {text: b64(sig), rotated: b64(rotated_sig)}
    for vname, raw, comment in (
        ("release-verify", text, "The release-sign manifest verifies under its key."),
        ("release-verify-rotation", rotated,
         "Key rotation: signed by the trusted key, it lists the next key the following release "
         "must be signed with (keys is not checked against the signer)."),
    ):
        w.add(vname, "release-verify", comment,
              {"manifest": raw.decode("ascii"), "sig": sig_of[raw], "trusted_keys": [b64(pub)]},
              verify_out(raw))

    tampered = text.replace(files["/js/main.js"].encode(), hashlib.sha256(b"evil").hexdigest().encode())
    assert tampered != text
    other_text, other_sig = S.sign_release(other_seed, manifest | {"keys": [b64(other_pub)]})
    whitespace = text.replace(b",", b", ", 1)
    key_order = text.replace(b'{"app":"safe-passage",', b"{").replace(
        b'"v":1,', b'"v":1,"app":"safe-passage",')
    assert key_order != text and len(key_order) == len(text)
    v2 = text.replace(b'"v":1', b'"v":2')
    dotdot = text.replace(b'"/js/main.js"', b'"/js/../main.js"')
    upper = text.replace(files["/css/app.css"].encode(), files["/css/app.css"].upper().encode())
    negs: list[tuple[str, bytes, str, list[bytes], type[Exception], str]] = [
        ("release-verify-tampered-manifest", tampered, b64(sig), [pub], S.AuthError,
         "a file hash changed after signing (a tampered /js/main.js listed as genuine)"),
        ("release-verify-wrong-key", other_text, b64(other_sig), [pub], S.AuthError,
         "a well-formed release signed by another key, which lists itself in keys: only the "
         "trusted keys count"),
        ("release-verify-bad-sig", text, b64(flip(sig, 7)), [pub], S.AuthError,
         "a flipped signature bit"),
        ("release-verify-whitespace", whitespace, raw_sign(seed, whitespace), [pub], S.FormatError,
         "a correctly signed manifest with whitespace: not canonical"),
        ("release-verify-key-order", key_order, raw_sign(seed, key_order), [pub], S.FormatError,
         "a correctly signed manifest with its members out of order: not canonical"),
        ("release-verify-v2", v2, raw_sign(seed, v2), [pub], S.UnsupportedVersion,
         "a correctly signed manifest with v = 2"),
        ("release-verify-dot-segment", dotdot, raw_sign(seed, dotdot), [pub], S.FormatError,
         "a correctly signed manifest with a '..' path segment"),
        ("release-verify-uppercase-hash", upper, raw_sign(seed, upper), [pub], S.FormatError,
         "a correctly signed manifest with an uppercase hex file hash"),
        ("release-verify-short-sig", text, b64(sig[:63]), [pub], S.FormatError,
         "a 63-byte signature"),
    ]
    for vname, raw, vsig, trusted, err, why in negs:
        w.add(vname, "release-verify", f"Rejected: {why}.",
              {"manifest": raw.decode("ascii"), "sig": vsig,
               "trusted_keys": [b64(k) for k in trusted]},
              raises=err,
              check=lambda r=raw, s=vsig, t=trusted: S.verify_release(r, b64u_decode(s), t))


# -- README ---------------------------------------------------------------------------------

OPERATIONS = """\
| scenario | inputs | outputs (on success) |
|---|---|---|
| `argon2id` | password (text, UTF-8 as is), salt, t, m (KiB), p, len | tag |
| `passphrase-nfc` | passphrase (text), kdf (block text) | nfc_utf8, A |
| `account-derive` | passphrase, kdf (block text), ask (or null) | A, auth_key, kek |
| `ask-format` | ask | text |
| `ask-parse` | text | ask |
| `kdf-policy` | kdf (block text), pinned (block text or null) | — |
| `ak-wrap` | kek, vault_id, ak, nonce | wrapped_ak (also unwrap it) |
| `ak-unwrap` | kek, vault_id, wrapped_ak | ak |
| `identity` | sig_seed, enc_seed, ak, nonce_sig, nonce_enc, message | sig_pub, enc_pub, kid, sig_pkcs8, enc_pkcs8, wrapped_sig, wrapped_enc, signature |
| `bundle-make` | sig_seed, enc_seed, uid, role | signed {bundle, sig} |
| `bundle-verify` | signed | uid, role, kid |
| `safety-number` | bundle_a, bundle_b (signed) | number |
| `fingerprint-raw` | key_a, id_a, key_b, id_b, iterations | number |
| `padme` | sizes | padme, body_padded_len, attachment_ct_len (lists) |
| `attachment-encrypt` | cek, aid, salt, size, data (DRBG spec) | ct, att, padded_len, plaintext_sha256 (also decrypt) |
| `attachment-decrypt` | cek, att, size, ct | plaintext_sha256 |
| `header-parse` | hdr | — |
| `record-seal` | sig_seed, enc_seed, cek, rid, dev, seq, prev, rcpt, bn, att, supersedes, body_json | envelope, commit, entry_hash |
| `record-open` | envelope, author_bundle, wrap, and ak or (reader seeds, sharer_bundle) | body_json, entry_hash |
| `owner-wrap` | hdr, cek, ak, nonce | wrap |
| `hpke-unwrap` | hdr, wrap, reader seeds, sharer_bundle | cek |
| `share-verify` | hdr, wrap, sharer_bundle | — |
| `chain` | envelopes | heads [{author, dev, seq, entry_hash}] |
| `receipt-make` | server_seed, entry_hash, ts | receipt, server_pub |
| `receipt-verify` | receipt, server_pub | entry, ts |
| `card-make` | sig_seed, enc_seed, name (text), org (text) | signed {card, sig} |
| `card-verify` | signed {card, sig}, bundle (the signer's signed bundle) | kid, name, org (text) |
| `sealed-seal` | passphrase (text), kdf (block text), salt, data (DRBG spec) | header (text), file (also open it with the passphrase) |
| `sealed-open` | passphrase (text), file | data |
| `release-sign` | seed, manifest (object) | manifest (text), sig, public_key, manifest_hash (hex), key_id (hex) |
| `release-verify` | manifest (text), sig, trusted_keys | version, manifest_hash (hex), keys |
"""


def readme(files: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# SP1 test vectors",
        "",
        "Generated by `generate.py` (do not edit by hand); the format is crypto/SPEC.md §16.",
        "Binary values are unpadded base64url. `{\"drbg\": label, \"len\": n}` stands for",
        "DRBG(label, n) = (SHA-256(\"SP1-test/<label>/0\") || SHA-256(\"SP1-test/<label>/1\") || ...)[0:n].",
        "Seeds are raw 32-byte Ed25519 / X25519 private keys. Failures have empty outputs.",
        "",
        "## Operations",
        "",
        OPERATIONS,
        "## Files",
        "",
        "| file | scenario | expect |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | `{v['scenario']}` | {v['expect']} |" for name, v in files.items()]
    return "\n".join(lines) + "\n"


def build() -> Writer:
    check_hpke_rfc9180_a1()
    w = Writer()
    gen_kdf(w)
    fx = Fixture()
    gen_identity(w, fx)
    gen_padding(w)
    att_ref = gen_attachments(w, fx)
    gen_records(w, fx, att_ref)
    gen_cards(w, fx)
    gen_sealed(w)
    gen_release(w)
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: crypto/vectors)")
    args = ap.parse_args(argv)
    w = build()
    w.write(args.out)
    print(f"wrote {len(w.files)} vectors to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
