// The duress slot of the vault meta and the release of a duress alert
// (docs/sharing-contract.md §4, "Duress"; docs/account-contract.md, "Issue 6").
//
// Every vault meta carries a `duress` slot of SLOT_BYTES bytes. When the delegate has set a duress
// passphrase it holds the alert's release token sealed under the KEK that passphrase derives
// (same KDF block, salt and Secret Key as the real passphrase, so unlock runs Argon2id once and
// tries both with the one output); otherwise it holds random bytes of the same length. A seized
// phone therefore shows a slot either way: its presence says nothing about a duress passphrase.
//
// The release token is a bearer secret for POST /api/alerts/release. After a duress unlock it
// is kept in this module's memory (never stored: the decoy persists nothing) and sent at once,
// then again on every `online` event and sync attempt until the server has answered.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/vault-store.js";
import { VaultError } from "./errors.js";

const LABEL = "duress";
export const TOKEN_BYTES = 32;
/** sealLocal of a 32-byte token: nonce (12) + ciphertext (32) + tag (16). */
export const SLOT_BYTES = 12 + TOKEN_BYTES + 16;

/** A slot that opens under no key: what every vault without a duress passphrase carries. */
export function dummySlot() {
  return sp.randomBytes(SLOT_BYTES);
}

/** The release token in `slot` if `kek` opens it, else null (never throws on a wrong key). */
export async function openSlot(kek, slot) {
  if (!(slot instanceof Uint8Array) || slot.length !== SLOT_BYTES) return null;
  try {
    const token = await sp.openLocal(kek, slot, LABEL);
    return token.length === TOKEN_BYTES ? token : null;
  } catch {
    return null;
  }
}

/**
 * The slot for a new duress passphrase holding `token`: one Argon2id over the passphrase with
 * the vault's own KDF block and Secret Key (exactly what unlock will run). Raises
 * VaultError("same-passphrase") when the passphrase opens the real account key.
 */
export async function slotFor(s, passphrase, token, { onProgress = null } = {}) {
  const meta = s.meta;
  const ask = await sp.openLocal(meta.deviceKey, meta.wrappedAsk, "ask");
  try {
    const derived = await sp.deriveAccount(passphrase, meta.kdf, ask, { pinned: meta.kdf, onMessage: onProgress });
    derived.authKey.fill(0);
    let same = false;
    try {
      (await sp.unwrapAccountKeyBytes(derived.kek, meta.wrappedAk, meta.vaultId)).fill(0);
      same = true;
    } catch {
      // the expected case: a different passphrase
    }
    if (same) throw new VaultError("same-passphrase", "the duress passphrase is the real one");
    return sp.sealLocal(derived.kek, token, LABEL);
  } finally {
    ask.fill(0);
  }
}

/** Stores `slot` (a sealed token, or a dummy to clear it) in the unlocked vault's meta. */
export async function installSlot(s, slot) {
  const meta = { ...s.meta, duress: slot };
  await store.putMetaOnly(meta);
  s.meta = meta;
}

// ---------------------------------------------------------------------------------------------
// Release after a duress unlock.

let pending = null; // b64u token not yet accepted by the server
let releaser = null; // async (token) => resolves once the server answered for good
let inFlight = null;

/**
 * Registers the function that sends a token (the sync service's, pwa/js/sync/duress-release.js).
 * It resolves when there is nothing more to do and throws when it should be tried again.
 */
export function setReleaser(fn) {
  releaser = fn;
  retryRelease();
}

/** Queues `token` (bytes) for release and tries at once. */
export function queueRelease(token) {
  pending = sp.b64uEncode(token);
  retryRelease();
}

/** Whether a duress release is waiting for the network. */
export function releasePending() {
  return pending !== null;
}

/** Sends the pending token if any; resolves true once it went out, false if it must wait. */
export function retryRelease() {
  if (!pending || !releaser) return Promise.resolve(pending === null);
  if (inFlight) return inFlight;
  const token = pending;
  inFlight = (async () => {
    try {
      await releaser(token);
      if (pending === token) pending = null;
      return true;
    } catch {
      return false;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

if (typeof window !== "undefined") window.addEventListener("online", () => { retryRelease(); });
