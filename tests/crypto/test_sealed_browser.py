"""Sealed files both ways between Chromium (crypto/js/sealed.js) and Python (spcrypto.sealed).

The vectors prove both implementations make the same bytes from the same salts; these tests
use the public recipes with fresh salts, files read from Blobs of several chunks, and the
browser's own Argon2id worker at SP1's default parameters once.
"""
from __future__ import annotations

import base64
import os
import unicodedata

import pytest
from playwright.sync_api import Page

import spcrypto as sp

pytestmark = pytest.mark.browser

PASSPHRASE = "Cafe\u0301 frontière — كلمة المرور 7"  # NFD é: both sides normalise to NFC
SIZE = 200_003  # Padmé -> 200704 B: four chunks, the last one short
FLOOR = {"alg": "argon2id", "m": 19456, "p": 1, "t": 2, "v": 19}


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pattern(n: int) -> bytes:
    """The file content both sides build: byte i = (7i + 3) mod 251."""
    return bytes((7 * i + 3) % 251 for i in range(n))


SEAL_IN_CHROMIUM = """
async ({ passphrase, size, floor }) => {
  const sp = await import("/crypto/sp1.js");
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (7 * i + 3) % 251;
  // A Blob of two parts, like a ZIP that fflate hands over in pieces.
  const blob = new Blob([data.subarray(0, 70000), data.subarray(70000)]);
  const out = [];
  for (const kdf of [{ ...floor, salt: sp.b64uEncode(sp.randomBytes(16)) }, null]) {
    const progress = [];
    const sealed = await sp.sealFile(passphrase, blob, { kdf, onProgress: (p) => progress.push(p) });
    out.push({
      file: sp.b64uEncode(new Uint8Array(await sealed.arrayBuffer())),
      type: sealed.type,
      phases: [...new Set(progress.map((p) => p.phase))],
      last: progress[progress.length - 1],
    });
  }
  return out;
}
"""


def test_chromium_seals_python_opens(page: Page) -> None:
    # Given a file of several chunks, sealed in the page at the §4 floor and at SP1's defaults
    page.goto("/")
    page.set_default_timeout(60_000)
    at_floor, at_defaults = page.evaluate(
        SEAL_IN_CHROMIUM, {"passphrase": PASSPHRASE, "size": SIZE, "floor": FLOOR})

    for out, want in ((at_floor, FLOOR), (at_defaults, {"m": 65536, "p": 1, "t": 3})):
        sealed = unb64u(out["file"])
        # Then the browser reported Argon2id, then encryption up to the whole ciphertext
        assert out["phases"] == ["deriving", "encrypting"]
        assert out["last"]["done"] == out["last"]["total"] == sp.attachment_ct_len(SIZE)
        assert out["type"] == "application/octet-stream"
        # And the header carries the parameters asked for (SP1's defaults when none were given)
        assert f'"m":{want["m"]},"p":{want["p"]},' in sealed.split(b"\n")[1].decode()
        assert f'"t":{want["t"]},' in sealed.split(b"\n")[1].decode()
        # And Python opens it, with the passphrase in its NFC spelling, to the page's bytes
        nfc = unicodedata.normalize("NFC", PASSPHRASE)
        assert sp.open_sealed_file(nfc, sealed) == pattern(SIZE)
    # And a wrong passphrase fails authentication
    with pytest.raises(sp.AuthError):
        sp.open_sealed_file(PASSPHRASE + "!", unb64u(at_floor["file"]))


OPEN_IN_CHROMIUM = """
async ({ passphrase, file, wrong }) => {
  const sp = await import("/crypto/sp1.js");
  const blob = new Blob([sp.b64uDecode(file)]);
  const progress = [];
  const opened = await sp.openSealedFile(passphrase, blob, { onProgress: (p) => progress.push(p) });
  const bytes = new Uint8Array(await opened.arrayBuffer());
  const errors = [];
  for (const attempt of [
    () => sp.openSealedFile(wrong, blob),                                      // wrong passphrase
    () => sp.openSealedFile(passphrase, blob.slice(0, blob.size - 65552)),     // truncated
    () => sp.sealFile(passphrase, blob, { kdf: { alg: "argon2id", m: 8192, p: 1, t: 2, v: 19,
                                                salt: sp.b64uEncode(sp.randomBytes(16)) } }),
    () => sp.sealFile("", blob),
  ]) {
    try { await attempt(); errors.push("no error"); } catch (err) { errors.push(err.name); }
  }
  return { data: sp.b64uEncode(bytes), phases: [...new Set(progress.map((p) => p.phase))],
           last: progress[progress.length - 1], errors };
}
"""


def test_python_seals_chromium_opens(page: Page) -> None:
    # Given a file of several chunks sealed in Python with fresh salts
    data = os.urandom(SIZE)
    sealed = sp.seal_file(PASSPHRASE, data, sp.KdfParams(t=2, m=19456, p=1, salt=os.urandom(16)))

    # When Chromium opens it (and tries a wrong passphrase, a truncated file, weak parameters)
    page.goto("/")
    page.set_default_timeout(60_000)
    out = page.evaluate(OPEN_IN_CHROMIUM, {"passphrase": PASSPHRASE, "file": b64u(sealed),
                                           "wrong": PASSPHRASE.upper()})

    # Then it recovers Python's bytes, reporting progress up to the file's true size
    assert unb64u(out["data"]) == data
    assert out["phases"] == ["deriving", "decrypting"]
    assert out["last"]["done"] == out["last"]["total"] == SIZE
    # And the wrong passphrase and the truncation fail authentication; sealing refuses
    # parameters below the floor and an empty passphrase before any Argon2 work
    assert out["errors"] == ["AuthError", "AuthError", "KdfPolicyError", "FormatError"]
