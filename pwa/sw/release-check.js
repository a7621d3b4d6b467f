// The checks a new version of the app must pass before the service worker installs it
// (crypto/SPEC.md §19, docs/RELEASES.md). The worker itself stays a small router; the
// cryptography is crypto/js/sp1.js's (verifyRelease, sha256): nothing here calls WebCrypto.
//
// 1. The release manifest (pwa/release.js) must be signed by a key of the release this phone
//    already trusts (kept in the "sp-trust" cache at activation), or, on the very first install,
//    by one of its own keys: trust on first use.
// 2. Every file of its core is fetched past the HTTP cache and must have exactly its SHA-256.
//    Anything else is a ReleaseRefused, and nothing of the new version is stored. The deferred
//    files (sw/deferred.js: pdf.js, the QR scanner, the other languages' catalogs) are checked
//    against the same signed manifest when they are fetched after activation.

import { AuthError, b64uDecode, releaseKeyId, releaseManifestHash, sha256, verifyRelease } from "/crypto/sp1.js";

export const TRUST_CACHE = "sp-trust";
const TRUSTED_URL = "/__sp/trusted-release";
export const RELEASE_INFO_URL = "/__sp/release";
// Browsers open at most 6 HTTP/1.1 connections to one host; more fetches only queue.
const PARALLEL_FETCHES = 6;

/** Why an update was refused: "signature", "key" or "file" (with the file's path). */
export class ReleaseRefused extends Error {
  constructor(reason, path = undefined) {
    super(path ? `release refused (${reason}): ${path}` : `release refused (${reason})`);
    this.name = "ReleaseRefused";
    this.reason = reason;
    this.path = path;
  }
}

const textBytes = (text) => new TextEncoder().encode(text);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The keys a manifest lists, read without checking anything (for the "key" diagnosis). */
function listedKeys(manifestText) {
  try {
    return JSON.parse(manifestText).keys.map((k) => b64uDecode(k, 32));
  } catch {
    return [];
  }
}

/** The keys of the installed (trusted) release, or null before the first install. */
async function trustedKeys() {
  if (!(await caches.has(TRUST_CACHE))) return null;
  const response = await (await caches.open(TRUST_CACHE)).match(TRUSTED_URL);
  if (!response) return null;
  const trusted = await response.json();
  // It was verified when installed; re-verifying under its own keys only parses it safely.
  const own = listedKeys(trusted.manifest);
  const manifest = await verifyRelease(textBytes(trusted.manifest), b64uDecode(trusted.sig, 64), own);
  return manifest.keys.map((k) => b64uDecode(k, 32));
}

async function signerId(manifestBytes, sig, keys) {
  for (const key of keys) {
    try {
      await verifyRelease(manifestBytes, sig, [key]);
      return releaseKeyId(key);
    } catch {
      // signed by another of the trusted keys
    }
  }
  throw new ReleaseRefused("signature");
}

/**
 * Verifies `spRelease` ({manifest, sig} from release.js). Returns {manifest, info} where info
 * is what "About this app" shows: {version, manifestHash, keyId, manifest text, sig}.
 */
export async function checkRelease(spRelease) {
  if (!spRelease || typeof spRelease.manifest !== "string") throw new ReleaseRefused("signature");
  const manifestBytes = textBytes(spRelease.manifest);
  let sig;
  try {
    sig = b64uDecode(spRelease.sig, 64);
  } catch {
    throw new ReleaseRefused("signature");
  }
  let trusted;
  try {
    trusted = await trustedKeys();
  } catch {
    throw new ReleaseRefused("key"); // a damaged trust anchor never falls back to first use
  }
  const keys = trusted || listedKeys(spRelease.manifest);
  let manifest;
  try {
    manifest = await verifyRelease(manifestBytes, sig, keys);
  } catch (error) {
    // A well-formed release signed by a key this phone does not trust is a "key" refusal.
    if (trusted && error instanceof AuthError) {
      const own = listedKeys(spRelease.manifest);
      const selfSigned = await verifyRelease(manifestBytes, sig, own).then(() => true, () => false);
      if (selfSigned) throw new ReleaseRefused("key");
    }
    throw new ReleaseRefused("signature");
  }
  const info = {
    version: manifest.version,
    manifestHash: await releaseManifestHash(manifestBytes),
    keyId: await signerId(manifestBytes, sig, keys),
    manifest: spRelease.manifest,
    sig: spRelease.sig,
  };
  return { manifest, info };
}

