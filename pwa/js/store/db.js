// The one module that opens IndexedDB. Numbered upgrades: each version adds what it needs and
// never rewrites an older step, so a phone that skipped versions still arrives at the same
// schema. Rule for every store added later: encrypt first, then open the transaction (never
// await WebCrypto or fetch inside one); only ciphertext and wrapped keys are stored.
import { openDB } from "../../vendor/idb.js";

const NAME = "safe-passage";
const VERSION = 2;

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
];

let opening = null;

export function database() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(db, oldVersion) {
      for (let v = oldVersion; v < VERSION; v++) UPGRADES[v](db);
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
