// SP1 for the browser: the one module that touches crypto.subtle (a test greps for it).
//
// Layout: (1) primitives, exported for the sibling modules record.js and attachments.js only;
// (2) the key hierarchy: passphrase -> Argon2id (in a Web Worker) -> auth key + KEK, the
// Account Secret Key, the account key (AK), identity keys, public bundles and contact cards;
// (3) re-exports of the record, wrap, chain, receipt and attachment recipes so callers import
// one module.
//
// Conventions (crypto/SPEC.md): bytes are Uint8Array; "inner" functions take their randomness
// as arguments (the deterministic seams the vectors exercise); public recipes draw it here.
// Private keys live only as non-extractable CryptoKeys; what may be persisted is wrapped bytes.
// Every verification raises (AuthError, FormatError, ...) and never returns false.

import { AuthError, CryptoError, FormatError, KdfPolicyError, UnsupportedVersion } from "./errors.js";
import {
  b64uDecode, b64uEncode, bytesEqual, canonicalEncode, concat, dst, fromUtf8, requireCanonical, strictParse, utf8,
} from "./encoding.js";

const subtle = globalThis.crypto.subtle;

export const SUITE = "SP1";
export const VERSION = 1;

// =============================================================================================
// (1) Primitives. Not part of the application API: the app uses the recipes below.

/** n random bytes (getRandomValues is limited to 65536 bytes per call). */
export function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  }
  return out;
}

/** SHA-256 of the concatenation of `parts` (the input is copied before this returns). */
export function sha256(...parts) {
  const data = parts.length === 1 ? parts[0] : concat(...parts);
  return subtle.digest("SHA-256", data).then((d) => new Uint8Array(d));
}

export async function sha512(data) {
  return new Uint8Array(await subtle.digest("SHA-512", data));
}

/** HKDF-SHA256; an empty salt is the RFC 5869 default (HashLen zero bytes). */
export async function hkdf(ikm, salt, info, length = 32) {
  const base = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: salt || new Uint8Array(0), info }, base, length * 8);
  return new Uint8Array(bits);
}

/** Imports 32 raw bytes as a non-extractable AES-256-GCM key (encrypt/decrypt only by default). */
export async function aesKey(raw, usages = ["encrypt", "decrypt"]) {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new FormatError("AES key must be 32 bytes");
  return subtle.importKey("raw", raw, "AES-GCM", false, usages);
}

/**
 * Imports 32 raw AK bytes as the non-extractable account key. Besides encrypt/decrypt it may
 * unwrapKey, so identity keys go from their wrapped PKCS#8 straight into CryptoKeys.
 */
export async function importAccountKey(raw) {
  return aesKey(raw, ["encrypt", "decrypt", "unwrapKey"]);
}

/**
 * AES-256-GCM encryption (12-byte nonce, 16-byte tag appended). With a CryptoKey, WebCrypto
 * copies `plaintext` before this function returns, so the caller may reuse its buffer at once
 * (the attachment stream relies on that); with raw key bytes the key is imported first.
 */
export function aeadSeal(key, nonce, plaintext, aad = new Uint8Array(0)) {
  if (nonce.length !== 12) return Promise.reject(new FormatError("nonce must be 12 bytes"));
  if (!(key instanceof CryptoKey)) return aesKey(key).then((k) => aeadSeal(k, nonce, plaintext, aad));
  return subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad }, key, plaintext)
    .then((ct) => new Uint8Array(ct));
}

/** AES-256-GCM decryption; any failure is an AuthError. Copies its input like aeadSeal. */
export function aeadOpen(key, nonce, ciphertext, aad = new Uint8Array(0)) {
  if (nonce.length !== 12) return Promise.reject(new FormatError("nonce must be 12 bytes"));
  if (ciphertext.length < 16) return Promise.reject(new AuthError("ciphertext shorter than its tag"));
  if (!(key instanceof CryptoKey)) return aesKey(key).then((k) => aeadOpen(k, nonce, ciphertext, aad));
  return subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: aad }, key, ciphertext).then(
    (pt) => new Uint8Array(pt),
    () => {
      throw new AuthError("decryption failed");
    },
  );
}

// PKCS#8 DER prefixes for 32-byte Ed25519 / X25519 private keys (RFC 8410); WebCrypto imports
// these curves' private keys only as pkcs8 or jwk. Chromium exports exactly these 48 bytes.
const PKCS8_PREFIX = {
  sig: Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]),
  enc: Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]),
};
const CURVE = { sig: { name: "Ed25519" }, enc: { name: "X25519" } };
const PRIVATE_USAGES = { sig: ["sign"], enc: ["deriveBits"] };

