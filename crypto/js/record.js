// SP1 records: envelope seal/verify/open, owner and HPKE recipient wraps with the sharer's
// attestation, per-device chain verification, server receipts and safety numbers.
// Primitives come from sp1.js, the only module that calls WebCrypto.

import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from "../vendor/hpke.js";
import { AuthError, ChainError, FormatError } from "./errors.js";
import {
  b64uDecode, b64uEncode, bytesEqual, canonicalEncode, concat, dst, fromUtf8, padme, readUintBE,
  requireCanonical, strictParse, uintBE, utf8,
} from "./encoding.js";
import { attachmentLayout } from "./attachments.js";
import {
  SUITE, VERSION, aeadOpen, aeadSeal, checkVersion, hkdf, randomBytes, sha256, sha512, sign,
  verifySignature,
} from "./sp1.js";

const ZERO32 = new Uint8Array(32);

// ---------------------------------------------------------------------------------------------
// Body padding: u32 BE length || json || zeros up to max(1024, Padmé(4 + len)) (SPEC §6.4, R6:
// without the floor a short testimony's length would be visible almost to the byte).

export const BODY_PAD_FLOOR = 1024;

export function paddedBodyLength(jsonLength) {
  return Math.max(BODY_PAD_FLOOR, padme(4 + jsonLength));
}

/** The padded body plaintext for UTF-8 JSON bytes. */
export function padBody(json) {
  const total = paddedBodyLength(json.length);
  const out = new Uint8Array(total);
  out.set(uintBE(json.length, 4), 0);
  out.set(json, 4);
  return out;
}

/** Inverse of padBody; raises FormatError on a bad length or non-zero padding. */
export function unpadBody(padded) {
  if (padded.length < 4) throw new FormatError("padded body too short");
  const len = readUintBE(padded.subarray(0, 4));
  if (4 + len > padded.length || paddedBodyLength(len) !== padded.length) throw new FormatError("bad body padding length");
  if (padded.subarray(4 + len).some((b) => b !== 0)) throw new FormatError("non-zero body padding");
  return padded.slice(4, 4 + len);
}

/**
 * UTF-8 JSON of the body content: keys sorted, no whitespace, non-ASCII as UTF-8 (the same
 * bytes as Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) for
 * integers, strings, lists and objects). Bodies are authenticated, not re-derived, so this only
 * has to be valid I-JSON.
 */
export function encodeBodyJson(content) {
  const sortKeys = (v) => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    }
    if (typeof v === "number" && !Number.isFinite(v)) throw new FormatError("body numbers must be finite");
    return v;
  };
  return utf8(JSON.stringify(sortKeys(content)));
}

// ---------------------------------------------------------------------------------------------
// Record keys derived from the per-record CEK.

export async function bodyKey(cek) {
  return hkdf(cek, null, dst("body"));
}

export async function cekCommitment(cek) {
  return hkdf(cek, null, dst("commit"));
}

/** A fresh 32-byte content-encryption key for one record (and its attachments). */
export function newRecordKey() {
  return randomBytes(32);
}

// ---------------------------------------------------------------------------------------------
// Header.

const HEADER_FIELDS = ["att", "author", "bn", "commit", "dev", "prev", "rcpt", "rid", "seq", "suite", "typ", "v"];
const ATT_FIELDS = ["aid", "ct_len", "hash", "salt"];

function strictlySorted(list) {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1] < list[i])) return false;
  return true;
}

/**
 * Parses and validates header text in SPEC §6.2's order: strict JSON (FormatError), v/suite
 * (UnsupportedVersion), canonical form (FormatError), schema (FormatError). Returns the header
 * object plus `bytes`, its decoded byte fields.
 */
