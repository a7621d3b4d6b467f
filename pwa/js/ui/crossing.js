// "Prepare for crossing": send everything, check the server's signed receipt for every record
// and attachment, and only then remove everything from this phone. After the border, "Sign in"
// brings it all back. If any check fails nothing is deleted, and the screen says so.
import * as account from "../sync/index.js";
import * as vault from "../vault/index.js";
import { OFFLINE, accountErrorKey, knownOffline } from "./account-text.js";
import { button, el, liveRegion, progressBar, say, setText } from "./dom.js";

const PHASE_KEYS = {
  upload: "crossing.phase.send",
  records: "crossing.phase.send",
  pull: "crossing.phase.pull",
  download: "crossing.phase.pull",
  verify: "crossing.phase.verify",
  delete: "crossing.phase.delete",
};

export function crossingScreen(ctx) {
  const status = liveRegion("status");
  // On failure: "nothing was deleted" first, then why. Two lines, each re-translated on its own.
  const kept = el("p", { className: "message" });
  const reason = el("p", { className: "message" });
  const error = el("div", { className: "message error serious", role: "alert", "aria-live": "assertive" }, [kept, reason]);
  error.hidden = true;
  const clearError = () => { error.hidden = true; say(kept, null); say(reason, null); };
  const progress = progressBar("crossing.progress");
  progress.bar.hidden = true;
  const username = el("p", { className: "account-who" });

  const confirm = el("div", { className: "confirm", hidden: true }, [
    el("p", { className: "warning", id: "crossing-warning", i18n: "crossing.confirm.text" }),
    el("div", { className: "actions" }, [
      el("button", {
        type: "button", className: "button danger", i18n: "crossing.confirm.yes",
        "aria-describedby": "crossing-warning", onclick: () => run(),
      }),
      button("crossing.confirm.cancel", () => { confirm.hidden = true; start.setAttribute("aria-expanded", "false"); start.focus(); }),
    ]),
  ]);
  const start = el("button", {
    type: "button", className: "button primary block", i18n: "crossing.start", "aria-expanded": "false",
    onclick: () => {
      clearError();
      confirm.hidden = false;
      start.setAttribute("aria-expanded", "true");
      confirm.querySelector("button").focus();
    },
  });

  let phase = null;
  function onProgress(p) {
    progress.update(p);
    try { vault.touch(); } catch { /* locked meanwhile: the service will say so */ }
    const next = p && PHASE_KEYS[p.phase];
    if (next && next !== phase) {
      phase = next;
      say(status, next);
    }
  }

  async function run() {
    if (knownOffline()) {
      confirm.hidden = true;
      start.setAttribute("aria-expanded", "false");
      error.hidden = false;
      say(kept, "crossing.failed");
      say(reason, accountErrorKey(OFFLINE));
      start.focus();
      return;
    }
    for (const b of node.querySelectorAll("button")) b.disabled = true;
    confirm.hidden = true;
    progress.bar.hidden = false;
    progress.update(null);
    phase = null;
    say(status, "crossing.working");
    try {
      await ctx.prepareForCrossing({ onProgress });
      // ctx has shown the empty app by now.
    } catch (e) {
      for (const b of node.querySelectorAll("button")) b.disabled = false;
      start.setAttribute("aria-expanded", "false");
      progress.bar.hidden = true;
      say(status, null);
      // Whatever went wrong, the delegate must know first that the phone still has everything.
      error.hidden = false;
      say(kept, "crossing.failed");
      say(reason, accountErrorKey(e));
      start.focus();
    }
  }

  const node = el("section", { className: "card", "aria-labelledby": "crossing-title" }, [
    el("h2", { id: "crossing-title", i18n: "crossing.title" }),
    el("p", { i18n: "crossing.intro" }),
    el("ol", { className: "steps" }, [
      el("li", { i18n: "crossing.step.send" }),
      el("li", { i18n: "crossing.step.check" }),
      el("li", { i18n: "crossing.step.remove" }),
    ]),
    el("p", { i18n: "crossing.after" }),
    el("div", { className: "advice important" }, [
      el("p", { i18n: "crossing.need" }),
      username,
      el("p", { className: "kit-warning", i18n: "crossing.kit" }),
    ]),
    start,
    confirm,
    progress.bar,
    status,
    error,
    el("div", { className: "actions" }, [button("crossing.back", () => ctx.go("sync"))]),
  ]);

  Promise.resolve(account.status()).then((s) => {
    if (s && s.enrolled) {
      setText(username, "crossing.username", { username: String(s.username || "") });
    } else {
      start.hidden = true;
      error.hidden = false;
      say(reason, "account.error.not-enrolled");
    }
  }).catch(() => {});

  return { node };
}
