"""Both directions between the browser (crypto/js in Chromium) and the Python reference (spcrypto).

Chromium makes keys, an account-key wrap, envelopes, owner and HPKE wraps and a multi-chunk
attachment from a Blob; Python opens and verifies all of it. Then Python seals a record, its
attachment, HPKE wraps (by the author and by a later sharer) and a server receipt for an
identity that lives only in the page; Chromium opens and verifies them.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from playwright.sync_api import Page

import spcrypto as sp
from spcrypto import AttachmentRef, Envelope

pytestmark = pytest.mark.browser


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pattern(n: int) -> bytes:
    """The attachment content both sides build: byte i = (7i + 3) mod 251."""
    return bytes((7 * i + 3) % 251 for i in range(n))


ATTACHMENT_SIZE = 200_003  # Padmé -> 200704 B: four chunks, the last one short
TEXT_FROM_CHROMIUM = "Refoulement à la frontière — 3 mineurs «sans interprète» 🔒"

MAKE_IN_CHROMIUM = """
async ({ recipientBundle, ak, passphrase, kdf, ask, size, text }) => {
  const sp = await import("/crypto/sp1.js");
  const e = sp.b64uEncode, d = sp.b64uDecode;

  // Unlock: Argon2id in the worker, then a new account key wrapped under the KEK.
  const account = await sp.deriveAccount(passphrase, kdf, d(ask));
  const vaultId = sp.randomBytes(16);
  const created = await sp.createAccountKey(account.kek, vaultId);

  // Identity wrapped under the AK that Python also holds (for the owner wrap below).
  const akKey = await sp.importAccountKey(d(ak));
  const me = await sp.generateIdentity(akKey);
  const myBundle = await sp.makeBundle(me, "u-js", "delegate");
  const recipient = await sp.verifyBundle(recipientBundle);

  // A multi-chunk attachment generated in the page as a Blob, streamed through the encryptor.
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (7 * i + 3) % 251;
  const cek = sp.newRecordKey();
  const chunks = [];
  const att = await sp.encryptAttachment(new Blob([data.subarray(0, 100000), data.subarray(100000)]), cek,
    async (c) => { chunks.push(c.slice()); });

  const dev = sp.randomBytes(16);
  const r1 = await sp.sealRecord({
    identity: me, dev, seq: 1, rcpt: [recipient.kid], attachments: [att], cek,
    content: { ts: Date.now(), kind: "incident", text,
               att: [{ aid: e(att.aid), size, name: "photo.jpg", mime: "image/jpeg" }] },
  });
  const owner = await sp.wrapForOwner(akKey, r1.envelope.hdr, r1.cek);
  const hpke = await sp.wrapForRecipient(me, r1.envelope.hdr, r1.cek, recipient);
  // The test-only seam: a fixed ephemeral key seed makes the HPKE wrap reproducible.
  const ekm = new Uint8Array(32).fill(7);
  const fixed = [];
  for (let i = 0; i < 2; i++) fixed.push(await sp.wrapForRecipient(me, r1.envelope.hdr, r1.cek, recipient, { ekm }));
  const r2 = await sp.sealRecord({
    identity: me, dev, seq: 2, prev: r1.entryHash, supersedes: r1.rid,
    content: { ts: Date.now(), kind: "tombstone" },
  });
  return {
    authKey: e(account.authKey), vaultId: e(vaultId), wrappedAk: e(created.wrapped),
    bundle: myBundle, kid: e(me.kid), wrappedSig: e(me.wrappedSig), wrappedEnc: e(me.wrappedEnc),
    records: [r1.envelope, r2.envelope], entryHashes: [e(r1.entryHash), e(r2.entryHash)],
    owner, hpke, fixed, att: { aid: e(att.aid), ct_len: att.ct_len, hash: e(att.hash), salt: e(att.salt) },
    owner2: await sp.wrapForOwner(akKey, r2.envelope.hdr, r2.cek),
    chunkLengths: chunks.map((c) => c.length), ctParts: chunks.map(e),
    safety: await sp.safetyNumber(await sp.verifyBundle(myBundle), recipient),
  };
}
"""


def test_chromium_envelopes_wraps_and_attachment_open_in_python(page: Page) -> None:
    # Given a Python recipient, an account key shared with the test, and a KDF block
    recipient = sp.generate_identity()
    recipient_bundle = sp.make_bundle(recipient, "u-py", "focal-point")
    ak = sp.generate_ak()
    ask = sp.generate_ask()
    kdf = sp.KdfParams(t=2, m=19456, p=1, salt=os.urandom(16)).to_text()
    passphrase = "Cafe\u0301 de\u0301le\u0301gue\u0301 — border 2026"

    # When Chromium unlocks, creates an identity, a record with an attachment, and wraps
    page.goto("/")
    page.set_default_timeout(60_000)
    out = page.evaluate(MAKE_IN_CHROMIUM, {
        "recipientBundle": recipient_bundle, "ak": b64u(ak), "passphrase": passphrase,
        "kdf": kdf, "ask": b64u(ask), "size": ATTACHMENT_SIZE, "text": TEXT_FROM_CHROMIUM,
    })

    # Then Python derives the same auth key and unwraps the browser-made account key
    keys = sp.derive_account_keys(passphrase, kdf, ask)
    assert b64u(keys.auth_key) == out["authKey"]
    assert len(sp.unwrap_ak(keys.kek, unb64u(out["vaultId"]), unb64u(out["wrappedAk"]))) == 32

    # And the browser's wrapped identity keys unwrap in Python to the bundle's public keys
    author = sp.verify_bundle(out["bundle"])
    ident = sp.unwrap_identity(
        ak, unb64u(out["kid"]), unb64u(out["wrappedSig"]), unb64u(out["wrappedEnc"])
    )
    assert (ident.sig_pub, ident.enc_pub, ident.kid) == (author.sig_pub, author.enc_pub, author.kid)

    # And the record opens with the owner wrap and with the HPKE wrap, to the same body
    env1, env2 = (Envelope.from_json(r) for r in out["records"])
    by_owner = sp.open_record(env1, author, out["owner"], ak=ak)
    by_recipient = sp.open_record(env1, author, out["hpke"], reader=recipient, sharer=author)
    assert by_owner.body == by_recipient.body
    assert out["fixed"][0] == out["fixed"][1] != out["hpke"]
    assert sp.unwrap_recipient(env1.hdr, out["fixed"][0], recipient, author) == by_owner.cek
    assert by_owner.body["text"] == TEXT_FROM_CHROMIUM
    assert by_owner.entry_hash == unb64u(out["entryHashes"][0])
    assert by_owner.header.rcpt == (recipient.kid,)

    # And the attachment (several 65552-byte chunks from a Blob) decrypts to the page's bytes
    ct = b"".join(unb64u(p) for p in out["ctParts"])
    assert out["chunkLengths"][:-1] == [65552] * (len(out["chunkLengths"]) - 1)
    assert len(out["chunkLengths"]) == 4
    ref = AttachmentRef.from_json(out["att"])
    assert by_owner.header.att == (ref,)
    plain = io.BytesIO()
    sp.decrypt_attachment(io.BytesIO(ct), plain, by_recipient.cek, ref, ATTACHMENT_SIZE)
    assert plain.getvalue() == pattern(ATTACHMENT_SIZE)

    # And the device chain (record, then its tombstone) verifies with the browser's entry hashes
    tombstone = sp.open_record(env2, author, out["owner2"], ak=ak)
    assert tombstone.body["kind"] == "tombstone"
    assert tombstone.header.supersedes == by_owner.header.rid
    heads = sp.verify_chain([env2, env1])
    (head,) = heads.values()
    assert (head.seq, b64u(head.entry_hash)) == (2, out["entryHashes"][1])

    # And both sides compute the same safety number
    assert sp.safety_number(author, sp.verify_bundle(recipient_bundle)) == out["safety"]


MAKE_READER = """
async () => {
  const sp = await import("/crypto/sp1.js");
  const ak = await sp.importAccountKey(sp.randomBytes(32));
  window.__reader = await sp.generateIdentity(ak);
  return await sp.makeBundle(window.__reader, "u-js-reader", "legal-support");
}
"""

OPEN_IN_CHROMIUM = """
async ({ envelope, authorBundle, sharerBundle, byAuthor, bySharer, ct, att, size, receipt, serverPub }) => {
  const sp = await import("/crypto/sp1.js");
  const e = sp.b64uEncode, d = sp.b64uDecode;
  const reader = window.__reader;
  const author = await sp.verifyBundle(authorBundle);
  const sharer = await sp.verifyBundle(sharerBundle);
  const a = await sp.openRecord(envelope, byAuthor, { author, identity: reader });
  const b = await sp.openRecord(envelope, bySharer, { author, identity: reader, sharer: async (kid) => (kid === e(sharer.kid) ? sharer : null) });
  const parts = [];
  await sp.decryptAttachment(new Blob([d(ct)]), b.cek, att, size, async (p) => { parts.push(p.slice()); });
  const plain = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { plain.set(p, off); off += p.length; }
  const ts = await sp.verifyReceipt(receipt, d(serverPub), a.entryHash);
  // Negative controls: a flipped wrap bit, and the author's wrap presented as the sharer's.
  const flipped = { ...byAuthor, ct: e(d(byAuthor.ct).map((x, i) => (i === 40 ? x ^ 1 : x))) };
  const errors = [];
  for (const [wrap, keys] of [[flipped, { author, identity: reader }], [byAuthor, { author, identity: reader, sharer }]]) {
    try { await sp.openRecord(envelope, wrap, keys); errors.push("opened"); } catch (err) { errors.push(err.name); }
  }
  return { textA: a.content.text, textB: b.content.text, sameCek: e(a.cek) === e(b.cek), entryHash: e(a.entryHash),
           plainSha256: e(await sp.sha256(plain)), plainLength: plain.length, ts, errors };
}
"""


def test_python_records_and_hpke_wraps_open_in_chromium(page: Page) -> None:
    # Given a reader identity that exists only in the page (non-extractable keys)
    page.goto("/")
    page.set_default_timeout(60_000)
    reader = sp.verify_bundle(page.evaluate(MAKE_READER))

    # And a record sealed in Python with an attachment, wrapped by its author and by a sharer
    author, sharer = sp.generate_identity(), sp.generate_identity()
    author_bundle = sp.make_bundle(author, "u-a", "delegate")
    sharer_bundle = sp.make_bundle(sharer, "u-s", "coordinator")
    cek = sp.new_cek()
    data = os.urandom(3 * 65536 + 5)
    ct = io.BytesIO()
    ref = sp.encrypt_attachment(io.BytesIO(data), ct, cek, len(data))
    body = {
        "ts": int(time.time() * 1000), "kind": "incident", "text": "محضر — procès-verbal",
        "att": [{"aid": b64u(ref.aid), "size": len(data), "name": "a.m4a", "mime": "audio/mp4"}],
    }
    env = sp.seal_record(author, cek, dev=os.urandom(16), seq=1, prev=bytes(32),
                         rcpt=[reader.kid], attachments=[ref], body=body)
    by_author = sp.wrap_for_recipient(env.hdr, cek, reader, author)
    by_sharer = sp.wrap_for_recipient(env.hdr, cek, reader, sharer)
    server_key = Ed25519PrivateKey.generate()
    receipt = sp.make_receipt(server_key, env.entry_hash)
    server_pub = server_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    # When Chromium opens both wraps, the attachment and the receipt
    out = page.evaluate(OPEN_IN_CHROMIUM, {
        "envelope": env.to_json(), "authorBundle": author_bundle, "sharerBundle": sharer_bundle,
        "byAuthor": by_author, "bySharer": by_sharer, "ct": b64u(ct.getvalue()),
        "att": ref.to_json(), "size": len(data), "receipt": receipt, "serverPub": b64u(server_pub),
    })

    # Then everything verifies and decrypts to Python's plaintext
    assert out["textA"] == out["textB"] == "محضر — procès-verbal"
    assert out["sameCek"]
    assert out["entryHash"] == b64u(env.entry_hash)
    assert out["plainLength"] == len(data)
    assert out["plainSha256"] == b64u(hashlib.sha256(data).digest())
    assert out["ts"] == receipt["ts"]
    # And a flipped wrap bit fails authentication; the author's wrap does not pass as the sharer's
    assert out["errors"] == ["AuthError", "AuthError"]


ROUND_TRIP = """
async ({ sizes, cek, pyCts }) => {
  const sp = await import("/crypto/sp1.js");
  const e = sp.b64uEncode, d = sp.b64uDecode;
  const pattern = (n) => { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = (7 * i + 3) % 251; return a; };
  const out = [];
  for (const [k, size] of sizes.entries()) {
    // Chromium -> Python: encrypt a Blob of `size` bytes.
    const parts = [];
    const att = await sp.encryptAttachment(new Blob([pattern(size)]), d(cek), async (c) => { parts.push(c.slice()); });
    const ct = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { ct.set(p, off); off += p.length; }
    // Python -> Chromium: decrypt Python's ciphertext from a Blob and from uneven pieces.
    const py = pyCts[k];
    const got = [];
    for (const source of [() => new Blob([d(py.ct)]), async function* () {
      const bytes = d(py.ct);
      for (let i = 0; i < bytes.length; i += 100003) yield bytes.subarray(i, i + 100003);
    }]) {
      const plain = [];
      await sp.decryptAttachment(source(), d(cek), py.att, size, async (p) => { plain.push(p.slice()); });
      got.push(e(await sp.sha256(new Uint8Array(await new Blob(plain).arrayBuffer()))));
    }
    out.push({ att: { aid: e(att.aid), ct_len: att.ct_len, hash: e(att.hash), salt: e(att.salt) }, ct: e(ct), got });
  }
  return out;
}
"""

# Sizes around the chunk (65536), read-block (4 chunks) and ciphertext read-block boundaries.
SIZES = [0, 1, 65535, 65536, 65537, 262143, 262144, 262145, 600_000]


def test_attachment_sizes_round_trip_both_ways(page: Page) -> None:
    # Given one CEK and Python-encrypted streams of sizes around every boundary
    cek = sp.new_cek()
    py_cts = []
    for size in SIZES:
        ct = io.BytesIO()
        ref = sp.encrypt_attachment(io.BytesIO(pattern(size)), ct, cek, size)
        py_cts.append({"att": ref.to_json(), "ct": b64u(ct.getvalue())})
    page.goto("/")
    page.set_default_timeout(60_000)

    # When Chromium encrypts the same sizes and decrypts Python's streams
    out = page.evaluate(ROUND_TRIP, {"sizes": SIZES, "cek": b64u(cek), "pyCts": py_cts})

    for size, result in zip(SIZES, out, strict=True):
        want = b64u(hashlib.sha256(pattern(size)).digest())
        # Then Chromium recovered Python's plaintext, from a Blob and from uneven pieces
        assert result["got"] == [want, want], size
        # And Python decrypts Chromium's stream to the same bytes, at the expected length
        ref = AttachmentRef.from_json(result["att"])
        assert ref.ct_len == sp.attachment_ct_len(size)
        plain = io.BytesIO()
        sp.decrypt_attachment(io.BytesIO(unb64u(result["ct"])), plain, cek, ref, size)
        assert plain.getvalue() == pattern(size), size
