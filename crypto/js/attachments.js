// SP1 attachment streams: age's STREAM construction with AES-256-GCM (crypto/SPEC.md).
//
// Plaintext stream = file bytes || zeros up to Padmé(size); cut into 65536-byte chunks;
// chunk i = AES-GCM(K, nonce = i as 11-byte BE || flag, empty aad), flag 0x01 only on the
// last chunk, which is non-empty unless the whole stream is empty. K = HKDF(CEK, salt, "att").
// hash = SHA-256(DST("chunks") || SHA-256(c0) || ... || SHA-256(cn)): WebCrypto cannot hash
// incrementally, so the integrity digest is built over native per-chunk digests.
//
// Memory stays bounded whatever the file size (a 500 MB video is never held whole): the file
// is read in 1 MiB Blob.slice() reads (blob.stream() hung once on CI), at most WINDOW
// chunks are in flight, and every ciphertext chunk goes to an async sink as soon as it is
// ready. Decryption mirrors this.

import { AuthError, FormatError } from "./errors.js";
import { b64uDecode, bytesEqual, concat, concatList, dst, padme, uintBE } from "./encoding.js";
import { aeadOpen, aeadSeal, aesKey, hkdf, randomBytes, sha256 } from "./sp1.js";

export const CHUNK = 65536;
export const CT_CHUNK = CHUNK + 16;
/**
 * Chunks in flight. Chromium runs a page's WebCrypto calls one at a time on a background
 * thread; a short queue keeps that thread busy while the main thread reads the next block.
 */
const WINDOW = 8;
/** Chunks per Blob slice read: each slice call has a fixed cost (~2 ms), so read 1 MiB at once. */
const READ_UNITS = 16;

function chunkNonce(i, last) {
  return concat(uintBE(i, 11), Uint8Array.of(last ? 1 : 0));
}

async function attachmentKey(cek, salt) {
  if (!(salt instanceof Uint8Array) || salt.length !== 16) throw new FormatError("attachment salt must be 16 bytes");
  const raw = await hkdf(cek, salt, dst("att"));
  const key = await aesKey(raw);
  raw.fill(0);
  return key;
}

/** Number of ciphertext chunks and total ciphertext length for a plaintext of `size` bytes. */
export function attachmentLayout(size) {
  const padded = padme(size);
  const chunks = padded === 0 ? 1 : Math.ceil(padded / CHUNK);
  return { padded, chunks, ctLen: padded + 16 * chunks };
}

/**
 * Reads a Blob in consecutive pieces of `unit` bytes, one `Blob.slice(a, b).arrayBuffer()` of
 * READ_UNITS * unit bytes at a time, so memory stays bounded by one block. Each returned view is
 * valid only until the next read; aeadSeal, aeadOpen and sha256 copy it at once. Past the end of
 * the file it returns zeros, which is exactly the Padmé padding of the plaintext stream.
 * Not blob.stream(): in Chromium 156 a read from a Blob's stream occasionally never settled
 * (seen as a hung vector about once in a dozen runs), and a slice read cannot hang that way.
 * Slices are ~2 ms per call in Chromium, so they are made large (1 MiB) to amortise that.
 */
function blobReader(blob, unit) {
  const readBlock = READ_UNITS * unit;
  let block = new Uint8Array(0);
  let blockPos = 0;
  const tail = new Uint8Array(unit); // the file's last partial unit, zero-padded
  let consumed = 0;

  // The next block is requested as soon as the current one arrives, so reading overlaps the
  // crypto work on the current block; at most two blocks are held.
  const request = (from) => {
    const slice = blob.slice(from, Math.min(blob.size, from + readBlock)).arrayBuffer();
    slice.catch(() => {}); // a failure is reported when the block is awaited
    return slice;
  };
  let next = null;
  const fill = async () => {
    const want = Math.min(readBlock, blob.size - consumed);
    if (want <= 0) {
      block = new Uint8Array(0);
    } else {
      block = new Uint8Array(await (next ?? request(consumed)));
    }
    blockPos = 0;
    if (block.length !== want) throw new FormatError("file changed while it was read");
    consumed += want;
    next = consumed < blob.size ? request(consumed) : null;
  };
  return {
    /** The next `len` bytes (len <= unit; only the last read may be shorter than unit). */
    async read(len) {
      if (blockPos >= block.length) await fill();
      const avail = Math.min(len, block.length - blockPos);
      if (avail === len) {
        blockPos += len;
        return block.subarray(blockPos - len, blockPos);
      }
      tail.set(block.subarray(blockPos, blockPos + avail));
      tail.fill(0, avail, len);
      blockPos += avail;
      return tail.subarray(0, len);
    },
    /** Checks that every byte of the file was used exactly once. */
    async finish() {
      if (blockPos !== block.length || consumed !== blob.size) throw new FormatError("file changed while it was read");
    },
  };
}

