// "Restore from a backup": on an empty device, a backup file plus the passphrase and Secret Key
// it was made with. The offline path to a second device until sync exists.
import * as vault from "../vault/index.js";
import { button, el, errorCode, field, liveRegion, progressBar, say, startBusy } from "./dom.js";

export function restoreScreen(ctx) {
  const file = el("input", { type: "file", name: "backup", accept: ".spbackup,application/octet-stream" });
  const pass = el("input", { type: "password", name: "passphrase", autocomplete: "current-password" });
  const key = el("input", { type: "text", name: "secret", autocomplete: "off", spellcheck: "false", dir: "ltr" });
  const error = liveRegion("alert");
  const status = liveRegion("status");
  const progress = progressBar("restore.progress");
  progress.bar.hidden = true;
  const submit = el("button", { type: "submit", className: "button primary", i18n: "restore.submit" });

  const form = el("form", { className: "stack", novalidate: true }, [
    field("restore.file", file),
    field("restore.passphrase", pass),
    field("restore.secret", key, "restore.secret.hint"),
    error, submit, progress.bar, status,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    if (!file.files.length || !pass.value || !key.value.trim()) {
      say(error, "restore.error.missing");
      return;
    }
    const stopBusy = startBusy({ submit, progress, status }, "restore.working");
    try {
      await vault.importBackup(file.files[0], pass.value, key.value.trim(), { onProgress: progress.update });
      pass.value = "";
      key.value = "";
      await ctx.unlocked();
    } catch (e) {
      stopBusy();
      say(error, `error.${errorCode(e)}`);
    }
  });

  const node = el("section", { className: "card", "aria-labelledby": "restore-title" }, [
    el("h2", { id: "restore-title", i18n: "restore.title" }),
    el("p", { i18n: "restore.intro" }),
    form,
    button("restore.back", () => ctx.go("create")),
  ]);
  return { node, dispose() { pass.value = ""; key.value = ""; } };
}
