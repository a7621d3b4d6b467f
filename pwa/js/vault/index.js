// The vault service (issue 4): the delegate's encrypted incident log on this device.
// Contract: docs/vault-contract.md. Crypto: /crypto/sp1.js only. Storage: js/store/ only.
//
// Key hierarchy on this device (crypto/SPEC.md §3–§6):
//   passphrase + ASK -> Argon2id/HKDF -> KEK -> unwraps AK -> unwraps the identity keys;
//   each record has its own CEK, wrapped for the owner under AK (attachments are under the CEK).
// The ASK is stored sealed under a non-extractable device CryptoKey kept in IndexedDB, so this
// device unlocks with the passphrase alone. A forensic image of the browser profile can recover
// that device key (and so the ASK): on a seized phone the passphrase, through Argon2id, is what
// protects the vault. Keys live in memory only while unlocked; lock() drops every reference.
import * as sp from "../../crypto/sp1.js";
import { createSHA256 } from "../../vendor/sha256.js";
import { deleteDatabase, databaseExists, getPreference } from "../store/db.js";
import * as store from "../store/vault-store.js";

export class VaultError extends Error {
  constructor(code, message = code) {
    super(message);
    this.name = "VaultError";
    this.code = code;
  }
}

const FORMAT = 1;
const KIND = "sp.incident";
const CHUNK_BATCH = 16; // ciphertext chunks per IndexedDB transaction (~1 MiB)
const BACKUP_TYPE = "safe-passage-backup";
const POLICY_KEY = "vault.policy";
const FAILURES_KEY = "vault.failures";
const DEFAULT_POLICY = Object.freeze({ wipeAfter: 0, idleMinutes: 5, lockWhenHidden: false });

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// ---------------------------------------------------------------------------------------------
// In-memory session (only while unlocked).

let session = null; // {ak, identity, author, meta, records: Map rid -> {incident, cek, att}}
let busy = Promise.resolve(); // serialises writes to the device chain
const lockListeners = new Set();
let idleTimer = null;
let lastActivity = 0;
let idleMs = DEFAULT_POLICY.idleMinutes * 60000;
let lockWhenHidden = false;

function requireSession() {
  if (!session) throw new VaultError("locked");
  return session;
}

function serial(fn) {
  const run = busy.then(fn, fn);
  busy = run.catch(() => {});
  return run;
}

function mapError(err) {
  if (err instanceof VaultError) return err;
  if (err && err.name === "QuotaExceededError") return new VaultError("storage-full");
  if (err instanceof sp.UnsupportedVersion || err instanceof sp.KdfPolicyError) return new VaultError("unsupported");
  return err;
}

async function guarded(fn) {
  try {
    return await fn();
  } catch (err) {
    throw mapError(err);
  }
}

// ---------------------------------------------------------------------------------------------
// State, policy, locking.

export async function state() {
  if (session) return "unlocked";
  if (!(await databaseExists())) return "none";
  return (await store.getMeta()) ? "locked" : "none";
}

export async function unlockPolicy() {
  const policy = { ...DEFAULT_POLICY, ...((await getPreference(POLICY_KEY)) || {}) };
  return { failures: (await getPreference(FAILURES_KEY)) || 0, ...policy };
}

export async function setUnlockPolicy({ wipeAfter, idleMinutes, lockWhenHidden: hidden } = {}) {
  const current = await unlockPolicy();
  const next = {
    wipeAfter: wipeAfter === undefined ? current.wipeAfter : wipeAfter,
    idleMinutes: idleMinutes === undefined ? current.idleMinutes : idleMinutes,
    lockWhenHidden: hidden === undefined ? current.lockWhenHidden : Boolean(hidden),
  };
  if (!Number.isInteger(next.wipeAfter) || next.wipeAfter < 0) throw new TypeError("wipeAfter must be an integer >= 0");
  if (!(typeof next.idleMinutes === "number" && next.idleMinutes > 0)) throw new TypeError("idleMinutes must be > 0");
  await store.putPreferenceStrict(POLICY_KEY, next);
  applyPolicy(next);
}