/** PKCS#8 of a 32-byte private key seed ("sig" = Ed25519, "enc" = X25519). */
export function pkcs8FromSeed(which, seed) {
  if (seed.length !== 32) throw new FormatError("private key seed must be 32 bytes");
  return concat(PKCS8_PREFIX[which], seed);
}

function checkPkcs8(which, pkcs8) {
  const prefix = PKCS8_PREFIX[which];
  if (pkcs8.length !== 48 || prefix.some((b, i) => pkcs8[i] !== b)) {
    throw new FormatError("unexpected private key encoding");
  }
}

/**
 * Raw public key of a PKCS#8 private key (seed-made identities only: vectors and tests). The
 * key is imported extractable just for the JWK export, which carries the public `x`.
 */
async function publicFromPkcs8(which, pkcs8) {
  const tmp = await subtle.importKey("pkcs8", pkcs8, CURVE[which], true, PRIVATE_USAGES[which]);
  const jwk = await subtle.exportKey("jwk", tmp);
  return b64uDecode(jwk.x, 32);
}

export async function importPublic(which, raw) {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new FormatError("public key must be 32 bytes");
  return subtle.importKey("raw", raw, CURVE[which], true, which === "sig" ? ["verify"] : []);
}

async function importPrivate(which, pkcs8) {
  return subtle.importKey("pkcs8", pkcs8, CURVE[which], false, PRIVATE_USAGES[which]);
}

/** Ed25519 signature (deterministic, so equal to Python's for the same key and message). */
export async function sign(signingKey, message) {
  return new Uint8Array(await subtle.sign("Ed25519", signingKey, message));
}

/** Ed25519 verification against a raw 32-byte public key or a CryptoKey; raises AuthError. */
export async function verifySignature(publicKey, signature, message) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new FormatError("signature must be 64 bytes");
  const key = publicKey instanceof CryptoKey ? publicKey : await importPublic("sig", publicKey);
  let ok = false;
  try {
    ok = await subtle.verify("Ed25519", key, signature, message);
  } catch {
    ok = false;
  }
  if (!ok) throw new AuthError("bad signature");
}

// =============================================================================================
// (2a) Passphrase -> Argon2id -> auth key and KEK.

/** The parameters new accounts get: Argon2id v1.3, t=3, m=64 MiB, p=1 (hash-wasm is single-threaded). */
export const DEFAULT_KDF = Object.freeze({ alg: "argon2id", v: 19, t: 3, m: 65536, p: 1 });
/** OWASP's minimum (SPEC §4). */
export const KDF_FLOOR = Object.freeze({ t: 2, m: 19456, p: 1 });
/** A server must not be able to crash an unpinned client's Argon2 worker with huge parameters. */
export const KDF_CEILING = Object.freeze({ t: 16, m: 262144, p: 8 });
const KDF_MEMBERS = ["alg", "m", "p", "salt", "t", "v"];

/** A fresh KDF block for a new account (random 16-byte salt), as canonical JSON text. */
export function newKdfParams() {
  return canonicalEncode({ ...DEFAULT_KDF, salt: b64uEncode(randomBytes(16)) });
}

function kdfObject(kdf) {
  const obj = typeof kdf === "string" || kdf instanceof Uint8Array ? strictParse(kdf) : kdf;
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new FormatError("KDF block must be an object");
  return obj;
}

/**
 * Checks a KDF block (canonical JSON text or its parsed object, e.g. from the server's
 * prelogin) in SPEC §4's order: form (FormatError) and algorithm/Argon2 version
 * (UnsupportedVersion), floor, ceiling and salt length (KdfPolicyError), then pinning: once
 * this device has pinned a block for the account, any difference is a downgrade attempt
 * (KdfPolicyError).
 * Returns {t, m, p, salt: bytes}.
 */
export function checkKdfPolicy(kdf, pinned = null) {
  const params = parseKdfBlock(kdf);
  for (const f of ["t", "m", "p"]) {
    if (params[f] < KDF_FLOOR[f]) throw new KdfPolicyError("KDF parameters below the floor");
    if (params[f] > KDF_CEILING[f]) throw new KdfPolicyError("KDF parameters above the ceiling");
  }
  // A short salt weakens the derivation like a low m does: a policy failure (SPEC §4 r2).
  if (params.salt.length !== 16) throw new KdfPolicyError("KDF salt must be 16 bytes");
  if (pinned) {
    const pin = parseKdfBlock(pinned);
    if (pin.t !== params.t || pin.m !== params.m || pin.p !== params.p || !bytesEqual(pin.salt, params.salt)) {
      throw new KdfPolicyError("KDF parameters differ from the pinned ones");
    }
  }
  return params;
}

