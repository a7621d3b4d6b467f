// The files of held records (report photos, working copies): their ciphertext as this device
// holds it, decrypted in memory with the SHA-256 of the plaintext checked against the signed
// body, and that verdict remembered for this unlocked session (integrity() reports it).
//
// Own records keep their chunks under the aid, received ones under "inbox:<aid>" (written by
// "Sync now" only after the whole download verified against the signed header).
import * as sp from "../../crypto/sp1.js";
import { createSHA256 } from "../../vendor/sha256.js";
import { hasChunk } from "../store/sharing-store.js";
import { getChunk } from "../store/vault-store.js";
import * as port from "../vault/sync-port.js";
import { AccountError } from "../sync/errors.js";

const verdicts = new WeakMap(); // vault session -> Map aid -> {sha256, matches}

const chunkKeyOf = (h, aid) => (h.own ? aid : port.INBOX_CHUNK_PREFIX + aid);
const lastChunk = (ctLen) => Math.max(1, Math.ceil(ctLen / sp.CT_CHUNK)) - 1;

/** The header entry and body metadata of attachment `aid` of held record `h`, or null. */
export function fileOf(h, aid) {
  const entry = h.att.find((a) => a.aid === aid);
  const meta = entry && Array.isArray(h.body.att) ? h.body.att.find((a) => a && a.aid === aid) : null;
  return entry && meta ? { entry, meta } : null;
}

/** Whether the whole ciphertext of attachment `aid` of `h` is on this device. */
export async function isAvailable(h, aid) {
  const file = fileOf(h, aid);
  return Boolean(file) && hasChunk(chunkKeyOf(h, aid), lastChunk(file.entry.ct_len));
}

async function* chunks(key) {
  for (let i = 0; ; i++) {
    const ct = await getChunk(key, i);
    if (ct === undefined) return;
    yield ct instanceof Uint8Array ? ct : new Uint8Array(ct);
  }
}

function needFile(h, aid) {
  const file = fileOf(h, aid);
  if (!file) throw new AccountError("not-found", "no such attachment");
  return file;
}

/** The attachment's ciphertext (SP1 §8) as held, or "not-found" while it is not downloaded. */
export async function ciphertextOf(h, aid) {
  const { entry } = needFile(h, aid);
  if (!(await isAvailable(h, aid))) throw new AccountError("not-found", "not downloaded yet");
  const parts = [];
  for await (const ct of chunks(chunkKeyOf(h, aid))) parts.push(ct);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  if (out.length !== entry.ct_len) throw new AccountError("not-found", "not downloaded yet");
  return out;
}

/**
 * Decrypts attachment `aid` of held record `h` (every chunk authenticated, the chunk hash was
 * checked against the signed header when it was downloaded or encrypted), hashes the
 * plaintext and compares it with the body's `sha256`; the verdict is remembered for the
 * session. Returns {blob, sha256, matches}. "not-found" until downloaded.
 */
export async function decryptFile(s, h, aid) {
  const { entry, meta } = needFile(h, aid);
  if (!(await isAvailable(h, aid))) throw new AccountError("not-found", "not downloaded yet");
  const hasher = await createSHA256();
  hasher.init();
  const parts = [];
  await sp.decryptAttachment(chunks(chunkKeyOf(h, aid)), sp.b64uDecode(h.cek, 32), entry, meta.size, async (bytes) => {
    const copy = bytes.slice();
    hasher.update(copy);
    parts.push(copy);
  });
  const sha256 = hasher.digest("hex");
  const matches = sha256 === String(meta.sha256 ?? "").toLowerCase();
  if (!verdicts.has(s)) verdicts.set(s, new Map());
  verdicts.get(s).set(aid, { sha256, matches });
  return { blob: new Blob(parts, { type: String(meta.mime || "application/octet-stream") }), sha256, matches };
}

/** What decryptFile() found for `aid` in this session, or null (not checked yet). */
export function verdictOf(s, aid) {
  return verdicts.get(s)?.get(aid) || null;
}
