// SP1 sealed files (crypto/SPEC.md §17): one file under a passphrase, to carry an evidence
// bundle outside the app.
//
//   file   = "SP1-SEALED\n" || header || "\n" || ct
//   A      = Argon2id(NFC(passphrase), kdf)              (SPEC §3.1 stretching, §4 floor/ceiling)
//   K_file = HKDF(A, salt = SHA-256(header), info = DST("sealed"))
//   ct     = the attachment STREAM of §8.1 with CEK = K_file and att.salt = header.salt
//
// The STREAM is attachments.js's, chunk for chunk, without the chunk hash (no signed header
// holds one to compare with, SPEC R19). Files are read with Blob.slice in 1 MiB steps there,
// and the output is gathered into Blobs of at most FOLD bytes, so the JavaScript heap holds
// about one block whatever the bundle's size (the browser may keep large Blobs on disk).

import { FormatError, UnsupportedVersion } from "./errors.js";
import {
  b64uDecode, b64uEncode, bytesEqual, canonicalEncode, dst, requireCanonical, strictParse, utf8,
} from "./encoding.js";
import { attachmentLayout, decryptStream, encryptStream } from "./attachments.js";
import { argon2id, checkKdfPolicy, hkdf, newKdfParams, randomBytes, sha256, stretchPassphrase } from "./sp1.js";

const MAGIC = utf8("SP1-SEALED\n");
/** The longest header a conforming sealer writes is under 200 bytes (SPEC §17.3 step 2). */
const MAX_HEADER_LEN = 1024;
const TYP = "sp1-sealed";
const VERSION = 1;
const MEMBERS = ["kdf", "salt", "size", "typ", "v"];
const NEWLINE = 0x0a;
/** Output bytes gathered before they are folded into a Blob. */
const FOLD = 16 * 1024 * 1024;

function blobCollector() {
  const blobs = [];
  let parts = [];
  let held = 0;
  return {
    add(bytes) {
      parts.push(bytes);
      held += bytes.length;
      if (held >= FOLD) {
        blobs.push(new Blob(parts));
        parts = [];
        held = 0;
      }
    },
    blob(type) {
      blobs.push(new Blob(parts));
      return new Blob(blobs, { type });
    },
  };
}

async function fileKey(a, header) {
  const key = await hkdf(a, await sha256(header), dst("sealed"));
  a.fill(0);
  return key;
}

/**
 * Inner: seals `blob` with the given KDF block (canonical text or object, no policy, so vectors
 * may use small parameters) and 16-byte header salt. Returns the sealed file as a Blob.
 * Raises FormatError / UnsupportedVersion for a malformed KDF block, before Argon2 runs.
 */
export async function sealFileWith(passphrase, blob, { kdf, salt }, { onProgress = null } = {}) {
  if (!(blob instanceof Blob)) throw new FormatError("sealFile needs a Blob");
  if (!(salt instanceof Uint8Array) || salt.length !== 16) throw new FormatError("sealed file salt must be 16 bytes");
  if (onProgress) onProgress({ phase: "deriving" });
  // stretchPassphrase checks the block's form before Argon2 runs; afterwards its six members
  // are known to be exactly {alg, m, p, salt, t, v}.
  const a = await stretchPassphrase(passphrase, kdf);
  const k = typeof kdf === "string" || kdf instanceof Uint8Array ? strictParse(kdf) : kdf;
  const size = blob.size;
  const header = utf8(canonicalEncode({
    kdf: { alg: k.alg, m: k.m, p: k.p, salt: k.salt, t: k.t, v: k.v },
    salt: b64uEncode(salt), size, typ: TYP, v: VERSION,
  }));
  const key = await fileKey(a, header);
  const out = blobCollector();
  out.add(MAGIC);
  out.add(header);
  out.add(Uint8Array.of(NEWLINE));
  const total = attachmentLayout(size).ctLen;
  let done = 0;
  try {
    await encryptStream(blob, key, salt, async (ct) => {
      out.add(ct);
      done += ct.length;
      if (onProgress) onProgress({ phase: "encrypting", done, total });
    }, { chunkHash: false });
  } finally {
    key.fill(0);
  }
  return out.blob("application/octet-stream");
}

