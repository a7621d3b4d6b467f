// "Share": which focal points or legal supporters receive this report (each with whether their
// key was verified), what they may use it for (pre-filled from the incident's own consent, and
// signed into the share), and other incidents to send along. "Share report" seals the share;
// it leaves the phone with the next "Sync now". An unverified recipient needs "Share anyway";
// one whose key changed cannot be chosen at all.
import * as sharing from "../sharing/index.js";
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, say, setText, uid } from "./dom.js";
import { oneEntryPerIncident } from "./incident-list.js";
import { formatDate } from "./incident-types.js";
import { contactName, contactStateKey, roleKey, sharingErrorKey } from "./sharing-text.js";

const CONSENTS = [["contact", "form.consent.contact"], ["statistics", "form.consent.statistics"], ["legal", "form.consent.legal"]];
const RECIPIENT_ROLES = new Set(["focal-point", "legal"]);

function checkRow(input, labelChildren) {
  input.id ||= uid("c");
  return el("div", { className: "check" }, [input, el("label", { for: input.id }, labelChildren)]);
}

export function shareScreen(ctx, { rid }) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  const title = el("p", { className: "version-title" });
  let incident = null;
  let chosen = new Map(); // uid -> {contact, input}
  let others = new Map(); // rid -> input
  let consentInputs = {};

  const confirmText = el("p", { className: "warning", id: uid("unverified") });
  const shareAnyway = el("button", {
    type: "button", className: "button danger", i18n: "share.anyway",
    "aria-describedby": confirmText.id, onclick: () => send(true),
  });
  const confirmBox = el("div", { className: "confirm", hidden: true }, [
    confirmText,
    el("p", { i18n: "share.unverified.advice" }),
    el("div", { className: "actions" }, [shareAnyway, button("share.cancel", () => closeConfirm())]),
  ]);
  const submit = button("share.submit", () => send(false), "button primary block");

  function closeConfirm() {
    confirmBox.hidden = true;
    submit.disabled = false;
    submit.focus();
  }

  function recipientRow(contact) {
    const input = el("input", { type: "checkbox", name: "to", value: String(contact.uid) });
    const changed = contact.state === "changed";
    input.disabled = changed;
    const row = checkRow(input, [
      el("span", { className: "contact-name", dir: "auto", text: contactName(contact) }),
      el("span", { className: "incident-meta" }, [
        el("span", { i18n: roleKey(contact.role) }),
        el("span", { text: " · " }),
        el("span", { i18n: contactStateKey(contact.state) }),
      ]),
    ]);
    if (!changed) chosen.set(contact.uid, { contact, input });
    if (!changed) return el("li", { className: "recipient" }, [row]);
    const banner = el("p", { className: "message error serious", role: "alert" });
    setText(banner, "share.changed", { name: contactName(contact) });
    return el("li", { className: "recipient changed" }, [row, banner]);
  }

  function otherRow(entry) {
    const input = el("input", { type: "checkbox", name: "also", value: String(entry.rid) });
    others.set(entry.rid, input);
    const c = entry.content || {};
    return el("li", {}, [checkRow(input, [
      el("span", { className: "contact-name", dir: "auto", text: String(c.title || t("list.untitled")) }),
      el("span", { className: "incident-meta", text: formatDate(c.when || entry.savedAt) }),
    ])]);
  }

  async function load() {
    const [{ current }, contacts, all] = await Promise.all([
      vault.getIncident(rid), sharing.contacts(), vault.listIncidents(),
    ]);
    incident = current;
    const content = current.content || {};
    title.textContent = String(content.title || t("list.untitled"));
    chosen = new Map();
    others = new Map();
    const recipients = contacts.filter((c) => RECIPIENT_ROLES.has(c.role));
    const consent = content.consent || {};
    consentInputs = {};
    const consentRows = CONSENTS.map(([name, key]) => {
      const input = el("input", { type: "checkbox", name: `consent-${name}` });
      input.checked = Boolean(consent[name]);
      consentInputs[name] = input;
      return checkRow(input, [el("span", { i18n: key })]);
    });
    const rest = oneEntryPerIncident(all).filter((entry) => entry.rid !== current.rid);
    body.replaceChildren(...[
      el("fieldset", {}, [
        el("legend", { i18n: "share.to" }),
        recipients.length
          ? el("ul", { className: "choices" }, recipients.map(recipientRow))
          : el("p", { i18n: "share.nobody" }),
        recipients.length ? null : button("share.contacts", () => ctx.go("contacts")),
      ]),
      el("fieldset", {}, [el("legend", { i18n: "share.consent" }), el("p", { className: "hint", i18n: "share.consent.hint" }), ...consentRows]),
      rest.length
        ? el("fieldset", {}, [el("legend", { i18n: "share.also" }), el("ul", { className: "choices" }, rest.map(otherRow))])
        : null,
      el("p", { className: "hint", i18n: "share.when" }),
      submit,
      confirmBox,
      el("div", { className: "actions" }, [button("share.back", () => ctx.go("detail", { rid }))]),
    ].filter(Boolean));
  }

  async function send(confirmUnverified) {
    say(error, null);
    const to = [...chosen.values()].filter(({ input }) => input.checked);
    if (!to.length) {
      say(error, "share.error.nobody");
      return;
    }
    const unverified = to.filter(({ contact }) => contact.state !== "verified");
    if (unverified.length && !confirmUnverified) {
      setText(confirmText, "share.unverified", { names: unverified.map(({ contact }) => contactName(contact)).join(", ") });
      submit.disabled = true;
      confirmBox.hidden = false;
      shareAnyway.focus();
      return;
    }
    const rids = [incident.rid, ...[...others.entries()].filter(([, input]) => input.checked).map(([id]) => id)];
    const consent = Object.fromEntries(CONSENTS.map(([name]) => [name, consentInputs[name].checked]));
    for (const b of body.querySelectorAll("button")) b.disabled = true;
    say(status, "share.working");
    try {
      await sharing.share(rids, { to: to.map(({ contact }) => contact.uid), consent, confirmUnverified });
      ctx.go("detail", { rid: incident.rid, notice: "share.queued" });
    } catch (e) {
      for (const b of body.querySelectorAll("button")) b.disabled = false;
      confirmBox.hidden = true;
      say(status, null);
      say(error, sharingErrorKey(e));
    }
  }

  load().catch((e) => say(error, sharingErrorKey(e)));
  const node = el("section", { className: "card", "aria-labelledby": "share-title" }, [
    el("h2", { id: "share-title", i18n: "share.title" }),
    title,
    status,
    error,
    body,
  ]);
  return { node };
}
