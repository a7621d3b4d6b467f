// Resumable attachment upload (docs/sync-api.md, "POST /api/uploads" and "PUT parts").
//
// The server's stored offset is the only resume point: it commits each part in one transaction,
// so after a cut it holds whole parts only. The uploader declares the attachment (idempotent:
// the same aid, length and hash return the current state), then sends parts of up to 16 SP1
// ciphertext chunks read from IndexedDB from that offset. A PUT is never retried blindly: after
// a failure the uploader asks GET /api/uploads/<aid> where the server stands and continues from
// there, so a cut re-sends at most the one part that was in flight (and none if the server had
// committed it before the answer was lost). No local state is needed to resume, even after the
// page was killed.
import * as sp from "../../crypto/sp1.js";
import { getChunkRange } from "../store/vault-store.js";
import { backoff, retryPolicy, sleep } from "./api.js";
import { AccountError, unverified } from "./errors.js";

export const CT_CHUNK = 65552;
const PART_TIMEOUT_MS = 120000;

function checkState(state, aid, ctLen) {
  if (!state || state.aid !== aid || state.ct_len !== ctLen || !Number.isSafeInteger(state.offset)
      || state.offset < 0 || state.offset > ctLen) {
    throw new AccountError("server-error", "unexpected upload state");
  }
  return state;
}

/**
 * Uploads attachment `aid` ({ct_len, hash: b64u} from its signed header) unless the server
 * holds it already, and returns its receipt, verified under `serverKey` for `hash`.
 * `partSize` is the server's part_size; `onBytes(n)` reports bytes the server accepted; `send`
 * is the API request function on the account's session (auth.js authed, bound to a context).
 */
export async function uploadAttachment({ aid, ctLen, hash, serverKey, partSize, send, onBytes = null, alive = () => true }) {
  const chunksPerPart = Math.max(1, Math.floor(partSize / CT_CHUNK));
  const path = `/api/uploads/${aid}`;
  let state = checkState(await send("POST", "/api/uploads", { json: { aid, ct_len: ctLen, hash } }), aid, ctLen);
  let reported = state.offset;
  if (onBytes && reported) onBytes(reported);
  let failures = 0;
  while (!state.complete) {
    if (!alive()) throw new AccountError("locked", "the vault locked during the upload");
    const { offset } = state;
    if (offset % CT_CHUNK !== 0 || offset >= ctLen) throw new AccountError("server-error", "unexpected upload offset");
    const first = offset / CT_CHUNK;
    const last = Math.min(first + chunksPerPart, Math.ceil(ctLen / CT_CHUNK));
    const chunks = await getChunkRange(aid, first, last);
    if (chunks.length !== last - first) throw new AccountError("server-error", "attachment chunks missing on this device");
    const part = new Blob(chunks); // fetch sends a Blob as it is: no copy into one buffer
    try {
      state = checkState(await send("PUT", `${path}?offset=${offset}`, {
        bytes: part, retry: false, timeoutMs: PART_TIMEOUT_MS,
      }), aid, ctLen);
      failures = 0;
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      if (err.serverCode === "upload-offset" && Number.isSafeInteger(err.details?.offset)) {
        // The server is elsewhere (our last part landed after all): continue from its offset.
        state = { ...state, offset: err.details.offset };
      } else if (err.serverCode === "upload-hash") {
        // The stored chunks do not hash to the signed header's value: this device's copy is
        // damaged (the server has reset the upload). Sending it again would not help.
        throw new AccountError("server-error", "attachment ciphertext does not match its header");
      } else if (err.code === "offline" || err.status >= 500 || err.status === 429) {
        if (++failures >= retryPolicy().attempts) throw err;
        await sleep(backoff(failures));
        // Where does the server stand? (This request retries on its own.)
        state = checkState(await send("GET", path), aid, ctLen);
      } else {
        throw err;
      }
    }
    if (onBytes && state.offset > reported) {
      onBytes(state.offset - reported);
      reported = state.offset;
    }
  }
  if (state.offset !== ctLen || !state.receipt) throw new AccountError("server-error", "upload complete without a receipt");
  try {
    await sp.verifyReceipt(state.receipt, serverKey, sp.b64uDecode(hash, 32));
  } catch {
    throw unverified("an attachment receipt does not verify");
  }
  return state.receipt;
}
