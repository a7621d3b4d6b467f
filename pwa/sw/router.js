/* Safe Passage service worker: a small router (a module worker, loaded by the generated
 * /service-worker.js, see tools/build_release.py).
 *
 * - install: only a signed release whose every file matches its manifest is installed
 *   (sw/release-check.js, crypto/SPEC.md §19); otherwise every open page is told why and this
 *   worker is discarded, so the installed version keeps running. The new version then WAITS:
 *   the page offers "Reload to update" instead of swapping code under someone in the middle of
 *   writing a report.
 * - activate: the new release becomes the trusted one ("sp-trust"); older shell caches go.
 * - fetch: same-origin GET only. /api/ always goes to the network and is never cached
 *   (it is ciphertext, but also per-user and time-sensitive). Navigations get the cached shell,
 *   so the app opens offline. Everything else: cache first, then network.
 */
import "/release.js";
import { ReleaseRefused, checkRelease, precacheVerified, releaseInfo, trustRelease } from "./release-check.js";

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
    await precacheVerified(CACHE, manifest, info);
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
  event.waitUntil((async () => {
    await trustRelease(CACHE);
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "GET_VERSION") {
    event.waitUntil(releaseInfo(CACHE).then((info) => {
      if (info) event.source.postMessage({ type: "VERSION", ...info });
    }));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(shell());
  } else {
    event.respondWith(cacheFirst(request));
  }
});

async function shell() {
  const cache = await caches.open(CACHE);
  return (await cache.match("/index.html")) || fetch("/index.html");
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}
