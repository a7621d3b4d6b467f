// "Sync": what "Sync now" will send (counted before anything leaves the phone), the button
// itself, progress by phase, and the result — all in one role="status" region. Errors that
// need a decision (the server could not prove it stored the data; the server is not the one
// pinned; this device was revoked) are shown apart, as alerts. Also: Devices, Prepare for
// crossing, Sign out. Nothing here ever syncs without the tap.
import * as account from "../sync/index.js";
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import {
  OFFLINE, SERIOUS, accountErrorCode, accountErrorKey, conflictCount, formatNumber, formatSize, knownOffline, plural,
} from "./account-text.js";
import { button, el, liveRegion, onLanguageChange, progressBar, say, setText } from "./dom.js";

const PHASE_KEYS = {
  upload: "sync.phase.upload",
  records: "sync.phase.records",
  pull: "sync.phase.pull",
  download: "sync.phase.download",
};

/** "3 incidents and 2 attachments, 4.1 MB" (or without attachments), in the current language. */
export function describePlan(plan) {
  const records = Number(plan && plan.records) || 0;
  const attachments = Number(plan && plan.attachments) || 0;
  if (!records && !attachments) return t("sync.plan.nothing");
  const vars = { records: plural("count.records", records), size: formatSize(plan.bytes) };
  if (!attachments) return t("sync.plan.records", vars);
  return t("sync.plan.both", { ...vars, attachments: plural("count.attachments", attachments) });
}

export function syncScreen(ctx, { notice = null } = {}) {
  const who = el("p", { className: "account-who" });
  const plan = el("p", { className: "plan" });
  const status = liveRegion("status");
  status.classList.add("sync-status");
  const error = liveRegion("alert");
  const progress = progressBar("sync.progress");
  progress.bar.hidden = true;
  const syncButton = button("sync.now", () => run(), "button primary block");
  const signOutButton = button("sync.signout", () => signOut());
  const devicesButton = button("sync.devices", () => ctx.go("devices"));
  const crossingButton = button("sync.crossing", () => ctx.go("crossing"), "button block");
  const accountTools = el("div", {}, [
    el("h3", { i18n: "sync.account" }),
    who,
    el("div", { className: "actions" }, [devicesButton, signOutButton]),
    el("h3", { i18n: "sync.crossing.title" }),
    el("p", { i18n: "sync.crossing.intro" }),
    crossingButton,
  ]);
  const notEnrolled = el("p", { className: "message", i18n: "sync.notenrolled" });
  notEnrolled.hidden = true;
  // An enrolment cut half-way (killed, offline) is finished with the same username.
  let pendingName = "";
  const finish = button("sync.finish", () => ctx.go("enrol", { username: pendingName }), "button primary block");
  finish.hidden = true;

  let lastPlan = null;
  let lastResult = null;
  let running = false;

  // Texts built from counts are rebuilt when the language changes (plural forms differ).
  function showPlan() {
    if (lastPlan) plan.textContent = describePlan(lastPlan);
  }

  function showResult() {
    if (!lastResult) return;
    const { sent, received, conflicts } = lastResult;
    const vars = { sent: formatNumber(sent), received: formatNumber(received) };
    if (conflicts) say(status, "sync.done.conflicts", { ...vars, conflicts: plural("count.conflicts", conflicts) });
    else say(status, "sync.done", vars);
  }

  async function refresh() {
    try {
      const s = await account.status();
      const enrolled = Boolean(s && s.enrolled);
      pendingName = String((s && s.username) || "");
      finish.hidden = !(s && s.pendingEnrolment);
      notEnrolled.hidden = enrolled || !finish.hidden;
      syncButton.hidden = !enrolled;
      plan.hidden = !enrolled;
      accountTools.hidden = !enrolled;
      if (!enrolled) return;
      // Whether a server session is alive is not known here after a reload (the cookie is
      // HttpOnly), so "Sign out" is always offered: it ends the session if there is one.
      setText(who, "sync.who", {
        username: String(s.username || ""), device: String((s.device && s.device.name) || ""),
      });
      lastPlan = await account.plan();
      showPlan();
    } catch (e) {
      showError(e);
    }
  }

  function showError(e) {
    const code = accountErrorCode(e);
    say(error, accountErrorKey(e));
    error.classList.toggle("serious", SERIOUS.has(code));
  }

  let phase = null;
  function onProgress(p) {
    progress.update(p);
    try { vault.touch(); } catch { /* locked meanwhile: the sync will say so */ }
    const next = p && PHASE_KEYS[p.phase];
    if (next && next !== phase) {
      phase = next;
      say(status, next);
    }
  }

  async function run() {
    if (running) return;
    if (knownOffline()) {
      lastResult = null;
      say(status, null);
      showError(OFFLINE);
      status.dataset.outcome = "error";
      return;
    }
    running = true;
    phase = null;
    lastResult = null;
    delete status.dataset.outcome;
    say(error, null);
    error.classList.remove("serious");
    syncButton.disabled = true;
    progress.bar.hidden = false;
    progress.update(null);
    say(status, "sync.working");
    try {
      const result = await account.syncNow({ onProgress });
      lastResult = {
        sent: Number(result && result.sent && result.sent.records) || 0,
        received: Number(result && result.received && result.received.records) || 0,
        conflicts: conflictCount(result && result.conflicts),
      };
      showResult();
      status.dataset.outcome = lastResult.conflicts ? "conflicts" : "done";
    } catch (e) {
      lastResult = null;
      say(status, null);
      showError(e);
      status.dataset.outcome = "error";
    } finally {
      running = false;
      syncButton.disabled = false;
      progress.bar.hidden = true;
      await refresh();
    }
  }

  async function signOut() {
    say(error, null);
    try {
      await account.signOut();
      lastResult = null;
      say(status, "sync.signedout");
      await refresh();
      syncButton.focus();
    } catch (e) {
      showError(e);
    }
  }

  const node = el("section", { className: "card", "aria-labelledby": "sync-title" }, [
    el("h2", { id: "sync-title", i18n: "sync.title" }),
    el("div", { className: "stack" }, [
      notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
      el("p", { className: "message", i18n: "sync.intro" }),
      notEnrolled,
      finish,
      plan,
      syncButton,
      progress.bar,
      status,
      error,
    ]),
    accountTools,
  ]);
  refresh();
  const stop = onLanguageChange(() => { showPlan(); showResult(); });
  return { node, dispose: stop };
}
