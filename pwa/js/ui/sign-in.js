// "Sign in" on a phone with no vault: Username, Passphrase and the Secret Key from the Emergency
// Kit. Argon2id runs first (seconds), then everything the account holds comes down from the
// server, with progress. Every wrong combination gets the same neutral sentence.
import * as account from "../sync/index.js";
import { OFFLINE, SERIOUS, accountErrorCode, accountErrorKey, knownOffline } from "./account-text.js";
import { button, el, field, liveRegion, progressBar, say, startBusy } from "./dom.js";

const PHASE_KEYS = {
  kdf: "signin.phase.kdf",
  pull: "signin.phase.pull",
  download: "signin.phase.download",
};

/**
 * The Emergency Kit text as people type or paste it: any dash or space, Arabic-Indic digits
 * (an Arabic keyboard), lower case. The service parses the result ("SP1-" + base32).
 */
export function normaliseSecretKey(text) {
  return String(text || "")
    .normalize("NFKC")
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u2010-\u2015\u2212\u00ad]/g, "-")
    .replace(/[\s\u200b-\u200f\u2060\ufeff]+/g, " ")
    .trim()
    .toUpperCase();
}

export function looksLikeSecretKey(text) {
  return /^SP1[A-Z2-7]{26}$/.test(normaliseSecretKey(text).replace(/[ -]/g, ""));
}

export function signInScreen(ctx) {
  const username = el("input", {
    type: "text", name: "username", autocomplete: "username", autocapitalize: "none",
    spellcheck: "false", dir: "ltr", required: true,
  });
  const pass = el("input", { type: "password", name: "passphrase", autocomplete: "current-password", required: true });
  const key = el("input", {
    type: "text", name: "secret", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", dir: "ltr", required: true,
  });
  const error = liveRegion("alert");
  const status = liveRegion("status");
  const progress = progressBar("signin.progress");
  progress.bar.hidden = true;
  const submit = el("button", { type: "submit", className: "button primary", i18n: "signin.submit" });

  const form = el("form", { className: "stack", novalidate: true }, [
    field("signin.username", username),
    field("signin.passphrase", pass),
    field("signin.secret", key, "signin.secret.hint"),
    error,
    submit,
    progress.bar,
    status,
  ]);

  let phase = null;
  const onProgress = (p) => {
    progress.update(p && p.phase === "kdf" && !p.total ? null : p);
    const next = p && PHASE_KEYS[p.phase];
    if (next && next !== phase) {
      phase = next;
      say(status, next); // once per phase: a screen reader hears steps, not every percent
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    error.classList.remove("serious");
    if (!username.value.trim() || !pass.value || !key.value.trim()) {
      say(error, "signin.error.missing");
      (!username.value.trim() ? username : !pass.value ? pass : key).focus();
      return;
    }
    if (!looksLikeSecretKey(key.value)) {
      say(error, "signin.error.secret");
      key.focus();
      return;
    }
    if (knownOffline()) {
      say(error, accountErrorKey(OFFLINE));
      return;
    }
    const stopBusy = startBusy({ submit, progress, status }, "signin.working");
    phase = null;
    try {
      const result = await account.signIn({
        username: username.value.normalize("NFKC").trim().toLowerCase(),
        passphrase: pass.value,
        secretKey: normaliseSecretKey(key.value),
        onProgress,
      });
      pass.value = "";
      key.value = "";
      await ctx.signedIn(result);
    } catch (e) {
      stopBusy();
      const code = accountErrorCode(e);
      // "unsupported" from the account service: this phone already holds a vault.
      say(error, code === "unsupported" && e.name === "AccountError" ? "signin.error.hasvault" : accountErrorKey(e));
      error.classList.toggle("serious", SERIOUS.has(code));
      if (code === "signin-failed") {
        pass.select();
        pass.focus();
      }
    }
  });

  const node = el("section", { className: "card", "aria-labelledby": "signin-title" }, [
    el("h2", { id: "signin-title", i18n: "signin.title" }),
    el("p", { i18n: "signin.intro" }),
    form,
    el("div", { className: "actions" }, [button("signin.back", () => ctx.go("create"))]),
  ]);
  return { node, dispose() { pass.value = ""; key.value = ""; } };
}
