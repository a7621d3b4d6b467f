// Composition root: wires the store, the catalogs, the service worker, the vault and the screens.
import { pickLanguage, setTitleKey, t, useLanguage } from "./i18n.js";
import { getPreference } from "./store/db.js";
import { registerWorker } from "./sw-client.js";
import * as account from "./sync/index.js";
import * as vault from "./vault/index.js";
import { appNameKey, loadAppearance } from "./ui/appearance.js";
import { caseScreen } from "./ui/case.js";
import { casesScreen } from "./ui/cases.js";
import { checkinScreen } from "./ui/checkin.js";
import { contactVerifyScreen } from "./ui/contact-verify.js";
import { contactsScreen } from "./ui/contacts.js";
import { createVaultScreen } from "./ui/create-vault.js";
import { crossingScreen } from "./ui/crossing.js";
import { devicesScreen } from "./ui/devices.js";
import { emergencyKitScreen } from "./ui/emergency-kit.js";
import { enrolScreen } from "./ui/enrol.js";
import { exportScreen } from "./ui/export.js";
import { incidentDetailScreen } from "./ui/incident-detail.js";
import { incidentFormScreen } from "./ui/incident-form.js";
import { inboxScreen } from "./ui/inbox.js";
import { incidentListScreen } from "./ui/incident-list.js";
import { mountLanguagePicker } from "./ui/language-picker.js";
import { neutralScreen } from "./ui/neutral.js";
import { referScreen } from "./ui/refer.js";
import { reportScreen } from "./ui/report.js";
import { restoreScreen } from "./ui/restore.js";
import { createRouter } from "./ui/router.js";
import { mountSession } from "./ui/session.js";
import { settingsScreen } from "./ui/settings.js";
import { shareScreen } from "./ui/share.js";
import { signInScreen } from "./ui/sign-in.js";
import { statisticsScreen } from "./ui/statistics.js";
import { syncScreen } from "./ui/sync.js";
import { showRefusal, showReleaseFacts, showUpdateBanner } from "./ui/update-banner.js";
import { mountConnectionStatus, showVersion } from "./ui/status.js";
import { unlockScreen } from "./ui/unlock.js";
import { workingCopyScreen } from "./ui/working-copy.js";

const $ = (id) => document.getElementById(id);

// Which screens need the vault unlocked, which show the welcome text, and which navigation
// place is current while they are shown (by default the screen's own name).
const SCREENS = {
  create: { build: createVaultScreen, welcome: true },
  restore: { build: restoreScreen },
  kit: { build: emergencyKitScreen, unlocked: true },
  unlock: { build: unlockScreen },
  list: { build: incidentListScreen, unlocked: true },
  form: { build: incidentFormScreen, unlocked: true },
  detail: { build: incidentDetailScreen, unlocked: true, place: "list" },
  settings: { build: settingsScreen, unlocked: true },
  neutral: { build: neutralScreen, neutral: true },
  // Accounts and sync (issue 5)
  signin: { build: signInScreen },
  enrol: { build: enrolScreen, unlocked: true },
  sync: { build: syncScreen, unlocked: true },
  devices: { build: devicesScreen, unlocked: true },
  crossing: { build: crossingScreen, unlocked: true },
  // Sharing, inbox, check-ins (issue 6)
  contacts: { build: contactsScreen, unlocked: true },
  contact: { build: contactVerifyScreen, unlocked: true, place: "contacts" },
  share: { build: shareScreen, unlocked: true, place: "list" },
  inbox: { build: inboxScreen, unlocked: true },
  report: { build: reportScreen, unlocked: true, place: "inbox" },
  checkin: { build: checkinScreen, unlocked: true },
  statistics: { build: statisticsScreen, unlocked: true },
  // Legal supporters: referral, case review, working copies, evidence bundles (issue 7)
  refer: { build: referScreen, unlocked: true, place: "inbox" },
  cases: { build: casesScreen, unlocked: true },
  case: { build: caseScreen, unlocked: true, place: "cases" },
  working: { build: workingCopyScreen, unlocked: true, place: "cases" },
  export: { build: exportScreen, unlocked: true, place: "cases" },
};

