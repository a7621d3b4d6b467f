// The one module that opens IndexedDB. Numbered upgrades: each version adds what it needs and
// never rewrites an older step, so a phone that skipped versions still arrives at the same
// schema. Rule for every store added later: encrypt first, then open the transaction (never
// await WebCrypto or fetch inside one); only ciphertext and wrapped keys are stored.
import { openDB } from "../../vendor/idb.js";

const NAME = "safe-passage";
const VERSION = 4;

const UPGRADES = [
  // 1: preferences that are not secrets (the interface language, the unlock policy and the
  // failed-unlock counter).
  (db) => db.createObjectStore("prefs"),
  // 2: the vault (issue 4). "vault": "meta" (KDF block, wrapped AK, wrapped identity, public
  // keys, the device key as a non-extractable CryptoKey, the ASK sealed under it) and "head"
  // (this device's chain head); "records": sealed envelopes + owner wraps by rid; "chunks":
  // attachment ciphertext chunks keyed [aid, index]; "drafts": drafts sealed under the AK.
  (db) => {
    db.createObjectStore("vault");
    db.createObjectStore("records", { keyPath: "rid" });
    db.createObjectStore("chunks", { keyPath: ["aid", "i"] });
    db.createObjectStore("drafts");
  },
  // 3: accounts and sync (issue 5). "receipts": the server's signed receipt of each record, by
  // rid ({rid, receipt}); "attachments": one row per attachment a record names, by aid
  // ({aid, complete: whether every ciphertext chunk is on this device, receipt: the server's
  // receipt or null}); "sync": "account" (the account sealed under the AK: id, username, role,
  // bundle, pinned server key) and "cursor" (how far this device has pulled). A v2 vault's
  // attachments were all made on this device, so each gets a complete row without a receipt.
  (db, tx) => {
    db.createObjectStore("receipts", { keyPath: "rid" });
    const attachments = db.createObjectStore("attachments", { keyPath: "aid" });
    db.createObjectStore("sync");
    // Only IndexedDB requests are chained here, so the upgrade transaction stays open.
    return tx.objectStore("records").getAll().then((rows) => {
      for (const row of rows) {
        for (const aid of attachmentIdsOf(row)) attachments.put({ aid, complete: true, receipt: null });
      }
    });
  },
  // 4: sharing (issue 6). "contacts": pinned contacts by a random row id; "inbox": what was
  // received, by the server's inbox cursor; "outbox": queued recipient wraps and revocations,
  // in the order they were made (auto-increment keys). Every value is bytes sealed under the
  // account key (sp.sealLocal, one label per store): no name, kid, consent or status in clear.
  // Inbox attachments keep their ciphertext chunks in "chunks" under "inbox:<aid>". "sync" gains
  // "inbox-cursor" (how far the inbox was pulled) and "sharing" (sealed: alerts set, duress).
  (db) => {
    db.createObjectStore("contacts");
    db.createObjectStore("inbox");
    db.createObjectStore("outbox", { autoIncrement: true });
  },
];

/** The aids a stored record's header names (parsed without the crypto module: no keys needed). */
function attachmentIdsOf(row) {
  try {
    const header = JSON.parse(row.envelope.hdr);
    return Array.isArray(header.att) ? header.att.map((a) => String(a.aid)) : [];
  } catch {
    return []; // a damaged row: the vault reports it at unlock
  }
}

let opening = null;

export function database() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      // A step may return a promise of IndexedDB requests on the upgrade transaction; the next
      // step runs after it, still inside that one transaction (all or nothing).
      const run = (v) => {
        for (; v < VERSION; v++) {
          const pending = UPGRADES[v](db, tx);
          if (pending && typeof pending.then === "function") {
            const next = v + 1;
            pending.then(() => run(next)).catch(() => tx.abort());
            return;
          }
        }
      };
      run(oldVersion);
    },
    // Another tab upgrading or deleting the database (wipe): let it proceed.
    blocking() {
      closeDatabase();
    },
  });
  return opening;
}

/** Closes this page's connection (the next database() call reopens it). */
export async function closeDatabase() {
  const pending = opening;
  opening = null;
  if (pending) {
    try {
      (await pending).close();
    } catch {
      // never opened: nothing to close
    }
  }
}

/** Whether the database exists, without creating it. */
export async function databaseExists() {
  if (opening) return true;
  if (typeof indexedDB.databases !== "function") return true;
  return (await indexedDB.databases()).some((d) => d.name === NAME);
}

/** Closes and deletes the whole database (wipe). Resolves once it is gone. */
export async function deleteDatabase() {
  await closeDatabase();
  await new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    // Another connection that does not close keeps the delete pending; it completes when that
    // connection goes away, which a wipe cannot wait for forever.
    req.onblocked = () => setTimeout(resolve, 2000);
  });
}

export async function getPreference(key) {
  return (await database()).get("prefs", key);
}

export async function setPreference(key, value) {
  await (await database()).put("prefs", value, key);
}

const STRICT = { durability: "strict" };

/** One strict-durability read-write transaction over `stores`: `fn(tx)` queues its requests
 * (awaiting nothing but IndexedDB), and the write is wholly present or wholly absent. */
export async function write(stores, fn) {
  const db = await database();
  const tx = db.transaction(stores, "readwrite", STRICT);
  const pending = fn(tx);
  await Promise.all([pending, tx.done]);
}
