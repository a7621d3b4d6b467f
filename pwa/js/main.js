// Composition root: wires the store, the catalogs, the service worker, the vault and the screens.
import { pickLanguage, setTitleKey, t, useLanguage } from "./i18n.js";
import { getPreference } from "./store/db.js";
import { registerWorker } from "./sw-client.js";
import * as vault from "./vault/index.js";
import { appNameKey, loadAppearance } from "./ui/appearance.js";
import { createVaultScreen } from "./ui/create-vault.js";
import { emergencyKitScreen } from "./ui/emergency-kit.js";
import { incidentDetailScreen } from "./ui/incident-detail.js";
import { incidentFormScreen } from "./ui/incident-form.js";
import { incidentListScreen } from "./ui/incident-list.js";
import { mountLanguagePicker } from "./ui/language-picker.js";
import { neutralScreen } from "./ui/neutral.js";
import { restoreScreen } from "./ui/restore.js";
import { createRouter } from "./ui/router.js";
import { mountSession } from "./ui/session.js";
import { settingsScreen } from "./ui/settings.js";
import { showUpdateBanner } from "./ui/update-banner.js";
import { mountConnectionStatus, showVersion } from "./ui/status.js";
import { unlockScreen } from "./ui/unlock.js";

const $ = (id) => document.getElementById(id);

// Which screens need the vault unlocked, which show the welcome text.
const SCREENS = {
  create: { build: createVaultScreen, welcome: true },
  restore: { build: restoreScreen },
  kit: { build: emergencyKitScreen, unlocked: true },
  unlock: { build: unlockScreen },
  list: { build: incidentListScreen, unlocked: true },
  form: { build: incidentFormScreen, unlocked: true },
  detail: { build: incidentDetailScreen, unlocked: true },
  settings: { build: settingsScreen, unlocked: true },
  neutral: { build: neutralScreen, neutral: true },
};

function startScreens() {
  const router = createRouter($("screen"));
  let flush = null;
  let current = null;

  const go = (name, params = {}) => {
    const spec = SCREENS[name];
    current = name;
    session.setActive(Boolean(spec.unlocked));
    $("welcome").hidden = !spec.welcome;
    document.body.classList.toggle("neutral", Boolean(spec.neutral));
    router.show(name, spec.build, ctx, params);
    setTitleKey(spec.neutral ? "neutral.title" : appNameKey());
  };

  // Saves what is being typed (at most a short wait), then drops the keys.
  async function lockNow(then, params = {}) {
    const pending = flush;
    flush = null;
    if (then) go(then, params); // the content leaves the screen first
    if (pending) await Promise.race([pending(), new Promise((r) => setTimeout(r, 1500))]).catch(() => {});
    await vault.lock();
  }

  const ctx = {
    t,
    go,
    setFlush(fn) { flush = fn; },
    async unlocked() {
      await session.refreshPolicy();
      const draft = await Promise.resolve(vault.loadDraft()).catch(() => null);
      if (draft && draft.content) go("form", { draft });
      else go("list");
    },
    policyChanged() { session.refreshPolicy(); },
    async wipe() {
      flush = null;
      current = null; // the vault's lock event must not open Unlock (it would reopen storage)
      session.setActive(false);
      router.clear();
      await vault.wipe();
      go("create", { notice: "wipe.done" });
    },
    async leaveNeutral() {
      go((await vault.state()) === "none" ? "create" : "unlock");
    },
  };

  const session = mountSession($("session"), {
    onQuickExit: () => lockNow("neutral"),
    onLock: () => lockNow("unlock"),
    onNavigate: (name) => go(name),
  });

  // Idle lock, wipe-after-N and wipes from elsewhere: whatever locked the vault, hide everything.
  vault.onLock(() => {
    flush = null;
    if (current && SCREENS[current].unlocked) go("unlock", { notice: "unlock.locked" });
  });

  return { go, session };
}

async function start() {
  const language = pickLanguage(await getPreference("language"));
  await useLanguage(language);
  await loadAppearance();
  mountLanguagePicker($("language"), language);
  mountConnectionStatus($("connection"));
  const { go, session } = startScreens();
  const state = await vault.state();
  if (state === "unlocked") {
    await session.refreshPolicy();
    go("list");
  } else {
    go(state === "locked" ? "unlock" : "create");
  }
  await registerWorker({
    onUpdateReady: (apply) => showUpdateBanner($("update-banner"), apply),
    onVersion: (version) => showVersion($("about-version"), $("about-offline"), version),
  });
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  // Never show a raw exception to the user; the console keeps it for the developer.
  console.error("start failed:", error.name);
});