/** Parses a KDF block without policy: FormatError for form, UnsupportedVersion for alg/v. */
function parseKdfBlock(kdf) {
  const obj = kdfObject(kdf);
  if (Object.keys(obj).sort().join() !== KDF_MEMBERS.join()) throw new FormatError("KDF block members");
  for (const f of ["t", "m", "p", "v"]) {
    if (!Number.isSafeInteger(obj[f])) throw new FormatError(`KDF member ${f} must be an integer`);
  }
  if (typeof obj.alg !== "string") throw new FormatError("KDF alg must be a string");
  if (obj.alg !== "argon2id" || obj.v !== 19) throw new UnsupportedVersion("KDF must be Argon2id version 19");
  if (typeof kdf === "string" || kdf instanceof Uint8Array) requireCanonical(obj, kdf);
  return { t: obj.t, m: obj.m, p: obj.p, salt: b64uDecode(obj.salt) };
}

/**
 * Whether this browser can run Argon2id at all. iOS Lockdown Mode disables WebAssembly; the UI
 * should then explain how to exclude the app from Lockdown Mode rather than fall back to a
 * weaker KDF (SPEC R13, crypto-design Part 4 note 4).
 */
export function argon2Available() {
  return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
}

let warmWorker = null;

function spawnArgon2Worker() {
  const worker = new Worker(new URL("./argon2-worker.js", import.meta.url), { type: "module" });
  const state = { worker, ready: false, failed: false, listener: null };
  worker.onmessage = (ev) => {
    if (ev.data.type === "ready") state.ready = true;
    else if (state.listener) state.listener(ev);
  };
  worker.onerror = (ev) => {
    ev.preventDefault();
    state.failed = true;
    if (state.listener) state.listener({ data: { type: "error", name: "WorkerError" } });
  };
  return state;
}

/**
 * Starts the Argon2 worker ahead of time (call it when the unlock or signup screen appears):
 * module loading and WebAssembly compilation then happen while the user types, and the next
 * argon2id() call uses this worker. It holds no secret until that call.
 */
export function prewarmArgon2() {
  if (!warmWorker || warmWorker.failed) warmWorker = spawnArgon2Worker();
}

/**
 * Inner Argon2id (no policy; SPEC §4 says the policy belongs to the public recipe): runs
 * hash-wasm in a module Web Worker so the page stays responsive. `password` is a string
 * (normalised to NFC here) or bytes (used as given). `onMessage` receives the worker's
 * started/progress messages. Returns `length` bytes. Each worker serves one derivation and is
 * then terminated.
 */
export function argon2id(password, salt, { t, m, p }, length = 32, onMessage = null) {
  const pw = typeof password === "string" ? normalizePassphrase(password) : Uint8Array.from(password);
  const state = warmWorker && !warmWorker.failed ? warmWorker : spawnArgon2Worker();
  warmWorker = null;
  return new Promise((resolve, reject) => {
    state.listener = (ev) => {
      const msg = ev.data;
      if (msg.type === "done") {
        state.worker.terminate();
        if (onMessage) onMessage({ type: "done", ms: msg.ms });
        resolve(new Uint8Array(msg.key));
      } else if (msg.type === "error") {
        state.worker.terminate();
        reject(new CryptoError(`Argon2id failed in the worker (${msg.name})`));
      } else if (onMessage) {
        onMessage(msg);
      }
    };
    state.worker.postMessage({ password: pw, salt: Uint8Array.from(salt), t, m, p, length }, [pw.buffer]);
  });
}

/** UTF-8 of the NFC form of a passphrase (SPEC §2.3): what Argon2id receives. */
export function normalizePassphrase(passphrase) {
  if (typeof passphrase !== "string") throw new FormatError("passphrase must be text");
  return utf8(passphrase.normalize("NFC"));
}

/**
 * Inner: A = Argon2id(NFC(passphrase)) with the KDF block's parameters and no policy (the
 * vectors use small parameters; deriveAccount applies the policy first).
 */
export async function stretchPassphrase(passphrase, kdf, onMessage = null) {
  const params = parseKdfBlock(kdf);
  return argon2id(normalizePassphrase(passphrase), params.salt, params, 32, onMessage);
}