export function parseHeader(hdr) {
  if (typeof hdr !== "string") throw new FormatError("header must be a string");
  const h = strictParse(hdr);
  checkVersion(h);
  requireCanonical(h, hdr);
  const keys = Object.keys(h).filter((k) => k !== "supersedes");
  if (keys.join() !== HEADER_FIELDS.join()) throw new FormatError("header members");
  if (h.typ !== "sp.record") throw new FormatError("not a record header");
  if (!Number.isSafeInteger(h.seq) || h.seq < 1) throw new FormatError("seq must be >= 1");
  const d = {
    rid: b64uDecode(h.rid, 16), author: b64uDecode(h.author, 16), dev: b64uDecode(h.dev, 16),
    prev: b64uDecode(h.prev, 32), commit: b64uDecode(h.commit, 32), bn: b64uDecode(h.bn, 12),
  };
  if ((h.seq === 1) !== bytesEqual(d.prev, ZERO32)) throw new FormatError("prev must be zero exactly when seq is 1");
  if (!Array.isArray(h.rcpt) || !Array.isArray(h.att)) throw new FormatError("rcpt and att must be lists");
  d.rcpt = h.rcpt.map((k) => b64uDecode(k, 16));
  if (!strictlySorted(h.rcpt)) throw new FormatError("rcpt must be sorted and unique");
  d.att = h.att.map((a) => {
    if (a === null || typeof a !== "object" || Array.isArray(a) || Object.keys(a).join() !== ATT_FIELDS.join()) {
      throw new FormatError("attachment entry members");
    }
    if (!Number.isSafeInteger(a.ct_len)) throw new FormatError("ct_len must be an integer");
    return { aid: b64uDecode(a.aid, 16), ct_len: a.ct_len, hash: b64uDecode(a.hash, 32), salt: b64uDecode(a.salt, 16) };
  });
  if (!strictlySorted(h.att.map((a) => a.aid))) throw new FormatError("att must be sorted by aid and unique");
  if ("supersedes" in h) d.supersedes = b64uDecode(h.supersedes, 16);
  return Object.assign(Object.create(null), h, { bytes: d });
}

/** Builds canonical header text from byte fields. */
function buildHeader({ rid, author, dev, seq, prev, rcpt, commit, bn, att, supersedes }) {
  const h = {
    v: VERSION, suite: SUITE, typ: "sp.record",
    rid: b64uEncode(rid), author: b64uEncode(author), dev: b64uEncode(dev), seq,
    prev: b64uEncode(prev), rcpt: rcpt.map(b64uEncode).sort(), commit: b64uEncode(commit), bn: b64uEncode(bn),
    att: att.map((a) => ({ aid: b64uEncode(a.aid), ct_len: a.ct_len, hash: b64uEncode(a.hash), salt: b64uEncode(a.salt) }))
      .sort((x, y) => (x.aid < y.aid ? -1 : x.aid > y.aid ? 1 : 0)),
  };
  if (supersedes) h.supersedes = b64uEncode(supersedes);
  const text = canonicalEncode(h);
  parseHeader(text); // the writer obeys the reader's rules (lengths, sorting, zero prev)
  return text;
}

async function toSign(hdrBytes, bodyCt) {
  return concat(dst("record"), await sha256(hdrBytes), await sha256(bodyCt));
}

async function entryHashOf(tbs, sig) {
  return sha256(dst("entry"), tbs, sig);
}

/** Header and entry hash of an envelope, without checking its signature (chain bookkeeping). */
async function entryOf(envelope) {
  const { header, hdrBytes, bodyCt, sig } = parseEnvelope(envelope);
  return { header, entryHash: await entryHashOf(await toSign(hdrBytes, bodyCt), sig) };
}

// ---------------------------------------------------------------------------------------------
// Seal.

/**
 * Inner seal with explicit randomness (rid, cek, bn) and body bytes. `identity` needs kid and
 * signingKey; `attachments` are the {aid, ct_len, hash, salt} results of encryptAttachment.
 * Returns {envelope: {hdr, body, sig}, rid, entryHash, cek}; the caller keeps entryHash as its
 * chain head for the next record of this device.
 */
