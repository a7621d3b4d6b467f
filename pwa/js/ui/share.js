// "Share": which focal points or legal supporters receive this report (each with whether their
// key was verified), what they may use it for (pre-filled from the incident's own consent, and
// signed into the share), and other incidents to send along. "Share report" seals the share;
// it leaves the phone with the next "Sync now". An unverified recipient needs "Share anyway";
// one whose key changed cannot be chosen at all (both in ./recipient-picker.js).
import * as sharing from "../sharing/index.js";
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, ownLine, say } from "./dom.js";
import { oneEntryPerIncident } from "./incident-list.js";
import { formatDate } from "./incident-types.js";
import { alsoChoices, checkRow, recipientPicker } from "./recipient-picker.js";
import { sharingErrorKey } from "./sharing-text.js";

const CONSENTS = [["contact", "form.consent.contact"], ["statistics", "form.consent.statistics"], ["legal", "form.consent.legal"]];

export function shareScreen(ctx, { rid }) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  const title = el("bdi", {}); // the incident's title, in the line under the heading
  let incident = null;
  let others = alsoChoices([], () => []); // the real list from load(), which also places the send button
  let consentInputs = {};

  const picker = recipientPicker({
    roles: new Set(["focal-point", "legal"]),
    keys: {
      to: "share.to", nobody: "share.nobody", none: "share.error.nobody", submit: "share.submit", anyway: "share.anyway",
      advice: "share.unverified.advice", cancel: "share.cancel", changed: "share.changed", unverified: "share.unverified",
    },
    onSend: (confirmUnverified) => send(confirmUnverified),
  });

  function otherLabel(entry) {
    const c = entry.content || {};
    return [
      ownLine("contact-name", String(c.title || t("list.untitled"))),
      el("span", { className: "incident-meta", text: formatDate(c.when || entry.savedAt) }),
    ];
  }

  async function load() {
    const [{ current }, contacts, all] = await Promise.all([
      vault.getIncident(rid), sharing.contacts(), vault.listIncidents(),
    ]);
    incident = current;
    const content = current.content || {};
    title.textContent = String(content.title || t("list.untitled"));
    const consent = content.consent || {};
    consentInputs = {};
    const consentRows = CONSENTS.map(([name, key]) => {
      const input = el("input", { type: "checkbox", name: `consent-${name}` });
      input.checked = Boolean(consent[name]);
      consentInputs[name] = input;
      return checkRow(input, [el("span", { i18n: key })]);
    });
    const rest = oneEntryPerIncident(all).filter((entry) => entry.rid !== current.rid);
    others = alsoChoices(rest, otherLabel);
    body.replaceChildren(...[
      picker.fieldset(contacts, button("share.contacts", () => ctx.go("contacts"))),
      el("fieldset", {}, [el("legend", { i18n: "share.consent" }), el("p", { className: "hint", i18n: "share.consent.hint" }), ...consentRows]),
      rest.length ? el("fieldset", {}, [el("legend", { i18n: "share.also" }), others.list]) : null,
      el("p", { className: "hint", i18n: "share.when" }),
      picker.submit,
      picker.confirmBox,
      el("div", { className: "actions" }, [button("share.back", () => ctx.go("detail", { rid }))]),
    ].filter(Boolean));
  }

  async function send(confirmUnverified) {
    say(error, null);
    const to = picker.recipients(confirmUnverified, error);
    if (!to) return;
    const rids = [incident.rid, ...others.ticked()];
    const consent = Object.fromEntries(CONSENTS.map(([name]) => [name, consentInputs[name].checked]));
    for (const b of body.querySelectorAll("button")) b.disabled = true;
    say(status, "share.working");
    try {
      await sharing.share(rids, { to: to.map((contact) => contact.uid), consent, confirmUnverified });
      ctx.go("detail", { rid: incident.rid, notice: "share.queued" });
    } catch (e) {
      for (const b of body.querySelectorAll("button")) b.disabled = false;
      picker.hideConfirm();
      say(status, null);
      say(error, sharingErrorKey(e));
    }
  }

  load().catch((e) => say(error, sharingErrorKey(e)));
  const node = el("section", { className: "card", "aria-labelledby": "share-title" }, [
    el("h2", { id: "share-title", i18n: "share.title" }),
    el("p", { className: "version-title" }, [title]),
    status,
    error,
    body,
  ]);
  return { node };
}