// What the cache keeps of a verified answer: its bytes (decoded: the server may have sent them
// gzip-compressed, server/shell.py) and its headers less those that described the transfer.
const TRANSFER_HEADERS = ["content-encoding", "content-length", "vary"];

function storedResponse(response, body) {
  const headers = new Headers(response.headers);
  for (const name of TRANSFER_HEADERS) headers.delete(name);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Fetches `path` and returns [path, a Response of its bytes] if they have the SHA-256 `expected`
 * (hex); throws ReleaseRefused("file", path) otherwise, and a TypeError when offline. `cache`:
 * "reload" (install: past the HTTP cache, SPEC §19.3) or "no-cache" (deferred files: the server
 * may answer 304 for bytes the browser already holds; the hash is checked all the same).
 */
export async function fetchVerified(path, expected, cache = "reload") {
  // A network failure is not an attack: the install fails quietly and is retried later.
  const response = await fetch(new Request(path, { cache }));
  const body = new Uint8Array(await response.arrayBuffer());
  if (!response.ok || hex(await sha256(body)) !== expected) throw new ReleaseRefused("file", path);
  return [path, storedResponse(response, body)];
}

/** A copy of the cached `response` to store again if its bytes have the SHA-256 `expected`, else null. */
export async function verifiedCopy(response, expected) {
  const body = new Uint8Array(await response.arrayBuffer());
  return hex(await sha256(body)) === expected ? storedResponse(response, body) : null;
}

/**
 * Runs `task` on every item, `limit` at a time, the next starting as soon as one ends, and
 * returns the results (in no particular order). Rejects with the first failure, starting no
 * more. Batches that wait for their slowest file cost a round trip each: on slow 3G (2 s) they
 * made a first install take twice as long (docs/PERFORMANCE.md, issue 9).
 */
export async function eachLimited(items, limit, task) {
  const queue = items.slice();
  const results = [];
  let failed = false;
  const lane = async () => {
    while (queue.length && !failed) {
      try {
        results.push(await task(queue.shift()));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, lane));
  return results;
}

/**
 * Fetches every file of `entries` ([path, SHA-256 hex] of the manifest's core) and checks its
 * SHA-256; then, and only if all match, stores them in the cache `cacheName` (index.html also as
 * "/", which serves the same bytes), with `carried` ([path, Response] already verified, see
 * deferred.js carryOver) and the release info. All or nothing: a refusal stores nothing.
 */
export async function precacheVerified(cacheName, entries, info, carried = []) {
  const verified = await eachLimited(entries, PARALLEL_FETCHES, ([path, hash]) => fetchVerified(path, hash));
  verified.push(...carried);
  const existed = await caches.has(cacheName);
  const cache = await caches.open(cacheName);
  try {
    for (const [path, response] of verified) {
      if (path === "/index.html") await cache.put("/", response.clone());
      await cache.put(path, response);
    }
    await cache.put(RELEASE_INFO_URL, Response.json(info));
  } catch (error) {
    if (!existed) await caches.delete(cacheName);
    throw error;
  }
}

/** Activation: the installed release becomes the one the next update must be signed for. */
export async function trustRelease(cacheName) {
  const info = await (await caches.open(cacheName)).match(RELEASE_INFO_URL);
  await (await caches.open(TRUST_CACHE)).put(TRUSTED_URL, info);
}

/** What "About this app" shows: {version, manifestHash, keyId}. */
export async function releaseInfo(cacheName) {
  const response = await (await caches.open(cacheName)).match(RELEASE_INFO_URL);
  if (!response) return null;
  const { version, manifestHash, keyId } = await response.json();
  return { version, manifestHash, keyId };
}

const installed = new Map(); // cache name -> its release's files, read once per worker start

/**
 * The files (path -> SHA-256 hex) of the release installed in `cacheName`: the manifest whose
 * signature install verified, as it stored it. null if nothing was installed there.
 */
export async function installedFiles(cacheName) {
  if (!installed.has(cacheName)) {
    if (!(await caches.has(cacheName))) return null; // never create a cache by looking
    const response = await (await caches.open(cacheName)).match(RELEASE_INFO_URL);
    if (!response) return null;
    const { manifest } = await response.json();
    installed.set(cacheName, JSON.parse(manifest).files);
  }
  return installed.get(cacheName);
}
