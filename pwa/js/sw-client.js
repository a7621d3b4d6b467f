// Registers the service worker and turns its life cycle into two callbacks: an update is
// waiting (offer "Reload to update"), and the running version is known (About this app).

export async function registerWorker({ onUpdateReady, onVersion }) {
  if (!("serviceWorker" in navigator)) return null;
  const container = navigator.serviceWorker;
  let userAskedToUpdate = false;

  container.addEventListener("message", (event) => {
    if (event.data && event.data.type === "VERSION") onVersion(event.data.version);
  });
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
    scope: "/",
    updateViaCache: "none",
  });
  askVersion();
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
