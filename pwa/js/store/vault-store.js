// IndexedDB access for the vault service (pwa/js/vault/). Holds only what crypto/js says may be
// persisted: ciphertext, wrapped keys, public keys, the non-extractable device CryptoKey.
// Callers encrypt first and then call these functions: no transaction here ever awaits WebCrypto
// or the network, and every write is one strict-durability transaction, so a killed page leaves
// each write wholly present or wholly absent.
import { database } from "./db.js";

const STRICT = { durability: "strict" };

async function write(stores, fn) {
  const db = await database();
  const tx = db.transaction(stores, "readwrite", STRICT);
  fn(tx);
  await tx.done;
}

export async function getMeta() {
  return (await database()).get("vault", "meta");
}

export async function getHead() {
  return (await database()).get("vault", "head");
}

/** The vault's key material and this device's chain head, in one transaction. */
export async function putMeta(meta, head) {
  await write(["vault"], (tx) => {
    tx.objectStore("vault").put(meta, "meta");
    tx.objectStore("vault").put(head, "head");
  });
}

export async function allRecords() {
  return (await database()).getAll("records");
}

/** A sealed record and the device chain head that now points at it: one transaction. */
export async function putRecord(record, head) {
  await write(["records", "vault"], (tx) => {
    tx.objectStore("records").put(record);
    tx.objectStore("vault").put(head, "head");
  });
}

/** Attachment ciphertext chunks [{aid, i, ct}] (written before the record that names them). */
export async function putChunks(chunks) {
  await write(["chunks"], (tx) => {
    const store = tx.objectStore("chunks");
    for (const c of chunks) store.put(c);
  });
}

export async function getChunk(aid, i) {
  const row = await (await database()).get("chunks", [aid, i]);
  return row ? row.ct : undefined;
}

/** Every chunk key [aid, i] (no ciphertext loaded). */
export async function chunkKeys() {
  return (await database()).getAllKeys("chunks");
}

export async function deleteChunksOf(aids) {
  if (!aids.length) return;
  await write(["chunks"], (tx) => {
    const store = tx.objectStore("chunks");
    for (const aid of aids) store.delete(IDBKeyRange.bound([aid, 0], [aid, Infinity]));
  });
}

export async function getDraft() {
  return (await database()).get("drafts", "current");
}

export async function putDraft(sealed) {
  await write(["drafts"], (tx) => tx.objectStore("drafts").put(sealed, "current"));
}

export async function deleteDraft() {
  await write(["drafts"], (tx) => tx.objectStore("drafts").delete("current"));
}

/** Restore: key material, head and records in one transaction (chunks were written before). */
export async function putRestored(meta, head, records) {
  await write(["vault", "records"], (tx) => {
    tx.objectStore("vault").put(meta, "meta");
    tx.objectStore("vault").put(head, "head");
    for (const r of records) tx.objectStore("records").put(r);
  });
}

/** A preference written with strict durability (the failed-unlock counter must survive a kill). */
export async function putPreferenceStrict(key, value) {
  await write(["prefs"], (tx) => tx.objectStore("prefs").put(value, key));
}
