// Registers the service worker (a module worker) and turns its life cycle into three callbacks:
// an update is waiting (offer "Reload to update"), an update was refused because its signature
// or a file did not check out (warn), and the running release is known (About this app).

export async function registerWorker({ onUpdateReady, onVersion, onRefused }) {
  if (!("serviceWorker" in navigator)) return null;
  const container = navigator.serviceWorker;
  let userAskedToUpdate = false;

  container.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "VERSION") {
      onVersion({ version: data.version, manifestHash: data.manifestHash, keyId: data.keyId });
    }
    if (data.type === "RELEASE_REFUSED") onRefused({ reason: data.reason, path: data.path });
  });
  // Messages from a worker that does not control this page (a refused first install) too.
  container.startMessages();
  container.addEventListener("controllerchange", () => {
    askVersion();
    // Only a swap the user asked for reloads the page; the first install just takes control.
    if (userAskedToUpdate) window.location.reload();
  });

  function askVersion() {
    if (container.controller) container.controller.postMessage({ type: "GET_VERSION" });
  }

  function offer(worker) {
    onUpdateReady(() => {
      userAskedToUpdate = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    });
  }

  const registration = await container.register("/service-worker.js", {
    type: "module",
    scope: "/",
    updateViaCache: "none",
  });
  askVersion();
  // Check for a new release now that this page listens: a refusal found by the browser's own
  // check during navigation may have been reported before the listener existed.
  registration.update().catch(() => {});
  if (registration.waiting && container.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && container.controller) offer(worker);
    });
  });
  // Look for a new version whenever the app comes back to the foreground.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
  return registration;
}
