// Sends a duress alert's release token (POST /api/alerts/release, docs/sharing-contract.md §3.4)
// for the vault's duress unlock (pwa/js/vault/duress.js keeps the token and decides when to try).
// The endpoint needs no session: the decoy has none. The token travels in the body only.
// Once it went out, the server session this page may still hold from the real vault is ended
// too (best effort): whoever holds the phone now must not be able to use it (list or revoke the
// delegate's devices) with a cookie the decoy does not even know about.
import { setReleaser } from "../vault/sync-port.js";
import { signOut } from "./account.js";
import { request } from "./api.js";
import { AccountError } from "./errors.js";

setReleaser(async (token) => {
  try {
    await request("POST", "/api/alerts/release", { json: { token } });
  } catch (err) {
    // Released already, or unknown (the alert was cleared): nothing left to send.
    if (!(err instanceof AccountError && (err.serverCode === "not-found" || err.serverCode === "alert-released"))) throw err;
  }
  await signOut().catch(() => {});
});
