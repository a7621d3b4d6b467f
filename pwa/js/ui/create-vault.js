// "Create vault": a passphrase (with a strength meter and a minimum), confirmed, then Argon2id
// runs in a Worker with a progress bar; the Emergency Kit follows.
import * as vault from "../vault/index.js";
import { button, el, errorCode, field, liveRegion, progressBar, say, startBusy } from "./dom.js";

const MIN_WORDS = 4;
const MIN_CHARS = 12;

/** A rough estimate, in bits, that rewards length and separate words over symbol tricks. */
export function passphraseStrength(text) {
  const value = text.normalize("NFKC");
  const words = value.trim().split(/\s+/u).filter(Boolean).length;
  const chars = [...value].length;
  let pool = 0;
  if (/\p{Ll}/u.test(value)) pool += 26;
  if (/\p{Lu}/u.test(value)) pool += 26;
  if (/\p{N}/u.test(value)) pool += 10;
  if (/[^\p{L}\p{N}\s]/u.test(value)) pool += 20;
  if (/[^\u0000-\u024f\s]/u.test(value)) pool += 36; // other scripts (Arabic, ...)
  if (/\s/u.test(value)) pool += 1;
  let bits = chars * Math.log2(Math.max(pool, 1)) * 0.6; // people do not pick characters at random
  if (words >= 2) bits = Math.max(bits, words * 11);
  if (/^(.)\1*$/u.test(value)) bits = Math.min(bits, 4);
  const acceptable = words >= MIN_WORDS || chars >= MIN_CHARS;
  let level = 0;
  if (acceptable) level = bits >= 70 ? 4 : bits >= 55 ? 3 : bits >= 40 ? 2 : 1;
  return { acceptable, level, bits };
}

const LEVEL_KEYS = ["strength.short", "strength.weak", "strength.fair", "strength.strong", "strength.very"];

// After a wipe or Prepare for crossing the message itself says the phone once held reports: it
// must not stay on screen for whoever picks the phone up next. It hides on "Hide this message"
// or after a minute, whichever comes first.
const TRACE_NOTICES = new Set(["crossing.done", "wipe.done"]);
const TRACE_NOTICE_MS = 60000;

function noticeBlock(notice) {
  const text = el("p", { className: "message", role: "status", i18n: notice });
  if (!TRACE_NOTICES.has(notice)) return text;
  const block = el("div", { className: "stack notice" }, [text]);
  const hide = () => block.remove();
  block.append(button("notice.hide", hide));
  setTimeout(hide, TRACE_NOTICE_MS);
  return block;
}

export function createVaultScreen(ctx, { notice = null } = {}) {
  const pass = el("input", { type: "password", autocomplete: "new-password", name: "passphrase", required: true });
  const confirm = el("input", { type: "password", autocomplete: "new-password", name: "confirm", required: true });
  const meter = el("meter", { min: "0", max: "4", low: "2", high: "3", optimum: "4", value: "0", i18nLabel: "create.strength" });
  const meterText = el("p", { className: "strength", "aria-live": "polite", i18n: LEVEL_KEYS[0] });
  const error = liveRegion("alert");
  const status = liveRegion("status");
  vault.prepareToDerive();
  const progress = progressBar("create.progress");
  progress.bar.hidden = true;
  const submit = el("button", { type: "submit", className: "button primary", i18n: "create.submit" });

  pass.addEventListener("input", () => {
    const s = passphraseStrength(pass.value);
    meter.value = s.level;
    meterText.dataset.i18n = LEVEL_KEYS[s.level];
    meterText.textContent = ctx.t(LEVEL_KEYS[s.level]);
    meterText.dataset.level = String(s.level);
  });

  const form = el("form", { className: "stack", novalidate: true }, [
    field("create.passphrase", pass, "create.rule"),
    el("div", { className: "meter" }, [meter, meterText]),
    field("create.confirm", confirm),
    error,
    submit,
    progress.bar,
    status,
  ]);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    if (!passphraseStrength(pass.value).acceptable) {
      say(error, "create.error.short");
      pass.focus();
      return;
    }
    if (pass.value !== confirm.value) {
      say(error, "create.error.mismatch");
      confirm.focus();
      return;
    }
    const stopBusy = startBusy({ submit, progress, status }, "create.working");
    try {
      const { secretKeyText } = await vault.createVault(pass.value, { onProgress: progress.update });
      pass.value = "";
      confirm.value = "";
      vault.requestPersistence().catch(() => false);
      ctx.go("kit", { secretKeyText });
    } catch (e) {
      stopBusy();
      say(error, `error.${errorCode(e)}`);
    }
  });

  const node = el("section", { className: "card", "aria-labelledby": "create-title" }, [
    el("h2", { id: "create-title", i18n: "create.title" }),
    notice ? noticeBlock(notice) : null,
    el("p", { i18n: "create.intro" }),
    form,
    el("div", { className: "alt" }, [
      el("p", { i18n: "create.signin.intro" }),
      button("create.signin", () => ctx.go("signin")),
    ]),
    el("div", { className: "alt" }, [
      el("p", { i18n: "create.restore.intro" }),
      button("restore.open", () => ctx.go("restore")),
    ]),
  ]);
  return { node };
}
