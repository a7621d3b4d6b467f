// Settings → "Duress passphrase" (delegates with an account): a second passphrase that, typed
// at Unlock, opens an empty vault and quietly asks the server to release an alert to the focal
// points chosen here. The limits are said plainly before anything is set: it hides nothing from
// forensic tools, and wiping or misleading officials at a border can itself be an offence.
import * as sharing from "../sharing/index.js";
import * as account from "../sync/index.js";
import { t } from "../i18n.js";
import { OFFLINE, knownOffline } from "./account-text.js";
import { recipientChoices } from "./checkin.js";
import { button, el, field, liveRegion, progressBar, say, setText } from "./dom.js";
import { contactName, sharingErrorKey } from "./sharing-text.js";

const MIN_LENGTH = 12; // the same rule as the vault's own passphrase (create.rule)

function longEnough(text) {
  return text.length >= MIN_LENGTH || text.trim().split(/\s+/).length >= 4;
}

export function duressSection() {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const progress = progressBar("duress.progress");
  progress.bar.hidden = true;
  const state = el("p", { className: "message" });
  const body = el("div", { className: "stack" });
  const node = el("div", { className: "duress", hidden: true }, [
    el("h3", { id: "duress-title", tabindex: "-1", i18n: "duress.title" }),
    el("p", { i18n: "duress.intro" }),
    el("ul", { className: "warnings" }, [
      el("li", { i18n: "duress.warn.forensic" }),
      el("li", { i18n: "duress.warn.law" }),
      el("li", { i18n: "duress.warn.network" }),
      el("li", { i18n: "duress.warn.decoy" }),
    ]),
    state,
    body,
    progress.bar,
    status,
    error,
  ]);
  let names = new Map();

  function form(contacts) {
    const pass = el("input", { type: "password", name: "duress", autocomplete: "new-password" });
    const again = el("input", { type: "password", name: "duress-confirm", autocomplete: "new-password" });
    const text = el("textarea", { name: "duress-text", rows: "3" });
    text.value = t("duress.text.default");
    const recipients = recipientChoices(contacts, "duress.to");
    const submit = button("duress.set", async () => {
      say(error, null);
      if (!longEnough(pass.value)) { say(error, "duress.error.short"); pass.focus(); return; }
      if (pass.value !== again.value) { say(error, "duress.error.mismatch"); again.focus(); return; }
      const to = recipients.chosen();
      if (!to.length) { say(error, "checkin.error.nobody"); return; }
      if (knownOffline()) { say(error, sharingErrorKey(OFFLINE)); return; }
      submit.disabled = true;
      progress.bar.hidden = false;
      progress.update(null);
      say(status, "duress.working");
      try {
        await sharing.setDuress({
          passphrase: pass.value, text: text.value.trim() || t("duress.text.default"), to, onProgress: progress.update,
        });
        pass.value = "";
        again.value = "";
        await refresh();
        say(status, "duress.done");
        node.querySelector("h3").focus();
      } catch (e) {
        say(status, null);
        say(error, e && e.code === "invalid" ? "duress.error.invalid" : sharingErrorKey(e));
      } finally {
        submit.disabled = false;
        progress.bar.hidden = true;
      }
    }, "button primary");
    return [
      field("duress.passphrase", pass, "duress.passphrase.hint"),
      field("duress.confirm", again),
      field("duress.text", text, "duress.text.hint"),
      recipients.fieldset,
      recipients.empty ? null : submit,
    ];
  }

  async function refresh() {
    const s = await account.status();
    node.hidden = !(s && s.enrolled && s.role === "delegate");
    if (node.hidden) return;
    const [duress, contacts] = await Promise.all([sharing.duressState(), sharing.contacts()]);
    names = new Map(contacts.map((c) => [c.uid, contactName(c)]));
    if (duress && duress.set) {
      const to = [].concat(duress.to || []).map((id) => names.get(id) || t("contact.noname")).join(", ");
      setText(state, "duress.state.set", { names: to });
      const clear = button("duress.clear", async () => {
        say(error, null);
        clear.disabled = true;
        try {
          await sharing.clearDuress();
          await refresh();
          say(status, "duress.cleared");
        } catch (e) {
          clear.disabled = false;
          say(error, sharingErrorKey(e));
        }
      }, "button danger");
      body.replaceChildren(el("div", { className: "actions" }, [clear]));
    } else {
      say(state, "duress.state.none");
      body.replaceChildren(...form(contacts).filter(Boolean));
    }
  }

  refresh().catch(() => { node.hidden = true; });
  return { node };
}
