// IndexedDB access for the account and sync service (pwa/js/sync/): server receipts, the
// per-attachment state, the sealed account and the pull cursor (schema v3, store/db.js).
// Same rules as vault-store.js: callers verify and encrypt first; every write is one
// strict-durability transaction that awaits nothing but IndexedDB, so a killed page leaves each
// write wholly present or wholly absent.
import { database, write } from "./db.js";

/** Map rid -> receipt of every record the server has acknowledged. */
export async function allReceipts() {
  const rows = await (await database()).getAll("receipts");
  return new Map(rows.map((row) => [row.rid, row.receipt]));
}

/** The rids that have a receipt (keys only: cheap with many records). */
export async function receiptRids() {
  return new Set(await (await database()).getAllKeys("receipts"));
}

/** Receipts [{rid, receipt}] (already verified by the caller), in one transaction. */
export async function putReceipts(rows) {
  if (!rows.length) return;
  await write(["receipts"], (tx) => {
    for (const row of rows) tx.objectStore("receipts").put(row);
  });
}

/** Every attachment row {aid, complete, receipt}. */
export async function allAttachments() {
  return (await database()).getAll("attachments");
}

export async function getAttachment(aid) {
  return (await database()).get("attachments", aid);
}

/** Records an attachment's verified receipt (the row keeps its `complete`). */
export async function putAttachmentReceipt(aid, receipt) {
  await write(["attachments"], async (tx) => {
    const store = tx.objectStore("attachments");
    const row = (await store.get(aid)) || { aid, complete: false, receipt: null };
    await store.put({ ...row, receipt });
  });
}

/**
 * One pulled page, wholly or not at all: the records, their receipts, a pending row for each
 * attachment this device does not hold yet, and the cursor that says the page is stored.
 */
export async function putPulled({ records, receipts, aids, cursor }) {
  await write(["records", "receipts", "attachments", "sync"], async (tx) => {
    for (const r of records) tx.objectStore("records").put(r);
    for (const r of receipts) tx.objectStore("receipts").put(r);
    const attachments = tx.objectStore("attachments");
    const known = await Promise.all(aids.map((aid) => attachments.getKey(aid)));
    aids.forEach((aid, n) => {
      if (known[n] === undefined) attachments.put({ aid, complete: false, receipt: null });
    });
    tx.objectStore("sync").put(cursor, "cursor");
  });
}

/** The last ciphertext chunks of a verified download and its completed row, in one transaction. */
export async function putDownloaded(aid, chunks, receipt) {
  await write(["chunks", "attachments"], (tx) => {
    for (const c of chunks) tx.objectStore("chunks").put(c);
    tx.objectStore("attachments").put({ aid, complete: true, receipt });
  });
}

export async function getSync(key) {
  return (await database()).get("sync", key);
}

export async function putSync(key, value) {
  await write(["sync"], (tx) => tx.objectStore("sync").put(value, key));
}

export async function deleteSync(key) {
  await write(["sync"], (tx) => tx.objectStore("sync").delete(key));
}

/**
 * A new device after sign-in: the vault's key material and empty head, the sealed account, every
 * pulled record with its receipt, pending attachment rows and the cursor, in one transaction.
 */
export async function putSignedIn({ meta, head, account, records, receipts, aids, cursor }) {
  await write(["vault", "records", "receipts", "attachments", "sync"], (tx) => {
    tx.objectStore("vault").put(meta, "meta");
    tx.objectStore("vault").put(head, "head");
    tx.objectStore("sync").put(account, "account");
    tx.objectStore("sync").put(cursor, "cursor");
    for (const r of records) tx.objectStore("records").put(r);
    for (const r of receipts) tx.objectStore("receipts").put(r);
    for (const aid of aids) tx.objectStore("attachments").put({ aid, complete: false, receipt: null });
  });
}
