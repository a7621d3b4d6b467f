// Creating and unlocking the vault: the key hierarchy on this device (crypto/SPEC.md §3–§6).
//
//   passphrase + ASK -> Argon2id/HKDF -> KEK (unwraps AK) and the auth key (signs in to the
//   server); AK unwraps the identity keys; each record has its own CEK, wrapped under AK.
// The ASK is stored sealed under a non-extractable device CryptoKey kept in IndexedDB, so this
// device unlocks with the passphrase alone. A forensic image of the browser profile can recover
// that device key (and so the ASK): on a seized phone the passphrase, through Argon2id, is what
// protects the vault. Keys live in memory only while unlocked; lock() drops every reference.
//
// A duress passphrase (issue 6) opens an empty decoy instead: see duress.js. Unlock runs
// Argon2id once and tries the same output on the real wrapped AK, then on the duress slot.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/vault-store.js";
import { removeOrphanChunks } from "./attachments.js";
import { dummySlot, openSlot, queueRelease } from "./duress.js";
import { VaultError, guarded } from "./errors.js";
import { loadRecords } from "./records.js";
import { FAILURES_KEY, currentSession, serial, startSession, state, unlockPolicy, wipe } from "./session.js";
import { memoryStorage } from "./storage.js";

export const FORMAT = 1;

export function identityRecord(identity) {
  const { kid, sigPub, encPub, wrappedSig, wrappedEnc } = identity;
  return { kid, sigPub, encPub, wrappedSig, wrappedEnc };
}

/** A session object for unlocked keys (not started: startSession makes it current). */
export function newSession({ ak, identity, meta, authKey }) {
  return {
    ak, identity, author: { kid: identity.kid, sigPub: identity.sigPub }, meta, authKey, records: new Map(),
    integrity: { damaged: 0, chain: "ok" },
  };
}

/**
 * Key material for this device around an account's keys: a new device id and a new
 * non-extractable device key sealing the ASK. Returns the vault meta to store.
 */
export async function deviceMeta({ vaultId, kdf, wrappedAk, identity, ask, dev = sp.randomBytes(16) }) {
  const deviceKey = await sp.newDeviceKey();
  return {
    format: FORMAT, vaultId, kdf, wrappedAk, identity, dev, deviceKey,
    wrappedAsk: await sp.sealLocal(deviceKey, ask, "ask"), created: Date.now(), duress: dummySlot(),
  };
}

/**
 * Starts the Argon2id worker while the passphrase is being typed (the unlock and create
 * screens call it): fetching the worker and compiling its WebAssembly then costs nothing at
 * Unlock — seconds on a slow network before the app is installed. It holds no secret.
 */
export function prepareToDerive() {
  if (sp.argon2Available()) sp.prewarmArgon2();
}

export async function createVault(passphrase, { onProgress = null } = {}) {
  return guarded(async () => {
    if ((await state()) !== "none") throw new VaultError("unsupported", "a vault already exists on this device");
    if (!sp.argon2Available()) throw new VaultError("unsupported", "WebAssembly is unavailable");
    const kdf = sp.newKdfParams();
    const ask = sp.generateAsk();
    try {
      const { kek, authKey } = await sp.deriveAccount(passphrase, kdf, ask, { onMessage: onProgress });
      const vaultId = sp.randomBytes(16);
      const { ak, wrapped } = await sp.createAccountKey(kek, vaultId);
      const identity = await sp.generateIdentity(ak);
      const meta = await deviceMeta({ vaultId, kdf, wrappedAk: wrapped, identity: identityRecord(identity), ask });
      const secretKeyText = sp.formatAsk(ask);
      await store.putMeta(meta, { seq: 0, entryHash: null });
      await store.putPreferenceStrict(FAILURES_KEY, 0);
      await startSession(newSession({ ak, identity, meta, authKey }));
      return { secretKeyText };
    } finally {
      ask.fill(0);
    }
  });
}

export async function unlock(passphrase, { onProgress = null } = {}) {
  return guarded(async () => {
    if (currentSession()) return;
    const meta = await store.getMeta();
    if (!meta) throw new VaultError("no-vault");
    // Count the attempt before the derivation, so killing the page mid-way does not reset it.
    const policy = await unlockPolicy();
    const failures = policy.failures + 1;
    await store.putPreferenceStrict(FAILURES_KEY, failures);
    let ak;
    let authKey;
    let derived;
    let duressToken = null;
    const ask = await sp.openLocal(meta.deviceKey, meta.wrappedAsk, "ask");
    try {
      derived = await sp.deriveAccount(passphrase, meta.kdf, ask, { pinned: meta.kdf, onMessage: onProgress });
      authKey = derived.authKey;
      try {
        ak = await sp.unwrapAccountKey(derived.kek, meta.wrappedAk, meta.vaultId);
      } catch (err) {
        // Not the real passphrase: the same Argon2id output is tried on the duress slot.
        if (!(err instanceof sp.AuthError)) throw err;
        duressToken = await openSlot(derived.kek, meta.duress);
        if (!duressToken) throw err;
      }
    } catch (err) {
      if (authKey) authKey.fill(0);
      if (err instanceof sp.AuthError || err instanceof sp.FormatError) {
        if (policy.wipeAfter > 0 && failures >= policy.wipeAfter) {
          await wipe();
          throw new VaultError("wiped");
        }
        throw new VaultError("wrong-passphrase");
      }
      throw err;
    } finally {
      ask.fill(0);
    }
    if (duressToken) {
      authKey.fill(0);
      await startDecoy(meta, derived.kek, duressToken);
      return;
    }
    const identity = await sp.unwrapIdentity(ak, meta.identity);
    await store.putPreferenceStrict(FAILURES_KEY, 0);
    let current = meta;
    if (!(meta.duress instanceof Uint8Array)) {
      // A vault made before issue 6 gets its random slot now, like every new one.
      current = { ...meta, duress: dummySlot() };
      await store.putMetaOnly(current);
    }
    const s = newSession({ ak, identity, meta: current, authKey });
    await loadRecords(s);
    await startSession(s);
    // Serialised with saves, so chunks of a save in progress are never taken for orphans.
    serial(() => removeOrphanChunks(s)).catch(() => {});
  });
}

/**
 * The duress passphrase was given: an empty vault that behaves like a fresh one (its own
 * account key wrapped under the duress KEK, its own identity, no account) and keeps everything
 * in memory, so nothing it does survives lock(). The failure counter is reset as after any
 * successful unlock, and the alert's release token goes to the server now (duress.js).
 */
async function startDecoy(meta, kek, token) {
  const vaultId = sp.randomBytes(16);
  const { ak, wrapped } = await sp.createAccountKey(kek, vaultId);
  const identity = await sp.generateIdentity(ak);
  const decoyMeta = {
    format: FORMAT, vaultId, kdf: meta.kdf, wrappedAk: wrapped, identity: identityRecord(identity),
    dev: sp.randomBytes(16), created: meta.created,
  };
  await store.putPreferenceStrict(FAILURES_KEY, 0);
  const s = newSession({ ak, identity, meta: decoyMeta, authKey: null });
  s.memory = memoryStorage();
  s.decoy = true;
  await startSession(s);
  queueRelease(token);
  token.fill(0);
}
