/* Safe Passage service worker: a small router (a module worker, loaded by the generated
 * /service-worker.js, see tools/build_release.py).
 *
 * - install: only a signed release whose every core file matches its manifest is installed
 *   (sw/release-check.js, crypto/SPEC.md §19); otherwise every open page is told why and this
 *   worker is discarded, so the installed version keeps running. The new version then WAITS:
 *   the page offers "Reload to update" instead of swapping code under someone in the middle of
 *   writing a report. The deferred files (sw/deferred.js) come from the old cache if unchanged.
 * - activate: the new release becomes the trusted one ("sp-trust"); older shell caches go; the
 *   deferred files still missing are fetched in the background, each checked against the
 *   manifest (every event the worker gets while that runs keeps it alive, until a new worker
 *   appears: an update or the kill switch never waits for the fill).
 * - fetch: same-origin GET only. /api/ always goes to the network and is never cached
 *   (it is ciphertext, but also per-user and time-sensitive). Navigations get the cached shell,
 *   so the app opens offline. Everything else: cache first; a file the release lists but the
 *   cache lacks is fetched and served only if its hash checks out; anything else, network.
 */
import "/release.js";
import { carryOver, fillDeferred, serveListed, splitRelease } from "./deferred.js";
import {
  ReleaseRefused, checkRelease, installedFiles, precacheVerified, releaseInfo, trustRelease,
} from "./release-check.js";

const CACHE_PREFIX = "sp-shell-";
const CACHE = CACHE_PREFIX + releaseVersion(self.SP_RELEASE);

// The cache name only; nothing is trusted before install has verified the signature.
function releaseVersion(release) {
  try {
    const version = JSON.parse(release.manifest).version;
    return /^[0-9a-f]{16}$/.test(version) ? version : "unverified";
  } catch {
    return "unverified";
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(install());
});

async function install() {
  try {
    const { manifest, info } = await checkRelease(self.SP_RELEASE);
    const { core, deferred } = splitRelease(manifest.files);
    const older = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE);
    await precacheVerified(CACHE, core, info, await carryOver(deferred, older));
  } catch (error) {
    if (error instanceof ReleaseRefused) await tellPages(error);
    throw error;
  }
}

// Pages not (yet) controlled by this registration are told too: a first visit must see it.
async function tellPages(refusal) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const page of pages) {
    page.postMessage({ type: "RELEASE_REFUSED", reason: refusal.reason, path: refusal.path });
  }
}

self.addEventListener("activate", (event) => {
  const activation = (async () => {
    await trustRelease(CACHE);
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })();
  event.waitUntil(activation);
  // Not part of activation: requests wait while a worker activates, and this can take minutes.
  activation.then(() => fillDeferred(CACHE), () => {});
});

const active = () => self.serviceWorker && self.serviceWorker.state === "activated";

// A new worker installing — an update, or the operator's retiring worker (the kill switch) —
// must never wait behind the fill. Chromium activates it only once this worker has no event
// in flight, and the fill holds events open: on slow 3G, for minutes. So from the moment a
// new worker appears, no event waits for the fill any more (the fill itself runs on while this
// worker lives; the new release carries over whatever it stored).
let handOver;
const handingOver = new Promise((resolve) => { handOver = resolve; });
let handedOver = false;
self.registration.addEventListener("updatefound", () => {
  const next = self.registration.installing;
  if (next && next !== self.serviceWorker) {
    handedOver = true;
    handOver({ missing: ["(a new version is taking over)"], refused: [] });
  }
});
const filledOrHandedOver = () => Promise.race([fillDeferred(CACHE), handingOver]);

// The background fill runs while the worker has events to handle; each one extends its life.
function keepFilling(event) {
  if (active() && !handedOver) event.waitUntil(filledOrHandedOver());
}

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "SKIP_WAITING") self.skipWaiting();
  if (type === "GET_VERSION") {
    event.waitUntil(releaseInfo(CACHE).then((info) => {
      if (info) event.source.postMessage({ type: "VERSION", ...info });
    }));
  }
  if (type === "FILL_DEFERRED" && active()) {
    // Answers {type: "DEFERRED", missing, refused} once the deferred files are in (or are not).
    const reply = event.ports[0] || event.source;
    event.waitUntil(filledOrHandedOver().then((result) => reply.postMessage({ type: "DEFERRED", ...result })));
  } else {
    keepFilling(event);
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  keepFilling(event);
  if (request.method !== "GET" || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(shell());
  } else {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});

async function shell() {
  const cache = await caches.open(CACHE);
  return (await cache.match("/index.html")) || fetch("/index.html");
}

async function cacheFirst(request, path) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const files = await installedFiles(CACHE);
  if (files && Object.hasOwn(files, path)) return serveListed(CACHE, path, files[path]);
  return fetch(request);
}
