// Backup: one JSON file of what is already encrypted (no plaintext, no device key, no ASK), and
// restoring it on an empty device. Since schema v3 a backup also carries what sync knows (the
// account sealed under the AK and the server's receipts), so a restored enrolled vault can sync
// at once; older backups without it restore as before.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/vault-store.js";
import { CHUNK_BATCH, INBOX_CHUNK_PREFIX } from "./attachments.js";
import { VaultError, guarded } from "./errors.js";
import { FORMAT, deviceMeta, newSession } from "./keys.js";
import { openStored } from "./records.js";
import { FAILURES_KEY, requireSession, startSession, state } from "./session.js";
import { storageOf } from "./storage.js";
import { openAccount } from "./sync-port.js";

const BACKUP_TYPE = "safe-passage-backup";
const CT_CHUNK = 65552;

const B = (bytes) => sp.b64uEncode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

export async function exportBackup({ onProgress = null } = {}) {
  return guarded(async () => {
    const s = requireSession();
    const st = storageOf(s);
    const m = s.meta;
    const rows = await st.allRecords();
    // Reports others shared with this account are theirs, not part of this vault's backup.
    const keys = (await st.chunkKeys()).filter(([aid]) => !String(aid).startsWith(INBOX_CHUNK_PREFIX));
    const account = await st.getSync("account");
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
      sync: {
        account: account ? B(account) : null,
        receipts: [...(await st.allReceipts())].map(([rid, receipt]) => ({ rid, receipt })),
        attachments: (await st.allAttachments()).filter((a) => a.receipt).map(({ aid, receipt }) => ({ aid, receipt })),
      },
    };
    const json = JSON.stringify(head);
    const parts = [json.slice(0, -1), ',"chunks":['];
    for (let n = 0; n < keys.length; n++) {
      const [aid, i] = keys[n];
      const ct = await st.getChunk(aid, i);
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

function parseSync(sync) {
  if (sync === undefined || sync === null) return { account: null, receipts: [], attachments: [] };
  const list = (v) => (Array.isArray(v) ? v : []);
  return {
    account: typeof sync.account === "string" ? sp.b64uDecode(sync.account) : null,
    receipts: list(sync.receipts).map((r) => ({ rid: String(r.rid), receipt: r.receipt })),
    attachments: list(sync.attachments).map((a) => ({ aid: String(a.aid), receipt: a.receipt })),
  };
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
      sync: parseSync(obj.sync),
    };
  } catch {
    throw invalid();
  }
}

/**
 * The backup's sync state, kept only where it verifies: the account must open under this AK and
 * each receipt must verify under its pinned server key for the record or attachment it names.
 * A receipt marks something as safely on the server (it is never sent again), so an edited
 * backup must not be able to forge one.
 */
async function verifiedSync(s, sync) {
  const none = { account: null, receipts: [], attachments: [] };
  if (!sync.account) return none;
  let serverKey;
  try {
    serverKey = sp.b64uDecode((await openAccount(s, sync.account)).serverKey, 32);
  } catch {
    return none;
  }
  const hashOf = new Map();
  for (const rec of s.records.values()) for (const [aid, a] of rec.attByAid) hashOf.set(aid, sp.b64uDecode(a.hash, 32));
  const verifies = async (receipt, expected) => {
    try {
      return Boolean(expected) && (await sp.verifyReceipt(receipt, serverKey, expected)) >= 0;
    } catch {
      return false;
    }
  };
  const receipts = [];
  for (const r of sync.receipts) {
    if (await verifies(r.receipt, s.records.get(r.rid)?.entryHash)) receipts.push(r);
  }
  const attachments = [];
  for (const a of sync.attachments) if (await verifies(a.receipt, hashOf.get(a.aid))) attachments.push(a);
  return { account: sync.account, receipts, attachments };
}

/**
 * Attachment rows for the restored records: complete when the backup holds every chunk of it
 * (a backup of a device that had not downloaded everything yet leaves the rest to "Sync now").
 */
function attachmentRows(s, chunks, receipts) {
  const counts = new Map();
  for (const c of chunks) counts.set(c.aid, (counts.get(c.aid) || 0) + 1);
  const receiptOf = new Map(receipts.map((a) => [a.aid, a.receipt]));
  const rows = new Map();
  for (const rec of s.records.values()) {
    for (const [aid, a] of rec.attByAid) {
      const wanted = Math.max(1, Math.ceil(a.ct_len / CT_CHUNK));
      rows.set(aid, { aid, complete: counts.get(aid) === wanted, receipt: receiptOf.get(aid) || null });
    }
  }
  return [...rows.values()];
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
    let authKey;
    let meta;
    try {
      const derived = await sp.deriveAccount(passphrase, b.kdf, ask, { onMessage: onProgress });
      authKey = derived.authKey;
      ak = await sp.unwrapAccountKey(derived.kek, b.wrappedAk, b.vaultId);
      // This device starts its own chain (new dev id); the imported records keep theirs.
      meta = await deviceMeta({ vaultId: b.vaultId, kdf: b.kdf, wrappedAk: b.wrappedAk, identity: b.identity, ask });
    } catch (err) {
      if (authKey) authKey.fill(0);
      if (err instanceof sp.AuthError) throw new VaultError("wrong-passphrase");
      if (err instanceof sp.FormatError) throw invalid();
      throw err;
    } finally {
      ask.fill(0);
    }
    let s;
    try {
      s = newSession({ ak, identity: await sp.unwrapIdentity(ak, b.identity), meta, authKey });
      // Every record must open before anything is written.
      for (const row of b.records) s.records.set(row.rid, await openStored(s, row));
    } catch {
      throw invalid();
    }
    try {
      await sp.verifyChain(b.records.map((r) => r.envelope));
    } catch {
      s.integrity.chain = "broken";
    }
    const sync = await verifiedSync(s, b.sync);
    for (let n = 0; n < b.chunks.length; n += CHUNK_BATCH) await store.putChunks(b.chunks.slice(n, n + CHUNK_BATCH));
    await store.putRestored(meta, { seq: 0, entryHash: null }, b.records,
      attachmentRows(s, b.chunks, sync.attachments), { account: sync.account, receipts: sync.receipts });
    await store.putPreferenceStrict(FAILURES_KEY, 0);
    await startSession(s);
  });
}