/** Inner: auth_key and KEK bytes from the Argon2 output A and the ASK (null/empty = no ASK). */
export async function deriveAccountKeys(a, ask) {
  const salt = ask || new Uint8Array(0);
  return {
    authKey: await hkdf(a, salt, dst("auth")),
    kek: await hkdf(a, salt, dst("kek")),
  };
}

/**
 * Unlock step 1: passphrase + KDF block (+ pinned block) + ASK -> {authKey (bytes, sent to the
 * server at login), kek (non-extractable CryptoKey), kdf (the block to pin)}.
 */
export async function deriveAccount(passphrase, kdf, ask, { pinned = null, onMessage = null } = {}) {
  if (typeof passphrase !== "string" || passphrase.length === 0) throw new FormatError("passphrase required");
  if (ask && ask.length !== 16) throw new FormatError("ASK must be 16 bytes");
  const params = checkKdfPolicy(kdf, pinned);
  const a = await argon2id(passphrase, params.salt, params, 32, onMessage);
  const { authKey, kek } = await deriveAccountKeys(a, ask);
  a.fill(0);
  const kekKey = await aesKey(kek);
  kek.fill(0);
  // The caller pins this block after the AK unwrap succeeds (SPEC §4 step 3).
  return { authKey, kek: kekKey, kdf: typeof kdf === "string" ? kdf : canonicalEncode(kdf) };
}

/** 16 random bytes for a new Account Secret Key (see formatAsk / parseAsk). */
export function generateAsk() {
  return randomBytes(16);
}

// =============================================================================================
// (2b) Account key (AK): wrapped_ak = nonce12 || AES-GCM(KEK, nonce, AK, DST("ak") || vault_id).

function akAad(vaultId) {
  if (!(vaultId instanceof Uint8Array) || vaultId.length !== 16) throw new FormatError("vault id must be 16 bytes");
  return concat(dst("ak"), vaultId);
}

/** Inner: wraps given AK bytes with a given nonce. */
export async function wrapAccountKey(kek, ak, vaultId, nonce) {
  if (ak.length !== 32) throw new FormatError("AK must be 32 bytes");
  return concat(nonce, await aeadSeal(kek, nonce, ak, akAad(vaultId)));
}

/** New random AK: returns {ak: non-extractable CryptoKey, wrapped: bytes to persist}. */
export async function createAccountKey(kek, vaultId) {
  const raw = randomBytes(32);
  const wrapped = await wrapAccountKey(kek, raw, vaultId, randomBytes(12));
  const ak = await importAccountKey(raw);
  raw.fill(0);
  return { ak, wrapped };
}

function splitWrapped(wrapped, minCt) {
  if (!(wrapped instanceof Uint8Array) || wrapped.length < 12 + minCt) throw new FormatError("wrapped key too short");
  return [wrapped.subarray(0, 12), wrapped.subarray(12)];
}

/** Inner: the AK bytes (vectors and re-wrapping on passphrase change). Raises AuthError. */
export async function unwrapAccountKeyBytes(kek, wrapped, vaultId) {
  const [nonce, ct] = splitWrapped(wrapped, 48);
  if (ct.length !== 48) throw new FormatError("wrapped AK must be 60 bytes");
  return aeadOpen(kek, nonce, ct, akAad(vaultId));
}

/** Unlock step 2: the AK as a non-extractable AES-GCM CryptoKey. AuthError = wrong passphrase/ASK. */
export async function unwrapAccountKey(kek, wrapped, vaultId) {
  const raw = await unwrapAccountKeyBytes(kek, wrapped, vaultId);
  const ak = await importAccountKey(raw);
  raw.fill(0);
  return ak;
}

// =============================================================================================
// (2c) Identity: Ed25519 "sig" and X25519 "enc" keys, kid = SHA-256(DST("kid") || sig_pub)[0:16].
// Private keys are wrapped as PKCS#8 under AK with aad = DST("idkey") || kid || "sig"|"enc".

export async function keyId(sigPub) {
  if (sigPub.length !== 32) throw new FormatError("public key must be 32 bytes");
  return (await sha256(dst("kid"), sigPub)).slice(0, 16);
}

function idkeyAad(kid, which) {
  if (which !== "sig" && which !== "enc") throw new FormatError("key kind must be sig or enc");
  return concat(dst("idkey"), kid, utf8(which));
}

