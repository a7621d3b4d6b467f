// The unlocked session: the keys in memory, the idle and hidden-app locks, the unlock policy,
// the write queue of the device chain, and wipe.
//
// A session is {ak, identity, author, meta, authKey, records, integrity}. `authKey` (SPEC §3.1)
// is what the sync service signs in with when the server's session has expired; like the other
// keys it exists only while unlocked, and lock() zeroes its bytes (the CryptoKeys cannot be
// zeroed from script: dropping every reference is what WebCrypto allows).
import { databaseExists, deleteDatabase, getPreference } from "../store/db.js";
import * as store from "../store/vault-store.js";
import { VaultError } from "./errors.js";

export const POLICY_KEY = "vault.policy";
export const FAILURES_KEY = "vault.failures";
const DEFAULT_POLICY = Object.freeze({ wipeAfter: 0, idleMinutes: 5, lockWhenHidden: false });

let session = null;
let busy = Promise.resolve(); // serialises writes to the device chain
const lockListeners = new Set();
let idleTimer = null;
let lastActivity = 0;
let idleMs = DEFAULT_POLICY.idleMinutes * 60000;
let lockWhenHidden = false;

/** The unlocked session, or VaultError("locked"). */
export function requireSession() {
  if (!session) throw new VaultError("locked");
  return session;
}

/** The unlocked session or null (no error). */
export function currentSession() {
  return session;
}

/** Runs `fn` after every earlier chain write has settled (one writer of the device chain). */
export function serial(fn) {
  const run = busy.then(fn, fn);
  busy = run.catch(() => {});
  return run;
}

export async function state() {
  if (session) return "unlocked";
  if (!(await databaseExists())) return "none";
  return (await store.getMeta()) ? "locked" : "none";
}

export async function unlockPolicy() {
  const policy = { ...DEFAULT_POLICY, ...((await getPreference(POLICY_KEY)) || {}) };
  return { failures: (await getPreference(FAILURES_KEY)) || 0, ...policy };
}

export async function setUnlockPolicy({ wipeAfter, idleMinutes, lockWhenHidden: hidden } = {}) {
  const current = await unlockPolicy();
  const next = {
    wipeAfter: wipeAfter === undefined ? current.wipeAfter : wipeAfter,
    idleMinutes: idleMinutes === undefined ? current.idleMinutes : idleMinutes,
    lockWhenHidden: hidden === undefined ? current.lockWhenHidden : Boolean(hidden),
  };
  if (!Number.isInteger(next.wipeAfter) || next.wipeAfter < 0) throw new TypeError("wipeAfter must be an integer >= 0");
  if (!(typeof next.idleMinutes === "number" && next.idleMinutes > 0)) throw new TypeError("idleMinutes must be > 0");
  await store.putPreferenceStrict(POLICY_KEY, next);
  applyPolicy(next);
}

function applyPolicy(policy) {
  idleMs = policy.idleMinutes * 60000;
  lockWhenHidden = policy.lockWhenHidden;
  if (session) touch();
}

export function onLock(callback) {
  lockListeners.add(callback);
  return () => lockListeners.delete(callback);
}

/** Drops every key from memory and tells the listeners why. */
export function dropSession(reason) {
  const wasUnlocked = session !== null;
  if (session && session.authKey) session.authKey.fill(0);
  session = null;
  clearTimeout(idleTimer);
  idleTimer = null;
  if (wasUnlocked || reason === "wipe") {
    for (const cb of lockListeners) {
      try {
        cb(reason);
      } catch {
        // a listener's failure must not keep the vault unlocked or stop the others
      }
    }
  }
}

export function lock(reason = "manual") {
  dropSession(reason);
}

/** User activity: restarts the idle timer. */
export function touch() {
  if (!session) return;
  lastActivity = Date.now();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(checkIdle, idleMs);
}

function checkIdle() {
  if (!session) return;
  const left = lastActivity + idleMs - Date.now();
  if (left <= 0) lock("idle");
  else idleTimer = setTimeout(checkIdle, left);
}

if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    if (!session) return;
    if (document.visibilityState === "hidden" && lockWhenHidden) lock("hidden");
    else checkIdle(); // timers are throttled in the background: check on return
  });
}

export async function startSession(s) {
  session = s;
  applyPolicy(await unlockPolicy());
  touch();
}

/**
 * Deletes IndexedDB, Cache Storage and the service worker registrations; state() -> "none".
 * The vault goes first. A worker still installing (it verifies and caches the whole app shell,
 * a few seconds on a slow phone) would write its caches after they were deleted, so the
 * registrations are removed once an in-flight first install is active, in-flight workers are let
 * finish (at most 10 s), and the caches are deleted again.
 */
export async function wipe() {
  dropSession("wipe");
  await deleteDatabase();
  await deleteCaches();
  if (navigator.serviceWorker) {
    // A first install still fetching its scripts has no worker to wait for yet: let it reach
    // "active" first (at most 5 s; offline it fails and never does).
    await Promise.race([navigator.serviceWorker.ready, new Promise((done) => { setTimeout(done, 5_000); })]);
    const registrations = await navigator.serviceWorker.getRegistrations();
    for (const reg of registrations) await reg.unregister();
    await Promise.all(registrations.flatMap((reg) => [reg.installing, reg.waiting, reg.active]
      .filter(Boolean).map((worker) => settled(reg, worker))));
    await deleteCaches();
  }
}

async function deleteCaches() {
  if (typeof caches === "undefined") return;
  for (const name of await caches.keys()) await caches.delete(name);
}

// A worker is done writing caches once it is activated or redundant, or installed and waiting
// behind another active worker (it then never activates for an unregistered registration).
function settled(reg, worker) {
  return new Promise((resolve) => {
    const check = () => {
      const state = worker.state;
      if (state === "activated" || state === "redundant" || (state === "installed" && reg.active && reg.active !== worker)) resolve();
    };
    worker.addEventListener("statechange", check);
    check();
    setTimeout(resolve, 10_000);
  });
}

export async function requestPersistence() {
  if (!navigator.storage || typeof navigator.storage.persist !== "function") return false;
  try {
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}