export async function sealRecordWith({
  identity, dev, seq, prev = ZERO32, rcpt = [], body, attachments = [], supersedes = null, rid, cek, bn,
}) {
  if (!(body instanceof Uint8Array)) throw new FormatError("body must be bytes");
  const hdr = buildHeader({
    rid, author: identity.kid, dev, seq, prev, rcpt, commit: await cekCommitment(cek), bn, att: attachments, supersedes,
  });
  checkBody(strictParse(body, { body: true }), parseHeader(hdr)); // never seal what a reader rejects
  const hdrBytes = utf8(hdr);
  const bodyCt = await aeadSeal(await bodyKey(cek), bn, padBody(body), hdrBytes);
  const tbs = await toSign(hdrBytes, bodyCt);
  const sig = await sign(identity.signingKey, tbs);
  return {
    envelope: { hdr, body: b64uEncode(bodyCt), sig: b64uEncode(sig) },
    rid,
    entryHash: await entryHashOf(tbs, sig),
    cek,
  };
}

/**
 * Seals a record. `content` is the body object (client time "ts", kind, text fields and the
 * attachments' aid/name/mime/size); pass `cek` when attachments were encrypted under it first.
 */
export async function sealRecord({ identity, dev, seq, prev, rcpt, content, attachments, supersedes, cek = null }) {
  return sealRecordWith({
    identity, dev, seq, prev, rcpt, attachments, supersedes,
    body: encodeBodyJson(content), rid: randomBytes(16), cek: cek || newRecordKey(), bn: randomBytes(12),
  });
}

// ---------------------------------------------------------------------------------------------
// Verify and open.

/** Decodes the transport form (body, sig), then parses the header. Other members are ignored. */
function parseEnvelope(envelope) {
  if (envelope === null || typeof envelope !== "object" || typeof envelope.hdr !== "string") {
    throw new FormatError("envelope must be an object with a header string");
  }
  const bodyCt = b64uDecode(envelope.body);
  const sig = b64uDecode(envelope.sig, 64);
  return { header: parseHeader(envelope.hdr), hdrBytes: utf8(envelope.hdr), bodyCt, sig };
}

/**
 * Verifies an envelope against its author's verified bundle party {kid, sigPub} (SPEC §10
 * steps 1-2): header form, the signature, and header.author == the party's kid. Does not
 * decrypt. Returns {header, hdrHash, entryHash}. Raises FormatError / UnsupportedVersion /
 * AuthError.
 */
export async function verifyRecord(envelope, author) {
  const { header, hdrBytes, bodyCt, sig } = parseEnvelope(envelope);
  const tbs = await toSign(hdrBytes, bodyCt);
  await verifySignature(author.sigPub, sig, tbs);
  if (!bytesEqual(header.bytes.author, author.kid)) throw new AuthError("record author is not this bundle's kid");
  return { header, hdrHash: await sha256(hdrBytes), entryHash: await entryHashOf(tbs, sig) };
}

/**
 * Opens a record (SPEC §10): record signature -> share signature -> unwrap -> commitment ->
 * body. keys = {author: party of the author's bundle, ak: account key (owner wraps),
 * identity: the reader's identity (HPKE wraps), sharer: party of the wrap's `by`, or a
 * function (kid b64u) -> party; defaults to the author}. Returns {header, content, body
 * (JSON bytes), cek, hdrHash, entryHash}.
 */
