// Deferred precache (issue 9, docs/design.md "The app shell on a cheap phone"). Install stores
// the core: what a delegate needs to create a vault, log an incident, sync and work offline.
// The files below are needed only by some people — pdf.js by a legal supporter opening a PDF,
// the QR scanner when scanning a contact's code, each catalog by its language's speakers — and
// are two thirds of the shell's compressed bytes. They stay in the signed manifest (SPEC §19,
// unchanged) and are fetched after activation, in the background, or when first asked for; each
// is stored and served only if its SHA-256 is the one the installed, signature-checked manifest
// lists. The rule is which modules import what: every one of them is loaded only by a dynamic
// import(), a Worker URL or fetch(), never by a static import of the core
// (tests/test_shell_budget.py keeps it so).

import { ReleaseRefused, eachLimited, fetchVerified, installedFiles, verifiedCopy } from "./release-check.js";

/**
 * The deferred files, in the order the background fill fetches them: the catalogs first (small,
 * and the one a person reads the app in), then the QR scanner, then pdf.js.
 * tools/shell_size.py reads these patterns: one regular expression literal per line.
 */
export const DEFERRED = [
  /^\/i18n\/(?!en\.json$)[^/]+\.json$/,
  /^\/vendor\/jsqr\.js$/,
  /^\/vendor\/pdfjs\//,
];
// Two at a time: on slow 3G the page's own requests must still get through.
const PARALLEL_FETCHES = 2;
// A fill that left files missing (offline, a file refused) is tried again after this long.
const RETRY_MS = 60_000;

const rank = (path) => DEFERRED.findIndex((pattern) => pattern.test(path));

/** The manifest's `files` as {core, deferred}, each a list of [path, SHA-256 hex], deferred in fill order. */
export function splitRelease(files) {
  const core = [];
  const deferred = [];
  for (const entry of Object.entries(files)) (rank(entry[0]) >= 0 ? deferred : core).push(entry);
  deferred.sort((a, b) => rank(a[0]) - rank(b[0]));
  return { core, deferred };
}

/**
 * Install: the deferred files that an older shell cache (`oldCaches`, names) holds with exactly
 * the hash this release lists, as [path, Response] to store with the core. An update then costs
 * no new download of pdf.js, and what worked offline before the update still does.
 */
export async function carryOver(deferred, oldCaches) {
  const carried = [];
  for (const [path, expected] of deferred) {
    for (const name of oldCaches) {
      const cached = await (await caches.open(name)).match(path);
      const copy = cached && await verifiedCopy(cached, expected);
      if (copy) {
        carried.push([path, copy]);
        break;
      }
    }
  }
  return carried;
}

const inFlight = new Map(); // path -> Promise<Response>: the fill and a page asking share a fetch

/** Fetches, verifies and stores one listed file; rejects with ReleaseRefused or, offline, a TypeError. */
function fetchAndStore(cacheName, path, expected) {
  let pending = inFlight.get(path);
  if (!pending) {
    pending = (async () => {
      const [, response] = await fetchVerified(path, expected, "no-cache");
      // A newer release may have activated meanwhile and deleted this cache: never recreate it.
      if (await caches.has(cacheName)) {
        const cache = await caches.open(cacheName);
        if (path === "/index.html") await cache.put("/", response.clone());
        await cache.put(path, response.clone());
      }
      return response;
    })().finally(() => inFlight.delete(path));
    inFlight.set(path, pending);
  }
  return pending.then((response) => response.clone());
}

/**
 * The fetch handler's answer for a file the installed release lists but its cache lacks: the
 * verified bytes (now also cached), or — if the server's bytes are not the signed ones — a 502
 * with no body, never the unverified bytes. Offline, it rejects, as any fetch would.
 */
export async function serveListed(cacheName, path, expected) {
  try {
    return await fetchAndStore(cacheName, path, expected);
  } catch (error) {
    if (!(error instanceof ReleaseRefused)) throw error;
    console.warn(`${path}: not the file the signed release lists; refused`);
    return new Response(null, { status: 502, statusText: "Not the signed file" });
  }
}

let filling = null; // {promise, done: time or 0, missing}

/**
 * Starts (or joins) the background fill of `cacheName`: every deferred file of its release not
 * yet cached is fetched, verified and stored. Resolves to {missing: [paths], refused: [paths]}
 * and never rejects. A fill that left files missing runs again when asked RETRY_MS later.
 */
export function fillDeferred(cacheName) {
  const stale = filling && filling.done && filling.missing && Date.now() - filling.done > RETRY_MS;
  if (!filling || stale) {
    const run = { done: 0, missing: 0, promise: null };
    const failed = (error) => ({ missing: [`(fill failed: ${error && error.name})`], refused: [] });
    run.promise = fill(cacheName).catch(failed).then((result) => {
      run.done = Date.now();
      run.missing = result.missing.length + result.refused.length;
      return result;
    });
    filling = run;
  }
  return filling.promise;
}

async function fill(cacheName) {
  const files = await installedFiles(cacheName);
  if (!files) return { missing: [], refused: [] };
  const cache = await caches.open(cacheName);
  const todo = [];
  for (const [path, expected] of splitRelease(files).deferred) {
    if (!(await cache.match(path))) todo.push([path, expected]);
  }
  const missing = [];
  const refused = [];
  await eachLimited(todo, PARALLEL_FETCHES, async ([path, expected]) => {
    try {
      await fetchAndStore(cacheName, path, expected);
    } catch (error) {
      (error instanceof ReleaseRefused ? refused : missing).push(path);
    }
  });
  return { missing, refused };
}
