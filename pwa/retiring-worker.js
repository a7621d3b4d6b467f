/* Served as /service-worker.js only while the operator's kill switch is on (server/killswitch.py,
 * docs/RELEASES.md). It replaces the installed worker at once, deletes every Cache Storage cache
 * (the app shell and the trusted release), unregisters itself and reloads open pages, which then
 * get the server's "paused" page. It never touches IndexedDB: the vaults, and evidence that may
 * not be synced yet, stay on the phone. No fetch handler: everything goes to the network. */
self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    await self.clients.claim();
    for (const name of await caches.keys()) await caches.delete(name);
    await self.registration.unregister();
    for (const page of await self.clients.matchAll({ type: "window" })) {
      await page.navigate(page.url).catch(() => {});
    }
  })());
});