export async function openRecord(envelope, wrap, keys) {
  const verified = await verifyRecord(envelope, keys.author);
  const cek = await unwrapCek(wrap, envelope.hdr, keys);
  return { ...verified, ...(await decryptBody(envelope, cek)), cek };
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Inner (also for disclosed-CEK evidence export): key commitment, body decryption and the body
 * checks of SPEC §6.4. Raises AuthError (commitment, AEAD) or FormatError (body).
 */
export async function decryptBody(envelope, cek) {
  const { header, hdrBytes, bodyCt } = parseEnvelope(envelope);
  if (!(cek instanceof Uint8Array) || cek.length !== 32) throw new FormatError("CEK must be 32 bytes");
  if (!constantTimeEqual(await cekCommitment(cek), header.bytes.commit)) throw new AuthError("key commitment mismatch");
  const body = unpadBody(await aeadOpen(await bodyKey(cek), header.bytes.bn, bodyCt, hdrBytes));
  checkBody(strictParse(body, { body: true }), header);
  return { body, content: JSON.parse(fromUtf8(body)) };
}

const isInt = (v) => Number.isSafeInteger(v) && v >= 0;

/**
 * SPEC §6.4 on the strictly parsed body (duplicates rejected, floats marked): an object with an
 * integer ts and a string kind, whose att lists exactly the header's aids, each with a size
 * whose stream length is the header's ct_len. Raises FormatError.
 */
function checkBody(content, header) {
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    throw new FormatError("body must be a JSON object");
  }
  if (!isInt(content.ts)) throw new FormatError("body ts must be an integer");
  if (typeof content.kind !== "string") throw new FormatError("body kind must be a string");
  const att = content.att === undefined ? [] : content.att;
  if (!Array.isArray(att)) throw new FormatError("body att must be a list");
  const sizes = new Map();
  for (const a of att) {
    if (a === null || typeof a !== "object" || Array.isArray(a)) throw new FormatError("body att items must be objects");
    if (typeof a.aid !== "string" || !isInt(a.size)) throw new FormatError("body att items need aid and size");
    if (sizes.has(a.aid)) throw new FormatError("body att has a duplicate aid");
    sizes.set(a.aid, a.size);
  }
  if (sizes.size !== header.att.length || header.att.some((h) => !sizes.has(h.aid))) {
    throw new FormatError("body att does not list exactly the header's attachments");
  }
  for (const h of header.att) {
    if (attachmentLayout(sizes.get(h.aid)).ctLen !== h.ct_len) {
      throw new FormatError("attachment size does not match ct_len");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Wraps.

function ownerAad(hdrHash) {
  return concat(dst("cek-owner"), hdrHash);
}

/** Inner owner wrap with a given nonce: {"t":"ak","n","ct"}. */
export async function wrapForOwnerWith(ak, hdr, cek, nonce) {
  const ct = await aeadSeal(ak, nonce, cek, ownerAad(await sha256(utf8(hdr))));
  return { t: "ak", n: b64uEncode(nonce), ct: b64uEncode(ct) };
}

/** Owner copy of the CEK under the account key AK. */
export async function wrapForOwner(ak, hdr, cek) {
  return wrapForOwnerWith(ak, hdr, cek, randomBytes(12));
}

let hpkeSuite = null;
function suite() {
  hpkeSuite ||= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  return hpkeSuite;
}

function hpkeInfo(hdrHash, rkid) {
  return concat(dst("wrap-hpke"), hdrHash, rkid);
}

async function shareMessage(hdrHash, rkid, encCt) {
  return concat(dst("share"), hdrHash, rkid, await sha256(encCt));
}

/**
 * Wraps the CEK to a recipient {kid, encPub} (from a verified bundle) with HPKE base mode, and
 * signs the share as `sharer` (an identity). `ekm` is a test-only seam (the ephemeral key seed,
 * 32 bytes) that makes the output reproducible; production callers omit it.
 */
export async function wrapForRecipient(sharer, hdr, cek, recipient, { ekm = undefined } = {}) {
  const hdrHash = await sha256(utf8(hdr));
  const s = suite();
  const recipientPublicKey = await s.kem.deserializePublicKey(recipient.encPub);
  const params = { recipientPublicKey, info: hpkeInfo(hdrHash, recipient.kid) };
  if (ekm !== undefined) params.ekm = ekm;
  let sealed;
  try {
    sealed = await s.seal(params, cek);
  } catch {
    throw new AuthError("HPKE seal failed");
  }
  const encCt = concat(sealed.enc, sealed.ct);
  const sig = await sign(sharer.signingKey, await shareMessage(hdrHash, recipient.kid, encCt));
  return {
    t: "hpke", kid: b64uEncode(recipient.kid), by: b64uEncode(sharer.kid), ct: b64uEncode(encCt), sig: b64uEncode(sig),
  };
}

/**
 * Verifies a recipient wrap's share attestation (SPEC §9.2) against the verified bundle party
 * {kid, sigPub} of the sharer its `by` names. Raises FormatError or AuthError.
 */
export async function verifyShare(wrap, hdr, sharer) {
  wrapMembers(wrap, "hpke", HPKE_MEMBERS);
  const rkid = b64uDecode(wrap.kid, 16);
  const by = b64uDecode(wrap.by, 16);
  const encCt = b64uDecode(wrap.ct, 80);
  const sig = b64uDecode(wrap.sig, 64);
  if (!sharer || !bytesEqual(by, sharer.kid)) throw new AuthError("share is not by the given sharer");
  await verifySignature(sharer.sigPub, sig, await shareMessage(await sha256(utf8(hdr)), rkid, encCt));
  return { rkid, by, encCt };
}

/**
 * Recovers the CEK from a wrap (SPEC §10 steps 3-4). An HPKE wrap must carry a valid share
 * signature by `by` (AuthError) and then name the reader (FormatError) before HPKE runs.
 * Raises AuthError when the wrap does not open.
 */
function wrapMembers(wrap, t, members) {
  if (wrap === null || typeof wrap !== "object" || wrap.t !== t || Object.keys(wrap).sort().join() !== members) {
    throw new FormatError(`not a well-formed ${t} wrap`);
  }
}
const OWNER_MEMBERS = "ct,n,t";
const HPKE_MEMBERS = "by,ct,kid,sig,t";

export async function unwrapCek(wrap, hdr, keys) {
  const hdrHash = await sha256(utf8(hdr));
  if (wrap === null || typeof wrap !== "object") throw new FormatError("wrap must be an object");
  if (wrap.t === "ak") {
    wrapMembers(wrap, "ak", OWNER_MEMBERS);
    if (!keys.ak) throw new FormatError("owner wrap needs the account key");
    return aeadOpen(keys.ak, b64uDecode(wrap.n, 12), b64uDecode(wrap.ct, 48), ownerAad(hdrHash));
  }
  if (wrap.t === "hpke") {
    if (!keys.identity) throw new FormatError("HPKE wrap needs the recipient identity");
    let sharer = keys.sharer || keys.author;
    if (typeof sharer === "function") sharer = await sharer(wrap.by);
    const { rkid, encCt } = await verifyShare(wrap, hdr, sharer);
    if (!bytesEqual(rkid, keys.identity.kid)) throw new FormatError("wrap is for another recipient");
    return hpkeOpen(keys.identity.encKeyPair, hpkeInfo(hdrHash, rkid), encCt);
  }
  throw new FormatError("unknown wrap type");
}

async function hpkeOpen(recipientKey, info, encCt) {
  let pt;
  try {
    pt = new Uint8Array(await suite().open({ recipientKey, enc: encCt.slice(0, 32), info }, encCt.slice(32)));
  } catch {
    throw new AuthError("HPKE open failed");
  }
  if (pt.length !== 32) throw new AuthError("wrapped CEK must be 32 bytes");
  return pt;
}

// ---------------------------------------------------------------------------------------------
// Chain, receipts, safety numbers.

/**
 * Verifies per-device chains (SPEC §11). `entries` are verifyRecord results ({header,
 * entryHash}) or envelopes (whose signatures the caller has verified), in any order, possibly
 * of several (author, dev) chains. `heads` optionally maps
 * "author.dev" (b64u) to a head {seq, entryHash} the client trusted earlier; chains without one
 * must start at seq 1. Raises ChainError on a fork (two different records with one seq), a
 * gap or a broken prev link. Returns the new heads as a Map.
 */
export async function verifyChain(entries, heads = new Map()) {
  const chains = new Map();
  for (const item of entries) {
    const e = "hdr" in item ? await entryOf(item) : item;
    const key = e.header.author + "." + e.header.dev;
    if (!chains.has(key)) chains.set(key, new Map());
    const bySeq = chains.get(key);
    const other = bySeq.get(e.header.seq);
    if (other && !bytesEqual(other.entryHash, e.entryHash)) throw new ChainError("fork: two records with one seq");
    bySeq.set(e.header.seq, e);
  }
  const out = new Map(heads);
  for (const [key, bySeq] of chains) {
    let head = heads.get(key) || null;
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const e = bySeq.get(seq);
      if (head && seq <= head.seq) {
        if (seq === head.seq && !bytesEqual(e.entryHash, head.entryHash)) throw new ChainError("fork at the trusted head");
        if (seq === head.seq) continue;
        throw new ChainError("record before the trusted head");
      }
      const wantSeq = head ? head.seq + 1 : 1;
      if (seq !== wantSeq) throw new ChainError("gap in chain");
      if (!bytesEqual(e.header.bytes.prev, head ? head.entryHash : ZERO32)) {
        throw new ChainError("prev does not link to the previous entry");
      }
      head = { seq, entryHash: e.entryHash };
    }
    out.set(key, head);
  }
  return out;
}

/**
 * Verifies a server receipt {"v":1,"suite":"SP1","entry","ts","sig"} (SPEC §12):
 * Ed25519(server key, DST("receipt") || entry_hash || u64 BE ts). With `entryHash`, the receipt
 * must be for that entry (AuthError). Returns ts.
 */
export async function verifyReceipt(receipt, serverSigPub, entryHash = null) {
  checkVersion(receipt);
  const entry = b64uDecode(receipt.entry, 32);
  if (!Number.isSafeInteger(receipt.ts) || receipt.ts < 0) throw new FormatError("receipt ts must be an integer");
  const sig = b64uDecode(receipt.sig, 64);
  await verifySignature(serverSigPub, sig, concat(dst("receipt"), entry, uintBE(receipt.ts, 8)));
  if (entryHash && !bytesEqual(entry, entryHash)) throw new AuthError("receipt is for another entry");
  return receipt.ts;
}

export const SAFETY_ITERATIONS = 5200;

async function fingerprintDigits(key, id, iterations) {
  // libsignal's NumericFingerprintGenerator: the first round hashes the key twice.
  let h = await sha512(concat(uintBE(0, 2), key, id, key));
  for (let i = 1; i < iterations; i++) h = await sha512(concat(h, key));
  let digits = "";
  for (let g = 0; g < 6; g++) {
    digits += String(readUintBE(h.subarray(g * 5, g * 5 + 5)) % 100000).padStart(5, "0");
  }
  return digits;
}

/** Inner: libsignal's 60-digit number for two (key, id) pairs (vector safety-number-signal-kat). */
export async function safetyNumberFromParts(keyA, idA, keyB, idB, iterations = SAFETY_ITERATIONS) {
  const [x, y] = [await fingerprintDigits(keyA, idA, iterations), await fingerprintDigits(keyB, idB, iterations)].sort();
  return x + y;
}

/**
 * 60-digit safety number of two verified parties {kid, sigPub, encPub}, the same on both sides
 * (SPEC §13: key = sig_pub || enc_pub, id = kid). Shown as 12 groups of 5 digits.
 */
export async function safetyNumber(a, b) {
  return safetyNumberFromParts(concat(a.sigPub, a.encPub), a.kid, concat(b.sigPub, b.encPub), b.kid);
}