/** Inner: wraps one PKCS#8 private key under AK with a given nonce. */
export async function wrapIdentityKey(ak, pkcs8, kid, which, nonce) {
  checkPkcs8(which, pkcs8);
  return concat(nonce, await aeadSeal(ak, nonce, pkcs8, idkeyAad(kid, which)));
}

/** Inner: the PKCS#8 bytes of a wrapped identity key (vectors only). Raises AuthError. */
export async function unwrapIdentityKeyBytes(ak, wrapped, kid, which) {
  const [nonce, ct] = splitWrapped(wrapped, 16);
  const pkcs8 = await aeadOpen(ak, nonce, ct, idkeyAad(kid, which));
  checkPkcs8(which, pkcs8);
  return pkcs8;
}

async function identityFromPkcs8(sigPkcs8, encPkcs8, sigPub, encPub) {
  checkPkcs8("sig", sigPkcs8);
  checkPkcs8("enc", encPkcs8);
  return {
    kid: await keyId(sigPub),
    sigPub,
    encPub,
    signingKey: await importPrivate("sig", sigPkcs8),
    encKeyPair: { privateKey: await importPrivate("enc", encPkcs8), publicKey: await importPublic("enc", encPub) },
  };
}

/**
 * Inner: an identity from 32-byte private seeds (vectors, and Python-made test keys).
 * Returns {kid, sigPub, encPub, signingKey, encKeyPair} with non-extractable private keys.
 */
export async function identityFromSeeds(sigSeed, encSeed) {
  const sigPkcs8 = pkcs8FromSeed("sig", sigSeed);
  const encPkcs8 = pkcs8FromSeed("enc", encSeed);
  try {
    return await identityFromPkcs8(sigPkcs8, encPkcs8,
      await publicFromPkcs8("sig", sigPkcs8), await publicFromPkcs8("enc", encPkcs8));
  } finally {
    sigPkcs8.fill(0);
    encPkcs8.fill(0);
  }
}

/**
 * New identity under the account key `ak` (from importAccountKey / createAccountKey /
 * unwrapAccountKey). The key pairs are generated extractable only long enough to export
 * PKCS#8 for wrapping; the returned identity holds non-extractable re-imports and drops every
 * reference to the extractable originals. `wrappedSig`/`wrappedEnc`
 * are what the vault persists (with kid, sigPub, encPub).
 */
export async function generateIdentity(ak) {
  const sigPair = await subtle.generateKey(CURVE.sig, true, ["sign", "verify"]);
  const encPair = await subtle.generateKey(CURVE.enc, true, ["deriveBits"]);
  const sigPkcs8 = new Uint8Array(await subtle.exportKey("pkcs8", sigPair.privateKey));
  const encPkcs8 = new Uint8Array(await subtle.exportKey("pkcs8", encPair.privateKey));
  try {
    const identity = await identityFromPkcs8(sigPkcs8, encPkcs8,
      new Uint8Array(await subtle.exportKey("raw", sigPair.publicKey)),
      new Uint8Array(await subtle.exportKey("raw", encPair.publicKey)));
    identity.wrappedSig = await wrapIdentityKey(ak, sigPkcs8, identity.kid, "sig", randomBytes(12));
    identity.wrappedEnc = await wrapIdentityKey(ak, encPkcs8, identity.kid, "enc", randomBytes(12));
    return identity;
  } finally {
    sigPkcs8.fill(0);
    encPkcs8.fill(0);
  }
}

/**
 * Unwraps a persisted identity {kid, sigPub, encPub, wrappedSig, wrappedEnc} under AK straight
 * into non-extractable CryptoKeys (the PKCS#8 never reaches script memory). Raises AuthError.
 */
export async function unwrapIdentity(ak, { kid, sigPub, encPub, wrappedSig, wrappedEnc }) {
  if (!bytesEqual(await keyId(sigPub), kid)) throw new AuthError("kid does not match the signing key");
  const unwrap = async (which, wrapped) => {
    const [nonce, ct] = splitWrapped(wrapped, 16);
    try {
      return await subtle.unwrapKey("pkcs8", ct, ak, { name: "AES-GCM", iv: nonce, additionalData: idkeyAad(kid, which) },
        CURVE[which], false, PRIVATE_USAGES[which]);
    } catch {
      throw new AuthError("identity key unwrap failed");
    }
  };
  const signingKey = await unwrap("sig", wrappedSig);
  const encPrivate = await unwrap("enc", wrappedEnc);
  // The AEAD binds the private keys to kid; check the pair really belongs to sigPub too.
  const probe = dst("idkey-check");
  await verifySignature(sigPub, await sign(signingKey, probe), probe);
  return {
    kid, sigPub, encPub, signingKey,
    encKeyPair: { privateKey: encPrivate, publicKey: await importPublic("enc", encPub) },
  };
}