/**
 * Inner: encrypts `blob` (a File or Blob) under `cek` with the given aid and salt, calling
 * `await sink(ciphertextChunk)` in order. Returns the header entry {aid, ct_len, hash, salt}
 * (bytes / integer) plus the true `size` (for the body's attachment metadata).
 */
export async function encryptAttachmentWith(blob, cek, { aid, salt }, sink) {
  if (!(aid instanceof Uint8Array) || aid.length !== 16) throw new FormatError("aid must be 16 bytes");
  const { ct_len, hash, size } = await encryptStream(blob, cek, salt, sink);
  return { aid, ct_len, hash, salt, size };
}

/**
 * Inner: the STREAM of SPEC §8.1 over `blob` with K = HKDF(cek, salt, DST("att")), calling
 * `await sink(ciphertextChunk)` in order. Returns {ct_len, hash, size}. With
 * {chunkHash: false} the per-chunk digests are skipped and `hash` is null: the sealed file
 * (SPEC §17) has no header that could carry it, and hashing would cost as much as encrypting.
 */
export async function encryptStream(blob, cek, salt, sink, { chunkHash = true } = {}) {
  const size = blob.size;
  const { padded, chunks, ctLen } = attachmentLayout(size);
  const key = await attachmentKey(cek, salt);
  const digests = chunkHash ? new Uint8Array(32 * chunks) : null;
  const reader = blobReader(blob, CHUNK);

  // aeadSeal copies the plaintext before returning, so the reader may refill its buffer while
  // up to WINDOW chunks are being encrypted and hashed on WebCrypto's threads.
  const queue = [];
  const drainOne = async () => {
    const ct = await queue.shift();
    await sink(ct);
    return ct.length;
  };
  let written = 0;
  for (let i = 0; i < chunks; i++) {
    const pt = await reader.read(Math.min(CHUNK, padded - i * CHUNK));
    const sealed = aeadSeal(key, chunkNonce(i, i === chunks - 1), pt);
    const job = !digests ? sealed : sealed.then((ct) => sha256(ct).then((d) => {
      digests.set(d, 32 * i);
      return ct;
    }));
    job.catch(() => {}); // rejections are re-raised when the job is awaited in order
    queue.push(job);
    if (queue.length >= WINDOW) written += await drainOne();
  }
  while (queue.length) written += await drainOne();
  await reader.finish();
  if (written !== ctLen) throw new FormatError("attachment length changed while reading");
  return { ct_len: ctLen, hash: digests ? await sha256(dst("chunks"), digests) : null, size };
}

/** Encrypts a File/Blob as a new attachment of the record keyed by `cek` (random aid, salt). */
export async function encryptAttachment(blob, cek, sink) {
  return encryptAttachmentWith(blob, cek, { aid: randomBytes(16), salt: randomBytes(16) }, sink);
}

function attEntry(att) {
  const get = (v, n) => (typeof v === "string" ? b64uDecode(v, n) : v);
  const e = { salt: get(att.salt, 16), hash: get(att.hash, 32), ct_len: att.ct_len };
  if (!(e.salt instanceof Uint8Array) || !(e.hash instanceof Uint8Array) || e.hash.length !== 32) {
    throw new FormatError("attachment entry fields");
  }
  if (!Number.isSafeInteger(e.ct_len) || e.ct_len < 16) throw new FormatError("bad ct_len");
  return e;
}

/**
 * Decrypts an attachment stream (SPEC §8.3). `source` is a Blob or an (async) iterable of byte
 * pieces of any size; `att` the header entry ({salt, ct_len, hash}, bytes or b64u); `size` the
 * true length from the body. The file's bytes go to `await sink(bytes)` chunk by chunk. Each
 * chunk is authenticated, but the stream as a whole is valid only once the returned promise
 * resolves: on any error the caller MUST discard what the sink received.
 * Raises FormatError (size vs ct_len, empty final chunk after data, non-zero padding) or
 * AuthError (AEAD: tampering, truncation, reordering, dropped chunks, trailing bytes; total
 * length or chunk hash different from the header), first failure in the spec's order.
 */
