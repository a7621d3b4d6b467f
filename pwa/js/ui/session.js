// While the vault is unlocked: the session bar ("Quick exit", "Lock", navigation), activity that
// keeps the idle timer alive, and locking when the app is hidden (if the delegate chose that).
import * as vault from "../vault/index.js";

const ACTIVITY = ["pointerdown", "keydown", "input", "scroll"];

export function mountSession(bar, { onQuickExit, onLock, onNavigate }) {
  const $ = (id) => bar.querySelector(`#${id}`);
  $("quick-exit").addEventListener("click", onQuickExit);
  $("lock").addEventListener("click", onLock);
  $("nav-list").addEventListener("click", () => onNavigate("list"));
  $("nav-new").addEventListener("click", () => onNavigate("form"));
  $("nav-sync").addEventListener("click", () => onNavigate("sync"));
  $("nav-settings").addEventListener("click", () => onNavigate("settings"));

  let active = false;
  let lockWhenHidden = false;
  let last = 0;
  const touch = () => {
    if (!active) return;
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    try { vault.touch(); } catch { /* locked meanwhile */ }
  };
  for (const type of ACTIVITY) document.addEventListener(type, touch, { capture: true, passive: true });
  // Capture on window runs before the vault's own listener on document, so the screen is
  // cleared and the last keystrokes reach the draft before the keys are dropped.
  window.addEventListener("visibilitychange", () => {
    if (active && lockWhenHidden && document.visibilityState === "hidden") onLock();
  }, { capture: true });

  return {
    async refreshPolicy() {
      try { lockWhenHidden = Boolean((await vault.unlockPolicy()).lockWhenHidden); } catch { lockWhenHidden = false; }
    },
    setActive(value) {
      active = value;
      bar.hidden = !value;
    },
  };
}