// =============================================================================================
// (2d) Self-signed objects: public bundles (SPEC §5.3) and contact cards (§5.4). Each is
// canonical JSON text signed as Ed25519(sig_priv, DST(label) || SHA-256(text)) and travels as
// {[label]: text, sig: b64u}.

async function signedMessage(label, text) {
  return concat(dst(label), await sha256(utf8(text)));
}

async function signCanonical(identity, label, obj) {
  const text = canonicalEncode(obj);
  const sig = await sign(identity.signingKey, await signedMessage(label, text));
  return { [label]: text, sig: b64uEncode(sig) };
}

/**
 * Steps 1-3 of SPEC §6.2 on `signed[label]`, then its member set, `typ` ("sp." + label) and the
 * signature's encoding: FormatError or UnsupportedVersion. Returns {text, obj, sig}; the
 * signature itself is the caller's to check, once the signer's key is known.
 */
function parseSigned(signed, label, members) {
  if (signed === null || typeof signed !== "object") throw new FormatError(`signed ${label} must be an object`);
  const text = signed[label];
  if (typeof text !== "string") throw new FormatError(`${label} must be text`);
  const obj = strictParse(text);
  checkVersion(obj);
  requireCanonical(obj, text);
  if (Object.keys(obj).join() !== members.join()) throw new FormatError(`${label} members`);
  if (obj.typ !== `sp.${label}`) throw new FormatError(`not a ${label}`);
  return { text, obj, sig: b64uDecode(signed.sig, 64) };
}

/** Signs a public bundle for `identity`; returns {bundle: canonical text, sig: b64u}. */
export async function makeBundle(identity, uid, role) {
  return signCanonical(identity, "bundle", {
    enc_pub: b64uEncode(identity.encPub), kid: b64uEncode(identity.kid), role,
    sig_pub: b64uEncode(identity.sigPub), suite: SUITE, typ: "sp.bundle", uid, v: VERSION,
  });
}

/**
 * Step 2 of SPEC §6.2 for any versioned object: `v` (integer) and `suite` (string) present, else
 * FormatError; `v == 1` and `suite == "SP1"`, else UnsupportedVersion.
 */
export function checkVersion(obj) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new FormatError("expected a JSON object");
  if (!Number.isSafeInteger(obj.v) || typeof obj.suite !== "string") throw new FormatError("v and suite required");
  if (obj.v !== VERSION || obj.suite !== SUITE) throw new UnsupportedVersion("unsupported SP1 version or suite");
}

const BUNDLE_MEMBERS = ["enc_pub", "kid", "role", "sig_pub", "suite", "typ", "uid", "v"];

/**
 * Verifies a signed bundle {bundle, sig} (SPEC §5.3): parse order of §6.2, schema, kid =
 * H(sig_pub), then the self-signature. Returns the public party {uid, role, kid, sigPub,
 * encPub} with byte fields decoded.
 */
export async function verifyBundle(signed) {
  const { text, obj, sig } = parseSigned(signed, "bundle", BUNDLE_MEMBERS);
  if (typeof obj.uid !== "string" || !obj.uid || typeof obj.role !== "string" || !obj.role) {
    throw new FormatError("uid and role must be non-empty strings");
  }
  const party = {
    uid: obj.uid, role: obj.role, kid: b64uDecode(obj.kid, 16),
    sigPub: b64uDecode(obj.sig_pub, 32), encPub: b64uDecode(obj.enc_pub, 32),
  };
  if (!bytesEqual(await keyId(party.sigPub), party.kid)) throw new AuthError("kid does not match sig_pub");
  await verifySignature(party.sigPub, sig, await signedMessage("bundle", text));
  return party;
}

/** The most UTF-8 bytes a card's name (1..) or org (0..) may have (SPEC §5.4). */
export const CARD_NAME_MAX = 128;
const CARD_MEMBERS = ["kid", "name", "org", "suite", "typ", "v"];
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Embeddings, overrides and isolates: a name is read by people, and an override in it makes it
// display as someone else's ("Trojan Source").
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** The card rules for a name or org (already NFC when making); returns its UTF-8 bytes. */
function checkCardText(value, what, min) {
  if (typeof value !== "string") throw new FormatError(`card: ${what} must be text`);
  if (LONE_SURROGATE.test(value)) throw new FormatError(`card: ${what} is not valid Unicode`);
  const raw = utf8(value);
  if (raw.length < min || raw.length > CARD_NAME_MAX) {
    throw new FormatError(`card: ${what} must be ${min}..${CARD_NAME_MAX} UTF-8 bytes`);
  }
  if (value.normalize("NFC") !== value) throw new FormatError(`card: ${what} is not NFC`);
  if (CONTROL.test(value)) throw new FormatError(`card: ${what} contains a control character`);
  if (BIDI_CONTROL.test(value)) throw new FormatError(`card: ${what} contains a bidirectional control character`);
  return raw;
}

