// Attachments on this device: encrypting a file under its record's CEK straight into IndexedDB
// chunks, reading one back (decrypted in memory), and sweeping chunks no record names.
import * as sp from "../../crypto/sp1.js";
import { createSHA256 } from "../../vendor/sha256.js";
import * as store from "../store/vault-store.js";
import { VaultError, guarded } from "./errors.js";
import { requireSession, touch } from "./session.js";
import { storageOf } from "./storage.js";

export const CHUNK_BATCH = 16; // ciphertext chunks per IndexedDB transaction (~1 MiB)
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
 * SHA-256 of the original for evidence. Returns the header entry and the body's metadata.
 */
export async function encryptFile(file, cek, onChunk, putChunks = store.putChunks) {
  const sha256 = await plaintextSha256(file);
  const aid = sp.randomBytes(16);
  const aidText = sp.b64uEncode(aid);
  let index = 0;
  let batch = [];
  const flush = async () => {
    if (batch.length) await putChunks(batch);
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

/** The record (of any version) whose header names `aid`, or null. */
function recordWith(s, aid) {
  for (const rec of s.records.values()) if (rec.incident && rec.attByAid.has(aid)) return rec;
  return null;
}

export async function readAttachment(aid) {
  return guarded(async () => {
    const s = requireSession();
    touch();
    const found = recordWith(s, aid);
    if (!found) throw new TypeError("unknown attachment");
    const st = storageOf(s);
    const row = await st.getAttachment(aid);
    // Synced from another device and not downloaded yet: "Sync now" fetches it.
    if (row && !row.complete) throw new VaultError("not-downloaded");
    const meta = found.incident.attachments.find((a) => a.aid === aid);
    const entry = found.attByAid.get(aid);
    async function* chunks() {
      for (let i = 0; ; i++) {
        const ct = await st.getChunk(aid, i);
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

/** Chunk keys of attachments of reports shared with this account (sharing service, issue 6). */
export const INBOX_CHUNK_PREFIX = "inbox:";

/**
 * Deletes chunks that no record names (left by a save killed between its chunks and its
 * record). Chunks of received reports ("inbox:<aid>") belong to the sharing service, which
 * deletes them with the report.
 */
export async function removeOrphanChunks(s) {
  const referenced = new Set();
  for (const rec of s.records.values()) for (const aid of rec.attByAid.keys()) referenced.add(aid);
  const orphans = new Set();
  for (const [aid] of await store.chunkKeys()) {
    if (!referenced.has(aid) && !String(aid).startsWith(INBOX_CHUNK_PREFIX)) orphans.add(aid);
  }
  await store.deleteChunksOf([...orphans]);
}
