// IndexedDB access for the sharing service (pwa/js/sharing/, schema v4 in store/db.js): pinned
// contacts, received items (inbox), queued wraps and revocations (outbox). Every value passed in
// is already sealed under the account key by the caller; keys are random row ids, the server's
// inbox cursor or auto-increment numbers, so nothing here names a person, a kid or a report.
// Same rules as the other store modules: callers encrypt first; every write is one
// strict-durability transaction that awaits nothing but IndexedDB.
import { database, write } from "./db.js";

/** [[key, value]] of every row of a store, read in one transaction. */
async function entries(storeName) {
  const tx = (await database()).transaction(storeName);
  const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  await tx.done;
  return keys.map((k, i) => [k, values[i]]);
}

export const allContacts = () => entries("contacts");
export const allInbox = () => entries("inbox");
export const allOutbox = () => entries("outbox");

/** Contact rows [{key, sealed}] written (replaced) together. */
export async function putContacts(rows) {
  if (!rows.length) return;
  await write(["contacts"], (tx) => {
    for (const { key, sealed } of rows) tx.objectStore("contacts").put(sealed, key);
  });
}

/** Sealed outbox values appended in order, and outbox rows deleted, in one transaction. */
export async function changeOutbox({ add = [], remove = [], replace = [] }) {
  if (!add.length && !remove.length && !replace.length) return;
  await write(["outbox"], (tx) => {
    const store = tx.objectStore("outbox");
    for (const key of remove) store.delete(key);
    for (const { key, sealed } of replace) store.put(sealed, key);
    for (const sealed of add) store.add(sealed);
  });
}

/**
 * Receipts of a pushed batch and the outbox rows (wraps) that travelled with those records, in
 * one transaction: a wrap leaves the outbox exactly when the server holds it.
 */
export async function putReceiptsAndSent(receipts, sentKeys) {
  await write(["receipts", "outbox"], (tx) => {
    for (const r of receipts) tx.objectStore("receipts").put(r);
    for (const key of sentKeys) tx.objectStore("outbox").delete(key);
  });
}

/**
 * One verified inbox page, wholly or not at all: new rows (by cursor), rows rewritten (flags
 * added by this page), rows deleted (reports withdrawn by their sender) with their attachment
 * chunks, contacts pinned or marked changed, and the inbox cursor that says the page is stored.
 */
export async function putInboxPage({ rows = [], deletes = [], chunkKeys = [], contacts = [], cursor }) {
  await write(["inbox", "contacts", "chunks", "sync"], (tx) => {
    const inbox = tx.objectStore("inbox");
    for (const key of deletes) inbox.delete(key);
    for (const { key, sealed } of rows) inbox.put(sealed, key);
    for (const { key, sealed } of contacts) tx.objectStore("contacts").put(sealed, key);
    for (const key of chunkKeys) tx.objectStore("chunks").delete(IDBKeyRange.bound([key, 0], [key, Infinity]));
    if (cursor !== undefined) tx.objectStore("sync").put(cursor, "inbox-cursor");
  });
}

/** Whether chunk `i` of the attachment stored under `key` is on this device. */
export async function hasChunk(key, i) {
  return (await (await database()).getKey("chunks", [key, i])) !== undefined;
}