function applyPolicy(policy) {
  idleMs = policy.idleMinutes * 60000;
  lockWhenHidden = policy.lockWhenHidden;
  if (session) touch();
}

export function onLock(callback) {
  lockListeners.add(callback);
  return () => lockListeners.delete(callback);
}

function dropSession(reason) {
  const wasUnlocked = session !== null;
  session = null;
  clearTimeout(idleTimer);
  idleTimer = null;
  if (wasUnlocked || reason === "wipe") {
    for (const cb of lockListeners) {
      try {
        cb(reason);
      } catch {
        // a listener's failure must not keep the vault unlocked or stop the others
      }
    }
  }
}

export function lock(reason = "manual") {
  dropSession(reason);
}

/** User activity: restarts the idle timer. */
export function touch() {
  if (!session) return;
  lastActivity = Date.now();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(checkIdle, idleMs);
}

function checkIdle() {
  if (!session) return;
  const left = lastActivity + idleMs - Date.now();
  if (left <= 0) lock("idle");
  else idleTimer = setTimeout(checkIdle, left);
}

if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    if (!session) return;
    if (document.visibilityState === "hidden" && lockWhenHidden) lock("hidden");
    else checkIdle(); // timers are throttled in the background: check on return
  });
}

async function startSession(s) {
  session = s;
  applyPolicy(await unlockPolicy());
  touch();
}

// ---------------------------------------------------------------------------------------------
// Create and unlock.

function identityRecord(identity) {
  const { kid, sigPub, encPub, wrappedSig, wrappedEnc } = identity;
  return { kid, sigPub, encPub, wrappedSig, wrappedEnc };
}

export async function createVault(passphrase, { onProgress = null } = {}) {
  return guarded(async () => {
    if ((await state()) !== "none") throw new VaultError("unsupported", "a vault already exists on this device");
    if (!sp.argon2Available()) throw new VaultError("unsupported", "WebAssembly is unavailable");
    const kdf = sp.newKdfParams();
    const ask = sp.generateAsk();
    try {
      const { kek } = await sp.deriveAccount(passphrase, kdf, ask, { onMessage: onProgress });
      const vaultId = sp.randomBytes(16);
      const { ak, wrapped } = await sp.createAccountKey(kek, vaultId);
      const identity = await sp.generateIdentity(ak);
      const deviceKey = await sp.newDeviceKey();
      const meta = {
        format: FORMAT, vaultId, kdf, wrappedAk: wrapped, identity: identityRecord(identity),
        dev: sp.randomBytes(16), deviceKey, wrappedAsk: await sp.sealLocal(deviceKey, ask, "ask"),
        created: Date.now(),
      };
      const secretKeyText = sp.formatAsk(ask);
      await store.putMeta(meta, { seq: 0, entryHash: null });
      await store.putPreferenceStrict(FAILURES_KEY, 0);
      await startSession({
        ak, identity, author: { kid: identity.kid, sigPub: identity.sigPub }, meta, records: new Map(),
        integrity: { damaged: 0, chain: "ok" },
      });
      return { secretKeyText };
    } finally {
      ask.fill(0);
    }
  });
}