export async function decryptAttachment(source, cek, att, size, sink) {
  const entry = attEntry(att);
  if (!Number.isSafeInteger(size) || size < 0) throw new FormatError("size must be a non-negative integer");
  if (entry.ct_len !== attachmentLayout(size).ctLen) throw new FormatError("ct_len does not match size");
  await decryptStream(source, cek, entry.salt, size, entry.hash, sink);
  return { size };
}

/**
 * Inner: SPEC §8.3 steps 2-5 for a `size` whose ct_len step 1 accepted, with K = HKDF(cek,
 * salt, DST("att")); `source` and `sink` as for decryptAttachment. `expectedHash` null skips
 * the chunk hash (computed and compared) for the sealed file (SPEC §17), where every chunk is
 * authenticated and the last one flagged, and no signed header holds a hash.
 */
export async function decryptStream(source, cek, salt, size, expectedHash, sink) {
  const { padded, ctLen } = attachmentLayout(size);
  const key = await attachmentKey(cek, salt);
  const withHash = expectedHash !== null;
  const digests = [];
  let ptOffset = 0;
  let received = 0;
  let paddingOk = true;

  // Up to WINDOW blocks are hashed and decrypted ahead; results are consumed strictly in stream
  // order, so the first failing block is the one reported and the sink sees ordered bytes.
  let submitted = 0;
  const queue = [];
  const submit = (ct, last) => {
    const index = submitted++;
    let job;
    if (ct.length < 16) {
      job = Promise.reject(new AuthError("ciphertext chunk shorter than its tag"));
    } else {
      // Both calls copy `ct` before returning, so the caller may drop or reuse it.
      const digest = withHash ? sha256(ct) : Promise.resolve(null);
      digest.catch(() => {});
      job = aeadOpen(key, chunkNonce(index, last), ct).then((pt) => digest.then((d) => ({ pt, d, last, index })));
    }
    job.catch(() => {}); // handled when consumed in order
    queue.push(job);
  };
  const consume = async () => {
    const { pt, d, last, index } = await queue.shift();
    if (last && pt.length === 0 && index > 0) throw new FormatError("empty final chunk after data");
    if (withHash) digests.push(d);
    // Release only the file's bytes; padding is checked, but reported after the hash (step 5).
    const from = ptOffset;
    ptOffset += pt.length;
    const cut = Math.max(0, Math.min(pt.length, size - from));
    if (pt.subarray(cut).some((b) => b !== 0)) paddingOk = false;
    if (cut > 0) await sink(pt.subarray(0, cut));
  };

  if (source instanceof Blob) {
    // A Blob's size is known, so the last block is simply the one that ends at that size.
    const reader = blobReader(source, CT_CHUNK);
    const blocks = Math.max(1, Math.ceil(source.size / CT_CHUNK));
    for (let i = 0; i < blocks; i++) {
      submit(await reader.read(Math.min(CT_CHUNK, source.size - i * CT_CHUNK)), i === blocks - 1);
      if (queue.length >= WINDOW) await consume();
    }
    await reader.finish();
    received = source.size;
  } else {
    // A block is the last one only if the stream ends with it, so one block is held back
    // until more bytes arrive or the source ends.
    let buf = new Uint8Array(0);
    for await (const piece of source) {
      const bytes = piece instanceof Uint8Array ? piece : new Uint8Array(piece);
      received += bytes.length;
      buf = buf.length ? concat(buf, bytes) : bytes;
      while (buf.length > CT_CHUNK) {
        submit(buf.subarray(0, CT_CHUNK), false);
        buf = buf.subarray(CT_CHUNK);
        if (queue.length >= WINDOW) await consume();
      }
      buf = buf.slice(); // our own copy: a producer may reuse its buffer for the next piece
    }
    submit(buf, true);
  }
  while (queue.length) await consume();
  if (received !== ctLen) throw new AuthError("attachment length differs from ct_len");
  if (withHash) {
    const hash = await sha256(dst("chunks"), concatList(digests));
    if (!bytesEqual(hash, expectedHash)) throw new AuthError("attachment hash mismatch");
  }
  if (!paddingOk || ptOffset !== padded) throw new FormatError("bad attachment padding");
}
