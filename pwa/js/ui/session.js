// While the vault is unlocked: the session bar ("Quick exit", "Lock", navigation), activity that
// keeps the idle timer alive, and locking when the app is hidden (if the delegate chose that).
// Below it, once the vault has an account, the sharing places of its role (issue 6): "Contacts"
// for everyone, "Inbox" and "Statistics" for focal points and legal supporters, "Check-in" for
// delegates; "Cases" for focal points and legal supporters (issue 7). The place on screen is
// marked aria-current="page".
import * as account from "../sync/index.js";
import * as vault from "../vault/index.js";

const ACTIVITY = ["pointerdown", "keydown", "input", "scroll"];

const RECEIVERS = new Set(["focal-point", "legal"]);
// Which screen each navigation button opens, and which roles see it (null: always there).
const PLACES = [
  ["nav-list", "list", null], ["nav-new", "form", null], ["nav-sync", "sync", null], ["nav-settings", "settings", null],
  ["nav-contacts", "contacts", () => true],
  ["nav-inbox", "inbox", (role) => RECEIVERS.has(role)],
  ["nav-cases", "cases", (role) => RECEIVERS.has(role)],
  ["nav-statistics", "statistics", (role) => RECEIVERS.has(role)],
  ["nav-checkin", "checkin", (role) => role === "delegate"],
];

export function mountSession(bar, { sharingBar, onQuickExit, onLock, onNavigate }) {
  const $ = (id) => bar.querySelector(`#${id}`) || sharingBar.querySelector(`#${id}`);
  $("quick-exit").addEventListener("click", onQuickExit);
  $("lock").addEventListener("click", onLock);
  for (const [id, screen] of PLACES) $(id).addEventListener("click", () => onNavigate(screen));
  let role = null; // of the enrolled account; null without one

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
      sharingBar.hidden = !value || !role;
    },
    /** Shows the places of the account's role (none without an account). */
    async refreshRole() {
      try {
        const s = await account.status();
        role = s && s.enrolled ? String(s.role || "") : null;
      } catch {
        role = null;
      }
      for (const [id, , shownTo] of PLACES) if (shownTo) $(id).hidden = !role || !shownTo(role);
      sharingBar.hidden = !active || !role;
    },
    /** Marks the button of the screen on show (the detail of an inbox report counts as Inbox). */
    setCurrent(screen) {
      for (const [id, place] of PLACES) {
        if (place === screen) $(id).setAttribute("aria-current", "page");
        else $(id).removeAttribute("aria-current");
      }
    },
  };
}
