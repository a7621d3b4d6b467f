// "Unlock": the passphrase, Argon2id with progress, and the failed-attempt counter (with the
// remaining attempts before this device wipes itself, if the delegate chose that).
import * as vault from "../vault/index.js";
import { el, errorCode, field, liveRegion, progressBar, say, startBusy } from "./dom.js";

export function unlockScreen(ctx, { notice = null } = {}) {
  const pass = el("input", { type: "password", autocomplete: "current-password", name: "passphrase", required: true });
  const error = liveRegion("alert");
  const status = liveRegion("status");
  const counter = el("p", { className: "counter", role: "status" });
  const progress = progressBar("unlock.progress");
  progress.bar.hidden = true;
  const submit = el("button", { type: "submit", className: "button primary", i18n: "unlock.submit" });
  vault.prepareToDerive();

  async function showCounter() {
    try {
      const { failures, wipeAfter } = await vault.unlockPolicy();
      if (!failures) return say(counter, null);
      if (wipeAfter > 0) {
        say(counter, "unlock.failures.wipe", { failures, left: Math.max(0, wipeAfter - failures) });
      } else {
        say(counter, "unlock.failures", { failures });
      }
    } catch {
      say(counter, null);
    }
  }

  const form = el("form", { className: "stack", novalidate: true }, [
    field("unlock.passphrase", pass),
    error,
    counter,
    submit,
    progress.bar,
    status,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    if (!pass.value) {
      say(error, "unlock.error.empty");
      pass.focus();
      return;
    }
    const stopBusy = startBusy({ submit, progress, status }, "unlock.working");
    try {
      await vault.unlock(pass.value, { onProgress: progress.update });
      pass.value = "";
      await ctx.unlocked();
    } catch (e) {
      const code = errorCode(e);
      stopBusy();
      if (code === "wiped" || code === "no-vault") {
        ctx.go("create", { notice: "unlock.wiped" });
        return;
      }
      say(error, `error.${code}`);
      pass.select();
      pass.focus();
      await showCounter();
    }
  });

  const noticeNode = notice ? el("p", { className: "message", role: "status", i18n: notice }) : null;
  showCounter();
  const node = el("section", { className: "card", "aria-labelledby": "unlock-title" }, [
    el("h2", { id: "unlock-title", i18n: "unlock.title" }),
    noticeNode,
    el("p", { i18n: "unlock.intro" }),
    form,
  ]);
  return { node, dispose() { pass.value = ""; } };
}