/**
 * Seals a File or Blob under a passphrase (SPEC §17.2); returns the sealed file as a Blob.
 * `kdf` (a KDF block, text or object) defaults to SP1's account parameters with a fresh salt;
 * a given block (with a salt drawn fresh for each file) must pass the §4 floor and ceiling
 * (KdfPolicyError). An empty passphrase is a FormatError. `onProgress({phase: "deriving"})`
 * comes once before Argon2id, then `onProgress({phase: "encrypting", done, total})` per chunk
 * (ciphertext bytes; done == total at the end).
 */
export async function sealFile(passphrase, blob, { kdf = null, onProgress = null } = {}) {
  if (typeof passphrase !== "string" || passphrase.length === 0) throw new FormatError("a passphrase is required");
  const block = kdf ?? newKdfParams();
  checkKdfPolicy(block);
  return sealFileWith(passphrase, blob, { kdf: block, salt: randomBytes(16) }, { onProgress });
}

/** SPEC §17.3 steps 3-4 on the header bytes: parse order, schema, KDF policy without pinning. */
function parseHeader(bytes) {
  const obj = strictParse(bytes);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new FormatError("sealed file header must be an object");
  if (!Number.isSafeInteger(obj.v) || obj.v < 0) throw new FormatError("sealed file header has no integer v");
  if (obj.v !== VERSION) throw new UnsupportedVersion("unsupported sealed file version");
  requireCanonical(obj, bytes);
  if (Object.keys(obj).sort().join() !== MEMBERS.join()) throw new FormatError("sealed file header members");
  if (obj.typ !== TYP) throw new FormatError("not a sealed file header");
  const salt = b64uDecode(obj.salt, 16);
  if (!Number.isSafeInteger(obj.size)) throw new FormatError("sealed file size must be an integer");
  if (obj.kdf === null || typeof obj.kdf !== "object" || Array.isArray(obj.kdf)) throw new FormatError("sealed file kdf must be an object");
  // §4 steps 1-2. Step 3 (pinning) has nothing to pin against: the file comes from outside.
  const kdf = checkKdfPolicy(obj.kdf);
  return { kdf, salt, size: obj.size };
}

/**
 * Opens a sealed file (SPEC §17.3, first failure wins): FormatError (not a sealed file,
 * malformed header, non-zero padding), UnsupportedVersion, KdfPolicyError (parameters outside
 * the floor and ceiling, refused before Argon2 runs), AuthError (wrong passphrase, any changed
 * byte, truncation, trailing bytes). Returns the plaintext as a Blob only once the whole file
 * is authenticated. `onProgress({phase: "deriving"})` comes once before Argon2id, then
 * `onProgress({phase: "decrypting", done, total})` (plaintext bytes).
 */
export async function openSealedFile(passphrase, blob, { onProgress = null } = {}) {
  if (!(blob instanceof Blob)) throw new FormatError("openSealedFile needs a Blob");
  const head = new Uint8Array(await blob.slice(0, MAGIC.length + MAX_HEADER_LEN + 1).arrayBuffer());
  if (head.length < MAGIC.length || !bytesEqual(head.subarray(0, MAGIC.length), MAGIC)) {
    throw new FormatError("not an SP1 sealed file");
  }
  const end = head.indexOf(NEWLINE, MAGIC.length);
  if (end < 0) throw new FormatError("sealed file has no header line");
  const header = head.slice(MAGIC.length, end);
  const { kdf, salt, size } = parseHeader(header);
  if (onProgress) onProgress({ phase: "deriving" });
  const key = await fileKey(await argon2id(passphrase, kdf.salt, kdf), header);
  const out = blobCollector();
  let done = 0;
  try {
    await decryptStream(blob.slice(end + 1), key, salt, size, null, async (pt) => {
      out.add(pt);
      done += pt.length;
      if (onProgress) onProgress({ phase: "decrypting", done, total: size });
    });
  } finally {
    key.fill(0);
  }
  return out.blob("");
}