export async function unlock(passphrase, { onProgress = null } = {}) {
  return guarded(async () => {
    if (session) return;
    const meta = await store.getMeta();
    if (!meta) throw new VaultError("no-vault");
    // Count the attempt before the derivation, so killing the page mid-way does not reset it.
    const policy = await unlockPolicy();
    const failures = policy.failures + 1;
    await store.putPreferenceStrict(FAILURES_KEY, failures);
    let ak;
    const ask = await sp.openLocal(meta.deviceKey, meta.wrappedAsk, "ask");
    try {
      const { kek } = await sp.deriveAccount(passphrase, meta.kdf, ask, { pinned: meta.kdf, onMessage: onProgress });
      ak = await sp.unwrapAccountKey(kek, meta.wrappedAk, meta.vaultId);
    } catch (err) {
      if (err instanceof sp.AuthError || err instanceof sp.FormatError) {
        if (policy.wipeAfter > 0 && failures >= policy.wipeAfter) {
          await wipe();
          throw new VaultError("wiped");
        }
        throw new VaultError("wrong-passphrase");
      }
      throw err;
    } finally {
      ask.fill(0);
    }
    const identity = await sp.unwrapIdentity(ak, meta.identity);
    await store.putPreferenceStrict(FAILURES_KEY, 0);
    const s = { ak, identity, author: { kid: identity.kid, sigPub: identity.sigPub }, meta, records: new Map() };
    await loadRecords(s);
    await startSession(s);
    // Serialised with saves, so chunks of a save in progress are never taken for orphans.
    serial(() => removeOrphanChunks(s)).catch(() => {});
  });
}

// ---------------------------------------------------------------------------------------------
// Records.

function attachmentsOf(body) {
  return (body.att || []).map(({ aid, name, mime, size, sha256 }) => ({ aid, name, mime, size, sha256 }));
}

async function openStored(s, row) {
  const opened = await sp.openRecord(row.envelope, row.wrap, { author: s.author, ak: s.ak });
  const body = opened.content;
  if (body.kind !== KIND) return null;
  const attByAid = new Map(opened.header.att.map((a) => [a.aid, a]));
  return {
    incident: {
      rid: row.rid, version: body.ver, supersedes: opened.header.supersedes || null, savedAt: body.ts,
      content: JSON.parse(body.c), attachments: attachmentsOf(body),
    },
    cek: opened.cek,
    header: opened.header,
    attByAid,
  };
}

/**
 * Opens every stored record. A record that fails to open (tampered or damaged storage) is
 * counted, not fatal: one bad record must not lock the delegate out of the rest. The device
 * chains (SPEC §11) are then checked over the records that opened, and this device's stored
 * head must be the last entry of its own chain (a deleted tail shows as "broken").
 */
async function loadRecords(s) {
  const rows = await store.allRecords();
  const opened = [];
  let damaged = 0;
  for (const row of rows) {
    try {
      const rec = await openStored(s, row);
      if (rec) s.records.set(row.rid, rec);
      opened.push(row.envelope);
    } catch {
      damaged++;
    }
  }
  let chain = "ok";
  try {
    const heads = await sp.verifyChain(opened);
    const head = await store.getHead();
    const mine = heads.get(sp.b64uEncode(s.identity.kid) + "." + sp.b64uEncode(s.meta.dev));
    if (head && head.seq > 0 && !(mine && mine.seq === head.seq && hex(mine.entryHash) === hex(head.entryHash))) {
      chain = "broken";
    }
  } catch {
    chain = "broken";
  }
  s.integrity = { damaged, chain };
}

/**
 * Not in the first contract draft (added): what the last unlock found. {damaged: records that
 * failed to open, chain: "ok" | "broken" (a fork, gap or missing record in a device chain)}.
 */
export async function integrity() {
  return { ...requireSession().integrity };
}

async function removeOrphanChunks(s) {
  const referenced = new Set();
  for (const rec of s.records.values()) for (const aid of rec.attByAid.keys()) referenced.add(aid);
  const orphans = new Set();
  for (const [aid] of await store.chunkKeys()) if (!referenced.has(aid)) orphans.add(aid);
  await store.deleteChunksOf([...orphans]);
}

const newestFirst = (a, b) => b.savedAt - a.savedAt || (a.rid < b.rid ? 1 : -1);

export async function listIncidents() {
  const s = requireSession();
  const superseded = new Set();
  for (const rec of s.records.values()) if (rec.incident.supersedes) superseded.add(rec.incident.supersedes);
  return [...s.records.values()]
    .filter((rec) => !superseded.has(rec.incident.rid))
    .map((rec) => structuredClone(rec.incident))
    .sort(newestFirst);
}

