// Streamed attachment downloads (GET /api/attachments/<aid>): the ciphertext goes into
// IndexedDB chunks while it is decrypted (the plaintext is discarded) to check it against the
// signed header — length, every chunk's tag, the chunk hash. The batch holding the last chunk is
// written only after the whole stream verified, by the caller's `finish` (one transaction with
// whatever marks the attachment complete), so a cut, killed or forged download never leaves a
// last chunk behind: the next sync starts it again and overwrites what is there.
import * as sp from "../../crypto/sp1.js";
import { putChunks } from "../store/vault-store.js";
import { authed } from "./auth.js";
import { AccountError, unverified } from "./errors.js";

export const CT_CHUNK = 65552;
const CHUNK_BATCH = 16; // downloaded chunks per IndexedDB transaction (~1 MiB)
const READ_TIMEOUT_MS = 60000; // a download that stalls this long is treated as cut

/** A new buffer holding `a` then `b` (the held-back tail of a download and the next piece). */
function append(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new AccountError("offline", "the download stalled"));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Downloads attachment `aid` and stores its chunks under `chunkKey` (the aid itself for the
 * vault's own records, "inbox:<aid>" for a report shared with this account). `cek`, `entry`
 * (header att entry) and `size` (from the body) verify it; `finish(batch)` stores the last
 * batch. Raises AccountError ("offline" for a cut, "unverified" for bytes that do not match, or
 * the server's answer, e.g. not-found once a share was revoked).
 */
export async function downloadAttachment(ctx, { aid, chunkKey = aid, cek, entry, size, onBytes, finish }) {
  const lastIndex = Math.max(1, Math.ceil(entry.ct_len / CT_CHUNK)) - 1;
  const response = await authed(ctx, "GET", `/api/attachments/${aid}`, { raw: true });
  const reader = response.body.getReader();
  let pendingBytes = new Uint8Array(0);
  let index = 0;
  let batch = [];
  async function* pieces() {
    for (;;) {
      let step;
      try {
        step = await withTimeout(reader.read(), READ_TIMEOUT_MS, () => reader.cancel().catch(() => {}));
      } catch (err) {
        throw err instanceof AccountError ? err : new AccountError("offline", "the download was cut");
      }
      if (step.done) return;
      const piece = step.value;
      onBytes(piece.length);
      yield piece;
      ctx.check();
      pendingBytes = append(pendingBytes, piece);
      while (pendingBytes.length >= CT_CHUNK) {
        batch.push({ aid: chunkKey, i: index++, ct: pendingBytes.slice(0, CT_CHUNK) });
        pendingBytes = pendingBytes.subarray(CT_CHUNK);
        // The last chunk waits for the verdict on the whole stream.
        if (batch.length >= CHUNK_BATCH && batch[batch.length - 1].i < lastIndex) {
          await putChunks(batch);
          batch = [];
        }
      }
    }
  }
  try {
    await sp.decryptAttachment(pieces(), cek, entry, size, async () => {});
  } catch (err) {
    if (err instanceof AccountError) throw err;
    throw unverified("a downloaded attachment does not match its record");
  }
  if (pendingBytes.length) batch.push({ aid: chunkKey, i: index++, ct: pendingBytes.slice() });
  ctx.check();
  await finish(batch);
}