function cardTextFromB64(value, what, min) {
  const text = fromUtf8(b64uDecode(value));
  checkCardText(text, what, min);
  return text;
}

/**
 * Signs a contact card (SPEC §5.4): the display name and organisation people pick this contact
 * by. Both are normalised to NFC; then the name must be 1..128 UTF-8 bytes, the org 0..128, and
 * neither may hold control or bidirectional control characters (FormatError).
 * Returns {card: canonical text, sig: b64u}.
 */
export async function makeCard(identity, name, org = "") {
  if (typeof name !== "string" || typeof org !== "string") throw new FormatError("card: name and org must be text");
  const nameBytes = checkCardText(name.normalize("NFC"), "name", 1);
  const orgBytes = checkCardText(org.normalize("NFC"), "org", 0);
  return signCanonical(identity, "card", {
    kid: b64uEncode(identity.kid), name: b64uEncode(nameBytes), org: b64uEncode(orgBytes),
    suite: SUITE, typ: "sp.card", v: VERSION,
  });
}

/**
 * Verifies a signed card {card, sig} under the contact's party (what verifyBundle returned).
 * FormatError / UnsupportedVersion for a malformed card, including a name that breaks
 * makeCard's rules (nothing is normalised here); AuthError when the card is another kid's or
 * its signature fails. Returns {kid, name, org}.
 */
export async function verifyCard(signed, bundle) {
  const { text, obj, sig } = parseSigned(signed, "card", CARD_MEMBERS);
  const kid = b64uDecode(obj.kid, 16);
  const name = cardTextFromB64(obj.name, "name", 1);
  const org = cardTextFromB64(obj.org, "org", 0);
  if (!bytesEqual(kid, bundle.kid)) throw new AuthError("card: kid is not the bundle's");
  await verifySignature(bundle.sigPub, sig, await signedMessage("card", text));
  return { kid, name, org };
}

// =============================================================================================
// (2e) Local sealing for the vault on this device (not part of the SP1 wire format).
// sealed = nonce12 || AES-GCM(key, nonce, plaintext, "SP1-local/" || label || 0x00).

/**
 * A new non-extractable AES-256-GCM "device key". The vault keeps it in IndexedDB (structured
 * clone of the CryptoKey) to wrap the Account Secret Key, so unlocking on this device needs only
 * the passphrase. Script can never read its bytes, but a forensic image of the browser profile
 * can: the passphrase (through Argon2id) is what protects a seized device.
 */
export async function newDeviceKey() {
  return subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

function localAad(label) {
  if (typeof label !== "string" || !/^[a-z0-9-]+$/.test(label)) throw new FormatError("bad local label");
  return concat(utf8("SP1-local/" + label), new Uint8Array(1));
}

/** Seals bytes under a CryptoKey (device key or account key) for local storage. */
export async function sealLocal(key, plaintext, label) {
  if (!(key instanceof CryptoKey)) throw new FormatError("sealLocal needs a CryptoKey");
  const nonce = randomBytes(12);
  return concat(nonce, await aeadSeal(key, nonce, plaintext, localAad(label)));
}

/** Opens what sealLocal made with the same key and label; raises AuthError otherwise. */
export async function openLocal(key, sealed, label) {
  if (!(key instanceof CryptoKey)) throw new FormatError("openLocal needs a CryptoKey");
  const [nonce, ct] = splitWrapped(sealed, 16);
  return aeadOpen(key, nonce, ct, localAad(label));
}

// =============================================================================================
// (2f) Signed release manifests (SPEC §19): what the service worker checks before it installs
// a new version of the app. Signed by an offline release key, never by a user's identity key.

const RELEASE_CONTEXT = utf8("safe-passage/release/v1\n");
const RELEASE_MEMBERS = ["app", "built", "files", "keys", "v", "version"];
const RELEASE_LIMITS = { files: 10000, keys: 8, path: 512 };
const HEX16 = /^[0-9a-f]{16}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const BUILT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const RELEASE_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function checkReleaseShape(obj) {
  if (Object.keys(obj).sort().join() !== RELEASE_MEMBERS.join()) throw new FormatError("release members");
  if (obj.app !== "safe-passage") throw new FormatError("not a Safe Passage release");
  if (typeof obj.version !== "string" || !HEX16.test(obj.version)) throw new FormatError("release version");
  if (typeof obj.built !== "string" || !BUILT.test(obj.built)) throw new FormatError("release date");
  const files = obj.files;
  if (files === null || typeof files !== "object" || Array.isArray(files)) throw new FormatError("release files");
  const paths = Object.keys(files);
  if (paths.length < 1 || paths.length > RELEASE_LIMITS.files) throw new FormatError("release files");
  for (const path of paths) {
    if (path.length > RELEASE_LIMITS.path || !RELEASE_PATH.test(path)
        || path.split("/").some((seg) => seg === "." || seg === "..")) {
      throw new FormatError("release file path");
    }
    if (typeof files[path] !== "string" || !HEX64.test(files[path])) throw new FormatError("release file hash");
  }
  const keys = obj.keys;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > RELEASE_LIMITS.keys) throw new FormatError("release keys");
  const seen = new Set(keys.map((k) => b64uEncode(b64uDecode(k, 32))));
  if (seen.size !== keys.length) throw new FormatError("duplicate release key");
}

