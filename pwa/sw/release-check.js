// The checks a new version of the app must pass before the service worker installs it
// (crypto/SPEC.md §19, docs/RELEASES.md). The worker itself stays a small router; the
// cryptography is crypto/js/sp1.js's (verifyRelease, sha256): nothing here calls WebCrypto.
//
// 1. The release manifest (pwa/release.js) must be signed by a key of the release this phone
//    already trusts (kept in the "sp-trust" cache at activation), or, on the very first install,
//    by one of its own keys: trust on first use.
// 2. Every file it lists is fetched past the HTTP cache and must have exactly its SHA-256.
// Anything else is a ReleaseRefused, and nothing of the new version is stored.

import { AuthError, b64uDecode, releaseKeyId, releaseManifestHash, sha256, verifyRelease } from "/crypto/sp1.js";

export const TRUST_CACHE = "sp-trust";
const TRUSTED_URL = "/__sp/trusted-release";
export const RELEASE_INFO_URL = "/__sp/release";
const PARALLEL_FETCHES = 8;

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

async function fetchVerified(path, expected) {
  // A network failure is not an attack: the install fails quietly and is retried later.
  const response = await fetch(new Request(path, { cache: "reload" }));
  const body = new Uint8Array(await response.arrayBuffer());
  if (!response.ok || hex(await sha256(body)) !== expected) throw new ReleaseRefused("file", path);
  const headers = new Headers(response.headers);
  return [path, new Response(body, { status: response.status, statusText: response.statusText, headers })];
}

/**
 * Fetches every file of `manifest` and checks its SHA-256; then, and only if all match, stores
 * them in the cache `cacheName` (index.html also as "/", which serves the same bytes), with the
 * release info. All or nothing: a refusal stores nothing.
 */
export async function precacheVerified(cacheName, manifest, info) {
  const entries = Object.entries(manifest.files);
  const verified = [];
  for (let i = 0; i < entries.length; i += PARALLEL_FETCHES) {
    const batch = entries.slice(i, i + PARALLEL_FETCHES);
    verified.push(...await Promise.all(batch.map(([path, hash]) => fetchVerified(path, hash))));
  }
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
