/* Safe Passage service worker: a small router.
 *
 * - install: precache the versioned app shell listed in release.js (exact files, fetched
 *   bypassing the HTTP cache); the new version then WAITS: the page offers "Reload to update"
 *   instead of swapping code under someone in the middle of writing a report.
 * - activate: delete older shell caches, take control of open pages.
 * - fetch: same-origin GET only. /api/ always goes to the network and is never cached
 *   (it is ciphertext, but also per-user and time-sensitive). Navigations get the cached shell,
 *   so the app opens offline. Everything else: cache first, then network.
 */
importScripts("/release.js");

const RELEASE = self.SP_RELEASE;
const CACHE_PREFIX = "sp-shell-";
const CACHE = CACHE_PREFIX + RELEASE.version;
const SHELL_URLS = ["/", ...Object.keys(RELEASE.files)];

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL_URLS.map((url) => new Request(url, { cache: "reload" })));
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "GET_VERSION") {
    event.source.postMessage({ type: "VERSION", version: RELEASE.version });
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
