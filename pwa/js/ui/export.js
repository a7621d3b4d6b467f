// "Export evidence bundle" of a case: one ZIP file with every record, its signature and server
// receipt, the decrypted originals, a readable report and a manifest, that anyone can check on
// a computer without the internet (`safepassage verify`). The bundle holds the evidence in
// readable form, so "Encrypt for transport" (on by default) seals it under a passphrase the
// recipient is told another way. The file is built on this phone, then saved through an
// <a download> from a blob: URL that is revoked when the screen closes. The export itself is a
// custody event: the others on the case see who exported what, after the next "Sync now".
import * as legal from "../legal/index.js";
import { currentLanguage } from "../i18n.js";
import { button, el, field, liveRegion, ltr, progressBar, progressFraction, say, setText, uid } from "./dom.js";
import { formatNumber } from "./account-text.js";
import { passphraseStrength } from "./create-vault.js";
import { isolate, legalErrorKey } from "./legal-text.js";

// The service reports each phase from 0 to its total ({phase, done, total}); the bar shows the
// whole export, so each phase gets its share of it (encryption is as long as the zip itself).
const PHASES = {
  plain: { records: [0, 0.8], seal: [0.8, 0.85], zip: [0.85, 1] },
  encrypted: { records: [0, 0.6], seal: [0.6, 0.65], zip: [0.65, 0.75], encrypt: [0.75, 1] },
};

function overall(p, encrypted) {
  const f = progressFraction(p);
  const span = p && typeof p === "object" ? PHASES[encrypted ? "encrypted" : "plain"][p.phase] : null;
  if (f === null || !span) return f;
  return span[0] + (span[1] - span[0]) * Math.min(1, Math.max(0, f));
}

export function exportScreen(ctx, { caseId, title = "" }) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const progress = progressBar("export.progress");
  progress.bar.hidden = true;
  const percent = el("p", { className: "hint export-percent", hidden: true });
  const encrypt = el("input", { type: "checkbox", name: "encrypt", id: uid("encrypt") });
  encrypt.checked = true;
  const pass = el("input", { type: "password", name: "bundle-passphrase", autocomplete: "new-password" });
  const again = el("input", { type: "password", name: "bundle-passphrase-confirm", autocomplete: "new-password" });
  const passFields = el("div", { className: "stack" }, [
    field("export.passphrase", pass, "export.passphrase.hint"),
    field("export.confirm", again),
  ]);
  encrypt.addEventListener("change", () => { passFields.hidden = !encrypt.checked; });
  const submit = button("export.submit", () => run(), "button primary block");
  const result = el("div", { className: "export-result stack", hidden: true });
  let url = null;

  function showProgress(p) {
    const f = overall(p, encrypt.checked);
    progress.update(f);
    percent.hidden = f === null;
    if (f !== null) setText(percent, "export.percent", { n: formatNumber(Math.round(Math.min(1, Math.max(0, f)) * 100)) });
  }

  function done({ blob, filename }, encrypted) {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(blob);
    const name = String(filename || (encrypted ? "evidence.sp1sealed" : "evidence.zip"));
    const link = el("a", { className: "button primary", download: name, href: url });
    setText(link, "export.download", { name: isolate(name) });
    result.replaceChildren(
      setText(el("p", { className: "message success" }), "export.done", { name: isolate(name) }),
      el("div", { className: "actions" }, [link]),
      // The verifier's option stays one left-to-right word in <code>, never broken after "--".
      setText(el("p"), encrypted ? "export.verify.encrypted" : "export.verify", { option: ltr("--passphrase-file", { code: true }) }),
      el("pre", { className: "command", dir: "ltr", text: `safepassage verify ${name}` }),
      el("p", { className: "hint", i18n: "export.recorded" }),
    );
    result.hidden = false;
    link.click(); // the download starts at once; the link stays for another copy
  }

  async function run() {
    say(error, null);
    const encrypted = encrypt.checked;
    // The rule of every passphrase in the app: at least 4 words or 12 characters.
    if (encrypted && !passphraseStrength(pass.value).acceptable) { say(error, "export.error.short"); pass.focus(); return; }
    if (encrypted && pass.value !== again.value) { say(error, "export.error.mismatch"); again.focus(); return; }
    submit.disabled = true;
    encrypt.disabled = true;
    result.hidden = true;
    progress.bar.hidden = false;
    showProgress(null);
    say(status, "export.working");
    try {
      const built = await legal.exportBundle(caseId, {
        lang: currentLanguage(), // the report and README in the language the person reads the app in
        passphrase: encrypted ? pass.value : null,
        onProgress: showProgress,
      });
      showProgress(1);
      say(status, "export.ready");
      pass.value = "";
      again.value = "";
      done(built, encrypted);
    } catch (e) {
      say(status, null);
      say(error, legalErrorKey(e));
      progress.bar.hidden = true;
      percent.hidden = true;
    } finally {
      submit.disabled = false;
      encrypt.disabled = false;
    }
  }

  const shownTitle = typeof title === "string" && title.trim() ? el("p", { className: "version-title" }, [el("bdi", { text: title.trim() })])
    : el("p", { className: "version-title", i18n: "cases.untitled" });
  const node = el("section", { className: "card export", "aria-labelledby": "export-title" }, [
    el("h2", { id: "export-title", i18n: "export.title" }),
    shownTitle,
    el("p", { i18n: "export.intro" }),
    el("p", { className: "warning", i18n: "export.readable" }),
    el("div", { className: "check" }, [encrypt, el("label", { for: encrypt.id, i18n: "export.encrypt" })]),
    passFields,
    submit,
    progress.bar,
    percent,
    status,
    error,
    result,
    el("div", { className: "actions" }, [button("export.back", () => ctx.go("case", { caseId }))]),
  ]);
  return {
    node,
    dispose() {
      if (url) URL.revokeObjectURL(url);
      url = null;
      pass.value = "";
      again.value = "";
    },
  };
}
