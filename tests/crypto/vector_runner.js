// Runs crypto/vectors/*.json inside the page against crypto/js (read and passed in by
// test_browser_vectors.py; page.evaluate() calls this function expression). For each vector it
// returns the outcome class ("success", "format failure", ...) or "mismatch: ..." when an
// operation succeeded but produced other bytes than the Python reference.
async (vectors) => {
  const sp = await import("/crypto/sp1.js");
  const enc = await import("/crypto/encoding.js");
  const { b64uDecode: d, b64uEncode: e, utf8, concat } = enc;

  class Mismatch extends Error {}
  const same = (what, got, want) => {
    const g = JSON.stringify(got);
    const w = JSON.stringify(want);
    if (g !== w) throw new Mismatch(`${what}: got ${g.slice(0, 200)}, want ${w.slice(0, 200)}`);
  };
  const CLASSES = {
    FormatError: "format failure", AuthError: "auth failure", UnsupportedVersion: "unsupported version",
    KdfPolicyError: "policy failure", ChainError: "chain failure",
  };

  const drbg = async ({ drbg: label, len }) => {
    const out = new Uint8Array(len);
    for (let i = 0, off = 0; off < len; i++, off += 32) {
      const block = await sp.sha256(utf8(`SP1-test/${label}/${i}`));
      out.set(block.subarray(0, Math.min(32, len - off)), off);
    }
    return out;
  };
  const collect = () => {
    const parts = [];
    const sink = async (chunk) => { parts.push(chunk.slice()); };
    return { parts, sink, bytes: () => concat(...parts) };
  };
  const sorted = (v) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  const attJson = (a) => ({ aid: e(a.aid), ct_len: a.ct_len, hash: e(a.hash), salt: e(a.salt) });
  const attBytes = (a) => ({ aid: d(a.aid, 16), ct_len: a.ct_len, hash: d(a.hash, 32), salt: d(a.salt, 16) });
  const seeds = async (r) => sp.identityFromSeeds(d(r.sig_seed, 32), d(r.enc_seed, 32));
  async function* pieces(bytes, size) {
    for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
  }

  const run = {
    async argon2id(i, o) {
      const tag = await sp.argon2id(utf8(i.password), d(i.salt), { t: i.t, m: i.m, p: i.p }, i.len);
      same("tag", e(tag), o.tag);
    },
    async "passphrase-nfc"(i, o) {
      same("nfc_utf8", e(sp.normalizePassphrase(i.passphrase)), o.nfc_utf8);
      same("A", e(await sp.stretchPassphrase(i.passphrase, i.kdf)), o.A);
    },
    async "account-derive"(i, o) {
      const a = await sp.stretchPassphrase(i.passphrase, i.kdf);
      const keys = await sp.deriveAccountKeys(a, i.ask === null ? null : d(i.ask, 16));
      same("A", e(a), o.A);
      same("auth_key", e(keys.authKey), o.auth_key);
      same("kek", e(keys.kek), o.kek);
    },
    async "ask-format"(i, o) { same("text", sp.formatAsk(d(i.ask, 16)), o.text); },
    async "ask-parse"(i, o) { same("ask", e(sp.parseAsk(i.text)), o.ask); },
    async "kdf-policy"(i) { sp.checkKdfPolicy(i.kdf, i.pinned); },
    async "ak-wrap"(i, o) {
      const wrapped = await sp.wrapAccountKey(d(i.kek), d(i.ak), d(i.vault_id), d(i.nonce));
      same("wrapped_ak", e(wrapped), o.wrapped_ak);
      same("unwrapped", e(await sp.unwrapAccountKeyBytes(d(i.kek), wrapped, d(i.vault_id))), i.ak);
    },
    async "ak-unwrap"(i, o) {
      same("ak", e(await sp.unwrapAccountKeyBytes(d(i.kek), d(i.wrapped_ak), d(i.vault_id))), o.ak);
      await sp.unwrapAccountKey(await sp.aesKey(d(i.kek)), d(i.wrapped_ak), d(i.vault_id)); // CryptoKey path too
    },
    async identity(i, o) {
      const id = await seeds(i);
      same("sig_pub", e(id.sigPub), o.sig_pub);
      same("enc_pub", e(id.encPub), o.enc_pub);
      same("kid", e(id.kid), o.kid);
      const sigPkcs8 = sp.pkcs8FromSeed("sig", d(i.sig_seed));
      const encPkcs8 = sp.pkcs8FromSeed("enc", d(i.enc_seed));
      same("sig_pkcs8", e(sigPkcs8), o.sig_pkcs8);
      same("enc_pkcs8", e(encPkcs8), o.enc_pkcs8);
      const ak = d(i.ak);
      const wrappedSig = await sp.wrapIdentityKey(ak, sigPkcs8, id.kid, "sig", d(i.nonce_sig));
      const wrappedEnc = await sp.wrapIdentityKey(ak, encPkcs8, id.kid, "enc", d(i.nonce_enc));
      same("wrapped_sig", e(wrappedSig), o.wrapped_sig);
      same("wrapped_enc", e(wrappedEnc), o.wrapped_enc);
      same("signature", e(await sp.sign(id.signingKey, d(i.message))), o.signature);
      // Unwrapping straight into non-extractable keys signs identically.
      const back = await sp.unwrapIdentity(await sp.importAccountKey(ak), { kid: id.kid, sigPub: id.sigPub, encPub: id.encPub, wrappedSig, wrappedEnc });
      same("signature after unwrap", e(await sp.sign(back.signingKey, d(i.message))), o.signature);
    },
    async "bundle-make"(i, o) {
      same("signed", await sp.makeBundle(await seeds(i), i.uid, i.role), o.signed);
    },
    async "bundle-verify"(i, o) {
      const p = await sp.verifyBundle(i.signed);
      same("bundle", { uid: p.uid, role: p.role, kid: e(p.kid) }, o);
    },
    async "safety-number"(i, o) {
      const a = await sp.verifyBundle(i.bundle_a);
      const b = await sp.verifyBundle(i.bundle_b);
      same("number", await sp.safetyNumber(a, b), o.number);
      same("number (other side)", await sp.safetyNumber(b, a), o.number);
    },
    async "fingerprint-raw"(i, o) {
      same("number", await sp.safetyNumberFromParts(d(i.key_a), d(i.id_a), d(i.key_b), d(i.id_b), i.iterations), o.number);
    },
    async padme(i, o) {
      same("padme", i.sizes.map(sp.padme), o.padme);
      same("body_padded_len", i.sizes.map(sp.paddedBodyLength), o.body_padded_len);
      same("attachment_ct_len", i.sizes.map((n) => sp.attachmentLayout(n).ctLen), o.attachment_ct_len);
    },
    async "attachment-encrypt"(i, o) {
      const data = await drbg(i.data);
      const out = collect();
      const att = await sp.encryptAttachmentWith(new Blob([data]), d(i.cek), { aid: d(i.aid), salt: d(i.salt) }, out.sink);
      same("ct", e(out.bytes()), o.ct);
      same("att", attJson(att), o.att);
      same("padded_len", sp.padme(i.size), o.padded_len);
      const pt = collect();
      await sp.decryptAttachment(new Blob([out.bytes()]), d(i.cek), att, i.size, pt.sink);
      same("plaintext_sha256", e(await sp.sha256(pt.bytes())), o.plaintext_sha256);
      same("plaintext", e(pt.bytes()) === e(data), true);
    },
    async "attachment-decrypt"(i, o) {
      const ct = d(i.ct);
      // Once as a Blob (the stream path) and once as odd-sized pieces (re-chunking): the two
      // must agree on the outcome, so the second run's error class is the one reported.
      const outcomes = [];
      let plaintext = null;
      for (const source of [() => new Blob([ct]), () => pieces(ct, 7777)]) {
        const pt = collect();
        try {
          await sp.decryptAttachment(source(), d(i.cek), i.att, i.size, pt.sink);
          outcomes.push("success");
          plaintext = pt.bytes();
        } catch (err) {
          outcomes.push(err.name);
          if (outcomes.length === 2) {
            if (outcomes[0] !== outcomes[1]) throw new Mismatch(`Blob and pieces disagree: ${outcomes}`);
            throw err;
          }
        }
      }
      if (outcomes[0] !== outcomes[1]) throw new Mismatch(`Blob and pieces disagree: ${outcomes}`);
      same("plaintext_sha256", e(await sp.sha256(plaintext)), o.plaintext_sha256);
      if (o.data) same("plaintext", e(plaintext) === e(await drbg(o.data)), true);
    },
    async "header-parse"(i) { sp.parseHeader(i.hdr); },
    async "record-seal"(i, o) {
      const sealed = await sp.sealRecordWith({
        identity: await seeds(i), dev: d(i.dev), seq: i.seq, prev: d(i.prev), rcpt: i.rcpt.map((k) => d(k)),
        body: utf8(i.body_json), attachments: i.att.map(attBytes),
        supersedes: i.supersedes === null ? null : d(i.supersedes), rid: d(i.rid), cek: d(i.cek), bn: d(i.bn),
      });
      same("envelope", sealed.envelope, o.envelope);
      same("commit", e(await sp.cekCommitment(d(i.cek))), o.commit);
      same("entry_hash", e(sealed.entryHash), o.entry_hash);
    },
    async "record-open"(i, o) {
      const keys = { author: await sp.verifyBundle(i.author_bundle) };
      if (i.ak) keys.ak = await sp.importAccountKey(d(i.ak));
      if (i.reader) keys.identity = await seeds(i.reader);
      if (i.sharer_bundle) keys.sharer = await sp.verifyBundle(i.sharer_bundle);
      const opened = await sp.openRecord(i.envelope, i.wrap, keys);
      same("body_json", enc.fromUtf8(opened.body), o.body_json);
      same("entry_hash", e(opened.entryHash), o.entry_hash);
    },
    async "owner-wrap"(i, o) {
      same("wrap", await sp.wrapForOwnerWith(d(i.ak), i.hdr, d(i.cek), d(i.nonce)), o.wrap);
    },
    async "hpke-unwrap"(i, o) {
      const cek = await sp.unwrapCek(i.wrap, i.hdr, { identity: await seeds(i.reader), sharer: await sp.verifyBundle(i.sharer_bundle) });
      same("cek", e(cek), o.cek);
    },
    async "share-verify"(i) { await sp.verifyShare(i.wrap, i.hdr, await sp.verifyBundle(i.sharer_bundle)); },
    async chain(i, o) {
      const heads = await sp.verifyChain(i.envelopes);
      const got = [...heads.values()].map((h) => ({ seq: h.seq, entry_hash: e(h.entryHash) }));
      same("heads", got, o.heads.map((h) => ({ seq: h.seq, entry_hash: h.entry_hash })));
      same("keys", [...heads.keys()], o.heads.map((h) => `${h.author}.${h.dev}`));
    },
    async "receipt-make"(i, o) {
      // Receipts are made by the server; the browser checks the layout by re-signing with the
      // same seed (Ed25519 is deterministic) and by verifying the reference receipt.
      const server = await sp.identityFromSeeds(d(i.server_seed), new Uint8Array(32).fill(9));
      same("server_pub", e(server.sigPub), o.server_pub);
      const msg = concat(enc.dst("receipt"), d(i.entry_hash), enc.uintBE(i.ts, 8));
      same("sig", e(await sp.sign(server.signingKey, msg)), o.receipt.sig);
      same("ts", await sp.verifyReceipt(o.receipt, server.sigPub, d(i.entry_hash)), i.ts);
    },
    async "receipt-verify"(i, o) {
      const ts = await sp.verifyReceipt(i.receipt, d(i.server_pub));
      same("receipt", { entry: i.receipt.entry, ts }, o);
    },
    async "card-make"(i, o) {
      same("signed", await sp.makeCard(await seeds(i), i.name, i.org), o.signed);
    },
    async "card-verify"(i, o) {
      const card = await sp.verifyCard(i.signed, await sp.verifyBundle(i.bundle));
      same("card", { kid: e(card.kid), name: card.name, org: card.org }, o);
    },
    async "sealed-seal"(i, o) {
      const data = await drbg(i.data);
      const sealed = await sp.sealFileWith(i.passphrase, new Blob([data]), { kdf: i.kdf, salt: d(i.salt) });
      const bytes = new Uint8Array(await sealed.arrayBuffer());
      same("file", e(bytes), o.file);
      same("header", enc.fromUtf8(bytes.subarray(11, bytes.indexOf(10, 11))), o.header);
      // The public opener (KDF policy included) reads it back.
      const opened = await sp.openSealedFile(i.passphrase, sealed);
      same("plaintext", e(new Uint8Array(await opened.arrayBuffer())) === e(data), true);
    },
    async "sealed-open"(i, o) {
      const opened = await sp.openSealedFile(i.passphrase, new Blob([d(i.file)]));
      same("data", e(new Uint8Array(await opened.arrayBuffer())), o.data);
    },
    async "release-sign"(i, o) {
      // The browser never signs releases; it checks that the Python signature, hash and key id
      // are what it computes, and that the text is the input manifest, canonically.
      const signer = await sp.identityFromSeeds(d(i.seed, 32), d(i.seed, 32));
      same("public_key", e(signer.sigPub), o.public_key);
      const text = utf8(o.manifest);
      const msg = concat(utf8("safe-passage/release/v1\n"), text);
      same("sig", e(await sp.sign(signer.signingKey, msg)), o.sig);
      const got = await sp.verifyRelease(text, d(o.sig, 64), [signer.sigPub]);
      same("manifest", sorted(got), sorted(i.manifest));
      same("manifest_hash", await sp.releaseManifestHash(text), o.manifest_hash);
      same("key_id", await sp.releaseKeyId(signer.sigPub), o.key_id);
    },
    async "release-verify"(i, o) {
      const text = utf8(i.manifest);
      const got = await sp.verifyRelease(text, d(i.sig), i.trusted_keys.map((k) => d(k)));
      same("release", { version: got.version, manifest_hash: await sp.releaseManifestHash(text), keys: got.keys }, o);
    },
  };

  const results = [];
  for (const v of vectors) {
    let outcome;
    try {
      const fn = run[v.scenario];
      if (!fn) throw new Mismatch(`no runner for scenario ${v.scenario}`);
      // page.evaluate has no timeout of its own: a hung promise must fail this vector, not the run.
      let timer;
      const hung = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Mismatch("no result within 60 s")), 60_000);
      });
      try {
        await Promise.race([fn(v.inputs, v.outputs), hung]);
      } finally {
        clearTimeout(timer);
      }
      outcome = "success";
    } catch (err) {
      if (err instanceof Mismatch) outcome = "mismatch: " + err.message;
      else if (err instanceof sp.CryptoError && CLASSES[err.name]) outcome = CLASSES[err.name];
      else outcome = `unexpected ${err && err.name}: ${err && err.message}`;
    }
    results.push({ file: v.file, outcome });
  }
  return results;
}
