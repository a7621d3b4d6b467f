// The vault's interface for the account and sync service (pwa/js/sync/) and the sharing
// service (pwa/js/sharing/) only: the screens use index.js. It hands out the unlocked session
// (keys stay in the vault's memory and die with lock()), opens and adds records that came from
// the server, seals the profile and messages into the device chain, keeps the account sealed
// under the AK, sets up this device's vault after a sign-in, and manages the duress slot.
import * as sp from "../../crypto/sp1.js";
import { deleteDatabase, getPreference, setPreference } from "../store/db.js";
import { VaultError } from "./errors.js";
import { deviceMeta, identityRecord, newSession } from "./keys.js";
import { lineages } from "./lineage.js";
import { chainHeads, latestProfile, openStored, sealProfile } from "./records.js";
import { FAILURES_KEY, currentSession, dropSession, onLock, serial, startSession, state } from "./session.js";
import { putPreferenceStrict } from "../store/vault-store.js";
import { storageOf } from "./storage.js";

export { chainHeads, latestProfile, onLock, openStored, sealProfile, state };
export { CONTACT, MESSAGE_KINDS, onNewVersion, sealIntoChain } from "./records.js";
export { serial } from "./session.js";
export { installSlot, releasePending, retryRelease, setReleaser, slotFor, dummySlot, TOKEN_BYTES } from "./duress.js";
export { INBOX_CHUNK_PREFIX } from "./attachments.js";

/** The unlocked session, or VaultError("locked"). */
export function unlocked() {
  const s = currentSession();
  if (!s) throw new VaultError("locked");
  return s;
}

/** Whether `s` is still the unlocked session (false once the vault locked meanwhile). */
export function alive(s) {
  return currentSession() === s;
}

/** Adds opened records (already stored) to the session's view. */
export function addRecords(s, recs) {
  for (const rec of recs) s.records.set(rec.rid, rec);
}

/** How many incidents have more than one head (conflicting versions). */
export function conflictCount(s) {
  return lineages([...s.records.values()].filter((r) => r.incident)).lineages.filter((l) => l.heads.length > 1).length;
}

const ACCOUNT_LABEL = "account";

/** The account object, sealed under the AK for the "sync" store (the username is not in clear). */
export async function sealAccount(s, info) {
  return sp.sealLocal(s.ak, new TextEncoder().encode(JSON.stringify(info)), ACCOUNT_LABEL);
}

export async function openAccount(s, sealed) {
  return JSON.parse(new TextDecoder().decode(await sp.openLocal(s.ak, sealed, ACCOUNT_LABEL)));
}

/** The stored account of the unlocked vault, or null when it has none yet (or is the decoy). */
export async function loadAccount(s) {
  const sealed = await storageOf(s).getSync("account");
  return sealed ? openAccount(s, sealed) : null;
}

/**
 * Sign-in on a new device, step 1: a session (not started) around the account's keys and a new
 * device meta (new device id, new device key sealing the ASK). `identity` is the unwrapped one;
 * `wrappedIdentity` what is persisted ({kid, sigPub, encPub, wrappedSig, wrappedEnc}, bytes).
 * Nothing is stored yet.
 */
export async function prepareDevice({ ak, identity, wrappedIdentity, kdf, vaultId, wrappedAk, ask, dev, authKey }) {
  const meta = await deviceMeta({ vaultId, kdf, wrappedAk, identity: identityRecord(wrappedIdentity), ask, dev });
  return newSession({ ak, identity, meta, authKey });
}

/**
 * Sign-in, step 2: `write()` stores meta, records and account in one transaction; then the
 * records (opened by the caller) are the session's and the vault is unlocked.
 */
export async function adoptDevice(s, recs, write) {
  await serial(async () => {
    if ((await state()) !== "none") throw new VaultError("unsupported", "this device already has a vault");
    await write();
    await putPreferenceStrict(FAILURES_KEY, 0);
  });
  addRecords(s, recs);
  await startSession(s);
}

// Kept across "Prepare for crossing": a phone that switched from Arabic to the browser's
// language, or from the neutral "Notes" name back to "Safe Passage", right before a border would
// draw exactly the attention the crossing is meant to avoid. Neither says anything about reports.
const KEPT_PREFERENCES = ["language", "appearance"];

/**
 * "Prepare for crossing", last step: drops the keys and deletes the local database, then puts
 * back the display preferences above. Cache Storage and the service worker stay, so the app
 * shell still opens offline, empty.
 */
export async function forgetDevice() {
  await serial(async () => {
    dropSession("crossing");
    const kept = [];
    for (const key of KEPT_PREFERENCES) {
      const value = await getPreference(key).catch(() => undefined);
      if (value !== undefined && value !== null) kept.push([key, value]);
    }
    await deleteDatabase();
    for (const [key, value] of kept) await setPreference(key, value);
  });
}
