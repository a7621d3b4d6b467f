// The duress passphrase (docs/sharing-contract.md §4): typed at the unlock screen under
// coercion, it opens an empty decoy vault and releases a duress alert to the chosen focal
// points. Setting it registers the held alert (network) and puts its release token, sealed under
// the duress passphrase's key, in the vault's duress slot (pwa/js/vault/duress.js).
import * as sp from "../../crypto/sp1.js";
import * as port from "../vault/sync-port.js";
import { VaultError } from "../vault/errors.js";
import { authed, context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { checkText, sendAlert } from "./alerts.js";
import { recipients } from "./contacts.js";
import { loadLedger, saveLedger } from "./state.js";

/** Deletes a held duress alert on the server; one already released or gone counts as done. */
async function dropServerAlert(ctx, id) {
  try {
    await authed(ctx, "POST", `/api/alerts/${id}/checkin`);
  } catch (err) {
    if (err instanceof AccountError && (err.serverCode === "not-found" || err.serverCode === "alert-released")) return;
    throw err;
  }
}

/**
 * Sets (or replaces) the duress passphrase. Runs Argon2id once over it (like unlock), refuses
 * the real passphrase (AccountError "invalid"), registers the held alert, then stores the slot.
 * `onProgress` gets the Argon2 worker's messages.
 */
export async function setDuress({ passphrase, text = "", to = [], onProgress = null } = {}) {
  if (typeof passphrase !== "string" || !passphrase.length) throw new AccountError("invalid", "a duress passphrase is required");
  const ctx = await context();
  const people = await recipients(ctx, to, { allowUnverified: true });
  const message = checkText(text);
  const token = sp.randomBytes(port.TOKEN_BYTES);
  try {
    let slot;
    try {
      slot = await port.slotFor(ctx.s, passphrase, token, { onProgress });
    } catch (err) {
      if (err instanceof VaultError && err.code === "same-passphrase") {
        throw new AccountError("invalid", "the duress passphrase must differ from the real one");
      }
      throw err;
    }
    ctx.check();
    const answer = await sendAlert(ctx, {
      fields: { alert: "duress", text: message }, recipients: people, request: { token: sp.b64uEncode(token) },
    });
    let previous = null;
    await port.serial(async () => {
      ctx.check();
      const ledger = await loadLedger(ctx.s);
      previous = ledger.duress;
      await port.installSlot(ctx.s, slot);
      ledger.duress = { id: answer.id, to: people.map((c) => c.uid), set: Date.now() };
      await saveLedger(ctx.s, ledger);
    });
    if (previous && previous.id !== answer.id) await dropServerAlert(ctx, previous.id).catch(() => {});
    return { id: answer.id };
  } finally {
    token.fill(0);
  }
}

/** {set, to: [uid]}: whether this vault has a duress passphrase, and whom its alert goes to. */
export async function duressState() {
  const ctx = await context();
  const ledger = await loadLedger(ctx.s);
  return { set: Boolean(ledger.duress), to: ledger.duress ? ledger.duress.to : [] };
}

/**
 * Removes the duress passphrase: the held alert is deleted on the server (network), then the
 * slot is overwritten with random bytes, which look exactly like a set one.
 */
export async function clearDuress() {
  const ctx = await context();
  const ledger = await loadLedger(ctx.s);
  if (ledger.duress) await dropServerAlert(ctx, ledger.duress.id);
  await port.serial(async () => {
    ctx.check();
    await port.installSlot(ctx.s, port.dummySlot());
    const fresh = await loadLedger(ctx.s);
    fresh.duress = null;
    await saveLedger(ctx.s, fresh);
  });
}