// Canonical JSON (§2.1) written member by member: file paths hold "/", outside §2.1's string
// alphabet, and every string was checked above to need no JSON escape.
function releaseText(obj) {
  const files = Object.keys(obj.files).sort().map((p) => `"${p}":"${obj.files[p]}"`).join(",");
  const keys = obj.keys.map((k) => `"${k}"`).join(",");
  return `{"app":"${obj.app}","built":"${obj.built}","files":{${files}},"keys":[${keys}],`
    + `"v":${obj.v},"version":"${obj.version}"}`;
}

/**
 * Verifies a signed release (SPEC §19.3): `manifestBytes` (Uint8Array of the canonical JSON),
 * `sig` (64 bytes) and `trustedKeys` (32-byte Ed25519 public keys). Returns the manifest
 * {v, app, version, built, files, keys}. Raises FormatError (malformed or non-canonical),
 * UnsupportedVersion (v other than 1) or AuthError (no trusted key verifies the signature).
 */
export async function verifyRelease(manifestBytes, sig, trustedKeys) {
  if (!(manifestBytes instanceof Uint8Array)) throw new FormatError("release manifest must be bytes");
  const obj = strictParse(manifestBytes);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new FormatError("expected a JSON object");
  if (!Number.isSafeInteger(obj.v)) throw new FormatError("release v");
  if (obj.v !== 1) throw new UnsupportedVersion("unsupported release version");
  checkReleaseShape(obj);
  if (!bytesEqual(utf8(releaseText(obj)), manifestBytes)) throw new FormatError("release is not canonical JSON");
  if (!(sig instanceof Uint8Array) || sig.length !== 64) throw new FormatError("release signature must be 64 bytes");
  if (!Array.isArray(trustedKeys) || trustedKeys.some((k) => !(k instanceof Uint8Array) || k.length !== 32)) {
    throw new FormatError("trusted release keys must be 32 bytes");
  }
  const message = concat(RELEASE_CONTEXT, manifestBytes);
  for (const key of trustedKeys) {
    try {
      await verifySignature(key, sig, message);
      return { ...obj, files: { ...obj.files }, keys: [...obj.keys] };
    } catch {
      // Not this key (or not a valid curve point): try the next trusted one.
    }
  }
  throw new AuthError("release not signed by a trusted release key");
}

/** SHA-256 of the manifest bytes as lowercase hex: the hash "About this app" shows. */
export async function releaseManifestHash(manifestBytes) {
  return hex(await sha256(manifestBytes));
}

/** A release key's fingerprint: the first 16 bytes of SHA-256(public key), lowercase hex. */
export async function releaseKeyId(publicKey) {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new FormatError("public key must be 32 bytes");
  return hex((await sha256(publicKey)).subarray(0, 16));
}

// =============================================================================================
// (3) The rest of the public API lives in sibling modules that use the primitives above.

export * from "./errors.js";
export { b64uDecode, b64uEncode, canonicalEncode, canonicalParse, formatAsk, parseAsk, padme } from "./encoding.js";
export * from "./record.js";
export * from "./attachments.js";
export * from "./sealed.js";