function startScreens() {
  const router = createRouter($("screen"));
  let flush = null;
  let current = null;
  let inviteOpen = true; // until the account is created or the invite is refused

  const go = (name, params = {}) => {
    const spec = SCREENS[name];
    current = name;
    session.setActive(Boolean(spec.unlocked));
    session.setCurrent(spec.place || name);
    // The account (and so its role's places) can appear on any screen: after Create account, a
    // sign-in or a sync. Reading it is local and quick.
    if (spec.unlocked) session.refreshRole();
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

  // Removes the screens and the session bar before the vault's storage goes away (a wipe or
  // Prepare for crossing): the lock that follows must not open Unlock, which reopens storage.
  function teardown() {
    flush = null;
    current = null;
    session.setActive(false);
    router.clear();
  }

  const ctx = {
    t,
    go,
    setFlush(fn) { flush = fn; },
    async unlocked() {
      await session.refreshPolicy();
      // An invite link brought the delegate here: create the account before anything else.
      if (inviteOpen && await Promise.resolve(account.pendingInvite()).catch(() => false)) {
        go("enrol");
        return;
      }
      const draft = await Promise.resolve(vault.loadDraft()).catch(() => null);
      if (draft && draft.content) go("form", { draft });
      else go("list");
    },
    inviteSettled() { inviteOpen = false; },
    async signedIn(result) {
      await session.refreshPolicy();
      // Attachments a cut connection left behind come down with the next "Sync now".
      go("list", { notice: result && result.pendingAttachments ? "signin.done.pending" : "signin.done" });
    },
    // Throws (and deletes nothing) if the service cannot prove the server holds everything.
    async prepareForCrossing({ onProgress }) {
      const screen = current;
      current = null; // while the local database is removed, a lock must not open Unlock
      try {
        await account.prepareForCrossing({ onProgress });
      } catch (error) {
        const state = await vault.state(); // a lock (idle, Quick exit) may have come meanwhile
        if (state === "unlocked") current = screen;
        else go(state === "none" ? "create" : "unlock");
        throw error;
      }
      teardown();
      go("create", { notice: "crossing.done" });
    },
    policyChanged() { session.refreshPolicy(); },
    async wipe() {
      teardown();
      await vault.wipe();
      go("create", { notice: "wipe.done" });
    },
    async leaveNeutral() {
      go((await vault.state()) === "none" ? "create" : "unlock");
    },
  };

  const session = mountSession($("session"), {
    sharingBar: $("sharing-nav"),
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
  // The language actually in use: English if the chosen one's catalog cannot be read.
  const language = await useLanguage(pickLanguage(await getPreference("language")));
  await loadAppearance();
  mountLanguagePicker($("language"), language);
  mountConnectionStatus($("connection"));
  // "#invite=…" is read once and removed from the address bar before anything else runs.
  const invited = account.takeInviteFromUrl();
  const { go, session } = startScreens();
  const state = await vault.state();
  if (state === "unlocked") {
    await session.refreshPolicy();
    go(invited ? "enrol" : "list");
  } else if (state === "locked") {
    go("unlock", { notice: invited ? "unlock.invite" : null });
  } else {
    go("create", { notice: invited ? "create.invite" : null });
  }
  await registerWorker({
    onUpdateReady: (apply) => showUpdateBanner($("update-banner"), apply),
    onVersion: (release) => {
      showVersion($("about-version"), $("about-offline"), release.version);
      showReleaseFacts($("about-manifest"), $("about-key"), release);
    },
    onRefused: (refusal) => showRefusal($("release-warning"), refusal),
  });
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  // Never show a raw exception to the user; the console keeps it for the developer.
  console.error("start failed:", error.name);
});
