// "Create account": reached from an invite link once the vault is created or unlocked. The
// delegate picks a Username (a pseudonym) and a display name (sealed in the vault, never sent
// in clear); the sync service turns the vault into an account. Sending anything is still only
// ever done by "Sync now".
import * as sharing from "../sharing/index.js";
import * as account from "../sync/index.js";
import { OFFLINE, SERIOUS, accountErrorCode, accountErrorKey, knownOffline } from "./account-text.js";
import { button, el, field, liveRegion, progressBar, say, startBusy } from "./dom.js";

// docs/sync-api.md: after NFKC and lower-casing.
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export function normaliseUsername(text) {
  return String(text || "").normalize("NFKC").trim().toLowerCase();
}

// Focal points and legal supporters are chosen by name: their signed card goes to the directory
// with the account (the account itself has just been sent). Delegates publish nothing.
async function publishOwnCard(name) {
  const { role } = await account.status();
  if (role !== "focal-point" && role !== "legal") return "enrol.done";
  if (!name) return "enrol.done.nocard";
  try {
    await sharing.publishCard({ name });
    return "enrol.done.card";
  } catch {
    return "enrol.done.nocard";
  }
}

export function enrolScreen(ctx, { username: earlier = "" } = {}) {
  const username = el("input", {
    type: "text", name: "username", autocomplete: "username", autocapitalize: "none",
    spellcheck: "false", dir: "ltr", required: true, maxlength: "32",
  });
  username.value = earlier;
  const displayName = el("input", { type: "text", name: "displayName", autocomplete: "off", maxlength: "80" });
  const error = liveRegion("alert");
  const status = liveRegion("status");
  const progress = progressBar("enrol.progress");
  progress.bar.hidden = true;
  const submit = el("button", { type: "submit", className: "button primary", i18n: "enrol.submit" });

  const form = el("form", { className: "stack", novalidate: true }, [
    field("enrol.username", username, "enrol.username.hint"),
    field("enrol.display", displayName, "enrol.display.hint"),
    error,
    submit,
    progress.bar,
    status,
  ]);

  // An invite that was used or has expired cannot be tried again: the form closes and says why.
  function closeForGood(key) {
    say(error, key);
    error.classList.add("serious");
    for (const control of form.querySelectorAll("input, button")) control.disabled = true;
    form.after(el("div", { className: "actions" }, [button("enrol.later", () => ctx.go("list"))]));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    error.classList.remove("serious");
    const name = normaliseUsername(username.value);
    if (!USERNAME.test(name)) {
      say(error, "account.error.invalid-username");
      username.focus();
      return;
    }
    if (knownOffline()) {
      say(error, accountErrorKey(OFFLINE));
      return;
    }
    const stopBusy = startBusy({ submit, progress, status }, "enrol.working");
    try {
      await account.enrol({ username: name, displayName: displayName.value.trim() });
      ctx.inviteSettled();
      ctx.go("sync", { notice: await publishOwnCard(displayName.value.trim()) });
    } catch (e) {
      stopBusy();
      const code = accountErrorCode(e);
      if (code === "unsupported" && e.name === "AccountError") {
        say(error, "enrol.already");
        return;
      }
      if (code === "invite-invalid") {
        ctx.inviteSettled();
        closeForGood("account.error.invite-invalid");
        return;
      }
      say(error, accountErrorKey(e));
      error.classList.toggle("serious", SERIOUS.has(code));
      if (code === "username-taken" || code === "invalid-username") {
        username.select();
        username.focus();
      }
    }
  });

  const node = el("section", { className: "card", "aria-labelledby": "enrol-title" }, [
    el("h2", { id: "enrol-title", i18n: "enrol.title" }),
    el("p", { i18n: "enrol.intro" }),
    form,
  ]);

  // An invite opened on a phone whose vault already has an account: nothing to do here.
  Promise.resolve(account.status()).then((s) => {
    if (s && s.enrolled) {
      form.replaceWith(el("div", { className: "stack" }, [
        el("p", { className: "message", role: "status", i18n: "enrol.already" }),
        button("enrol.later", () => ctx.go("list")),
      ]));
    }
  }).catch(() => {});

  return { node };
}