export async function getIncident(rid) {
  const s = requireSession();
  if (!s.records.has(rid)) return null;
  // Walk down to the first version, then up to the newest one that supersedes it.
  let root = s.records.get(rid).incident;
  while (root.supersedes && s.records.has(root.supersedes)) root = s.records.get(root.supersedes).incident;
  const lineage = [root];
  const bySupersedes = new Map();
  for (const rec of s.records.values()) {
    if (!rec.incident.supersedes) continue;
    const list = bySupersedes.get(rec.incident.supersedes) || [];
    list.push(rec.incident);
    bySupersedes.set(rec.incident.supersedes, list);
  }
  for (let i = 0; i < lineage.length; i++) {
    for (const next of bySupersedes.get(lineage[i].rid) || []) lineage.push(next);
  }
  lineage.sort((a, b) => b.version - a.version || newestFirst(a, b));
  const [current, ...history] = lineage.map((i) => structuredClone(i));
  return { current, history };
}

const SLICE = 1024 * 1024;

async function plaintextSha256(blob) {
  const hasher = await createSHA256();
  hasher.init();
  // 1 MiB slices, not blob.stream(): a Blob stream's final read occasionally never settled in
  // Chromium 156 (see crypto/js/attachments.js).
  for (let offset = 0; offset < blob.size; offset += SLICE) {
    hasher.update(new Uint8Array(await blob.slice(offset, offset + SLICE).arrayBuffer()));
  }
  return hasher.digest("hex");
}

/**
 * Encrypts one file under the record's CEK, writing its ciphertext chunks to IndexedDB as they
 * are produced (a batch per transaction), after a first streaming pass that records the
 * SHA-256 of the original for evidence.
 */
async function encryptFile(file, cek, onChunk) {
  const sha256 = await plaintextSha256(file);
  const aid = sp.randomBytes(16);
  const aidText = sp.b64uEncode(aid);
  let index = 0;
  let batch = [];
  const flush = async () => {
    if (batch.length) await store.putChunks(batch);
    batch = [];
  };
  const entry = await sp.encryptAttachmentWith(file, cek, { aid, salt: sp.randomBytes(16) }, async (ct) => {
    batch.push({ aid: aidText, i: index++, ct });
    if (onChunk) onChunk(ct.length);
    if (batch.length >= CHUNK_BATCH) await flush();
  });
  await flush();
  return {
    entry,
    meta: {
      aid: aidText, name: String(file.name || "attachment"), mime: String(file.type || "application/octet-stream"),
      size: entry.size, sha256,
    },
  };
}

