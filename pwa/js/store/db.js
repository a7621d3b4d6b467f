// The one module that opens IndexedDB. Numbered upgrades: each version adds what it needs and
// never rewrites an older step, so a phone that skipped versions still arrives at the same
// schema. Rule for every store added later: encrypt first, then open the transaction (never
// await WebCrypto or fetch inside one); only ciphertext and wrapped keys are stored.
import { openDB } from "../../vendor/idb.js";

const NAME = "safe-passage";
const VERSION = 1;

const UPGRADES = [
  // 1: preferences that are not secrets (the interface language).
  (db) => db.createObjectStore("prefs"),
];

let opening = null;

export function database() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(db, oldVersion) {
      for (let v = oldVersion; v < VERSION; v++) UPGRADES[v](db);
    },
  });
  return opening;
}

export async function getPreference(key) {
  return (await database()).get("prefs", key);
}

export async function setPreference(key, value) {
  await (await database()).put("prefs", value, key);
}
