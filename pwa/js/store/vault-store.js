// IndexedDB access for the vault service (pwa/js/vault/). Holds only what crypto/js says may be
// persisted: ciphertext, wrapped keys, public keys, the non-extractable device CryptoKey.
// Callers encrypt first and then call these functions: no transaction here ever awaits WebCrypto
// or the network, and every write is one strict-durability transaction, so a killed page leaves
// each write wholly present or wholly absent.
import { database, write } from "./db.js";

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

/** The stored rows of the given rids, read in one transaction (missing ones are skipped). */
export async function getRecords(rids) {
  const tx = (await database()).transaction("records");
  const rows = await Promise.all(rids.map((rid) => tx.store.get(rid)));
  return rows.filter(Boolean);
}

/**
 * A sealed record, the device chain head that now points at it, a row for each attachment it
 * adds (`newAids`, whose chunks were written before) and the sealed outbox rows that go with
 * it (the recipient wraps of a message, the wraps of the reports it shares): one transaction.
 */
export async function putRecord(record, head, newAids = [], outbox = null) {
  const add = (outbox && outbox.add) || [];
  const remove = (outbox && outbox.remove) || [];
  const stores = add.length || remove.length ? ["records", "vault", "attachments", "outbox"] : ["records", "vault", "attachments"];
  await write(stores, (tx) => {
    tx.objectStore("records").put(record);
    tx.objectStore("vault").put(head, "head");
    for (const aid of newAids) tx.objectStore("attachments").put({ aid, complete: true, receipt: null });
    for (const key of remove) tx.objectStore("outbox").delete(key);
    for (const sealed of add) tx.objectStore("outbox").add(sealed);
  });
}

/** The vault meta alone (the duress slot changed; the head is not touched). */
export async function putMetaOnly(meta) {
  await write(["vault"], (tx) => tx.objectStore("vault").put(meta, "meta"));
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

/** Chunks from..to-1 of one attachment, in order, read in one transaction (an upload part). */
export async function getChunkRange(aid, from, to) {
  const rows = await (await database()).getAll("chunks", IDBKeyRange.bound([aid, from], [aid, to - 1]));
  return rows.map((row) => (row.ct instanceof Uint8Array ? row.ct : new Uint8Array(row.ct)));
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

/**
 * Restore: key material, head, records and their attachment rows ({aid, complete, receipt}),
 * and the sealed account and record receipts when the backup had them, in one transaction (the
 * chunks were written before).
 */
export async function putRestored(meta, head, records, attachments, { account = null, receipts = [] } = {}) {
  await write(["vault", "records", "attachments", "receipts", "sync"], (tx) => {
    tx.objectStore("vault").put(meta, "meta");
    tx.objectStore("vault").put(head, "head");
    for (const r of records) tx.objectStore("records").put(r);
    for (const row of attachments) tx.objectStore("attachments").put(row);
    for (const r of receipts) tx.objectStore("receipts").put(r);
    if (account) tx.objectStore("sync").put(account, "account");
  });
}

/** A preference written with strict durability (the failed-unlock counter must survive a kill). */
export async function putPreferenceStrict(key, value) {
  await write(["prefs"], (tx) => tx.objectStore("prefs").put(value, key));
}