export async function saveIncident(content, { files = [], supersedes = null, onProgress = null } = {}) {
  return guarded(() => serial(async () => {
    const s = requireSession();
    touch();
    let cek = sp.newRecordKey();
    const att = []; // header entries
    const attMeta = []; // body entries
    let version = 1;
    if (supersedes) {
      const prior = s.records.get(supersedes);
      if (!prior) throw new TypeError("unknown incident to supersede");
      // A new version keeps the attachments of the one it supersedes: same CEK, same chunks.
      cek = prior.cek;
      version = prior.incident.version + 1;
      for (const a of prior.header.att) {
        att.push({ aid: sp.b64uDecode(a.aid, 16), ct_len: a.ct_len, hash: sp.b64uDecode(a.hash, 32), salt: sp.b64uDecode(a.salt, 16) });
      }
      attMeta.push(...prior.incident.attachments);
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    let done = 0;
    for (const file of files) {
      const { entry, meta } = await encryptFile(file, cek, (n) => {
        done += n;
        if (onProgress) onProgress({ phase: "attachments", done, total });
      });
      att.push(entry);
      attMeta.push(meta);
    }
    const head = (await store.getHead()) || { seq: 0, entryHash: null };
    const ts = Date.now();
    const body = { ts, kind: KIND, ver: version, c: JSON.stringify(content), att: attMeta };
    const sealed = await sp.sealRecord({
      identity: s.identity, dev: s.meta.dev, seq: head.seq + 1, prev: head.entryHash || undefined, rcpt: [],
      content: body, attachments: att, supersedes: supersedes ? sp.b64uDecode(supersedes, 16) : null, cek,
    });
    const rid = sp.b64uEncode(sealed.rid);
    const wrap = await sp.wrapForOwner(s.ak, sealed.envelope.hdr, cek);
    await store.putRecord({ rid, envelope: sealed.envelope, wrap }, { seq: head.seq + 1, entryHash: sealed.entryHash });
    const rec = await openStored(s, { rid, envelope: sealed.envelope, wrap });
    s.records.set(rid, rec);
    if (onProgress) onProgress({ phase: "saved", done: total, total });
    return structuredClone(rec.incident);
  }));
}

export async function readAttachment(aid) {
  return guarded(async () => {
    const s = requireSession();
    touch();
    let found = null;
    for (const rec of s.records.values()) {
      if (rec.attByAid.has(aid)) {
        found = rec;
        break;
      }
    }
    if (!found) throw new TypeError("unknown attachment");
    const meta = found.incident.attachments.find((a) => a.aid === aid);
    const entry = found.attByAid.get(aid);
    async function* chunks() {
      for (let i = 0; ; i++) {
        const ct = await store.getChunk(aid, i);
        if (ct === undefined) return;
        yield ct instanceof Uint8Array ? ct : new Uint8Array(ct);
      }
    }
    const parts = [];
    const hasher = await createSHA256();
    hasher.init();
    await sp.decryptAttachment(chunks(), found.cek, entry, meta.size, async (bytes) => {
      const copy = bytes.slice();
      hasher.update(copy);
      parts.push(copy);
    });
    if (hasher.digest("hex") !== meta.sha256) throw new sp.AuthError("attachment hash mismatch");
    return new Blob(parts, { type: meta.mime });
  });
}

// ---------------------------------------------------------------------------------------------
// Drafts (sealed under the account key).

export async function saveDraft(content) {
  return guarded(async () => {
    const s = requireSession();
    const sealed = await sp.sealLocal(s.ak, new TextEncoder().encode(JSON.stringify(content)), "draft");
    await store.putDraft(sealed);
  });
}

export async function loadDraft() {
  return guarded(async () => {
    const s = requireSession();
    const sealed = await store.getDraft();
    if (!sealed) return null;
    return JSON.parse(new TextDecoder().decode(await sp.openLocal(s.ak, sealed, "draft")));
  });
}

export async function clearDraft() {
  requireSession();
  await store.deleteDraft();
}

// ---------------------------------------------------------------------------------------------
// Wipe and storage.

export async function wipe() {
  dropSession("wipe");
  await deleteDatabase();
  if (typeof caches !== "undefined") {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  if (navigator.serviceWorker) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  }
}

export async function requestPersistence() {
  if (!navigator.storage || typeof navigator.storage.persist !== "function") return false;
  try {
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Backup: one JSON file of what is already encrypted (no plaintext, no device key, no ASK).

const B = (bytes) => sp.b64uEncode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

export async function exportBackup({ onProgress = null } = {}) {
  return guarded(async () => {
    const s = requireSession();
    const m = s.meta;
    const rows = await store.allRecords();
    const keys = await store.chunkKeys();
    const head = {
      type: BACKUP_TYPE, format: FORMAT, created: Date.now(),
      vault: {
        vaultId: B(m.vaultId), kdf: m.kdf, wrappedAk: B(m.wrappedAk),
        identity: {
          kid: B(m.identity.kid), sigPub: B(m.identity.sigPub), encPub: B(m.identity.encPub),
          wrappedSig: B(m.identity.wrappedSig), wrappedEnc: B(m.identity.wrappedEnc),
        },
      },
      records: rows.map((r) => ({ rid: r.rid, envelope: r.envelope, wrap: r.wrap })),
    };
    const json = JSON.stringify(head);
    const parts = [json.slice(0, -1), ',"chunks":['];
    for (let n = 0; n < keys.length; n++) {
      const [aid, i] = keys[n];
      const ct = await store.getChunk(aid, i);
      parts.push((n ? "," : "") + JSON.stringify({ aid, i, ct: B(ct) }));
      if (onProgress) onProgress({ done: n + 1, total: keys.length });
    }
    parts.push("]}");
    return new Blob(parts, { type: "application/json" });
  });
}

function invalid() {
  return new VaultError("invalid-backup");
}

function parseBackup(text) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (!obj || obj.type !== BACKUP_TYPE) throw invalid();
  if (obj.format !== FORMAT) throw new VaultError("unsupported");
  if (!obj.vault || !Array.isArray(obj.records) || !Array.isArray(obj.chunks)) throw invalid();
  try {
    const v = obj.vault;
    return {
      vaultId: sp.b64uDecode(v.vaultId, 16), kdf: String(v.kdf), wrappedAk: sp.b64uDecode(v.wrappedAk),
      identity: {
        kid: sp.b64uDecode(v.identity.kid, 16), sigPub: sp.b64uDecode(v.identity.sigPub, 32),
        encPub: sp.b64uDecode(v.identity.encPub, 32),
        wrappedSig: sp.b64uDecode(v.identity.wrappedSig), wrappedEnc: sp.b64uDecode(v.identity.wrappedEnc),
      },
      records: obj.records.map((r) => ({ rid: String(r.rid), envelope: r.envelope, wrap: r.wrap })),
      chunks: obj.chunks.map((c) => {
        if (!Number.isSafeInteger(c.i) || c.i < 0) throw invalid();
        return { aid: String(c.aid), i: c.i, ct: sp.b64uDecode(c.ct) };
      }),
    };
  } catch {
    throw invalid();
  }
}

export async function importBackup(blob, passphrase, secretKeyText, { onProgress = null } = {}) {
  return guarded(async () => {
    if ((await state()) !== "none") throw new VaultError("unsupported", "this device already has a vault");
    const b = parseBackup(await blob.text());
    let ask;
    try {
      ask = sp.parseAsk(secretKeyText);
    } catch {
      throw new VaultError("wrong-passphrase");
    }
    let ak;
    let wrappedAsk;
    const deviceKey = await sp.newDeviceKey();
    try {
      const { kek } = await sp.deriveAccount(passphrase, b.kdf, ask, { onMessage: onProgress });
      ak = await sp.unwrapAccountKey(kek, b.wrappedAk, b.vaultId);
      wrappedAsk = await sp.sealLocal(deviceKey, ask, "ask");
    } catch (err) {
      if (err instanceof sp.AuthError) throw new VaultError("wrong-passphrase");
      if (err instanceof sp.FormatError) throw invalid();
      throw err;
    } finally {
      ask.fill(0);
    }
    let identity;
    const meta = {
      format: FORMAT, vaultId: b.vaultId, kdf: b.kdf, wrappedAk: b.wrappedAk, identity: b.identity,
      dev: sp.randomBytes(16), deviceKey, wrappedAsk, created: Date.now(),
    };
    const s = { ak, identity: null, author: null, meta, records: new Map() };
    try {
      identity = await sp.unwrapIdentity(ak, b.identity);
      s.identity = identity;
      s.author = { kid: identity.kid, sigPub: identity.sigPub };
      // Every record must open before anything is written.
      for (const row of b.records) {
        const rec = await openStored(s, row);
        if (rec) s.records.set(row.rid, rec);
      }
    } catch {
      throw invalid();
    }
    s.integrity = { damaged: 0, chain: "ok" };
    try {
      await sp.verifyChain(b.records.map((r) => r.envelope));
    } catch {
      s.integrity.chain = "broken";
    }
    for (let n = 0; n < b.chunks.length; n += CHUNK_BATCH) await store.putChunks(b.chunks.slice(n, n + CHUNK_BATCH));
    // This device starts its own chain (new dev id); the imported records keep theirs.
    await store.putRestored(meta, { seq: 0, entryHash: null }, b.records);
    await store.putPreferenceStrict(FAILURES_KEY, 0);
    await startSession(s);
  });
}
