// "Refer to legal supporter" (focal points), from a received report: choose the legal
// supporter (verified contacts of role legal; an unverified one needs "Refer anyway", one whose
// key changed cannot be chosen: both in ./recipient-picker.js), an optional case title, and
// other held reports to refer along. "Refer report" seals the referral; it leaves the phone with
// the next "Sync now".
//
// A report may only be referred with the delegate's own signed consent to legal use. When she
// did not give it, the screen says so plainly before anything is chosen, and "Refer report" is
// refused by the legal service on this phone — with an alert, before any request is made.
import * as legal from "../legal/index.js";
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { button, el, field, liveRegion, ownLine, say } from "./dom.js";
import { formatDate } from "./incident-types.js";
import { legalErrorKey } from "./legal-text.js";
import { alsoChoices, recipientPicker } from "./recipient-picker.js";
import { personName } from "./sharing-text.js";

export function referScreen(ctx, { rid }) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  const reportTitle = el("bdi", {}); // the sender's title, in the line below
  const consentNote = el("div", { className: "message error serious refer-consent", hidden: true }, [
    el("p", { i18n: "refer.noconsent" }),
    el("p", { i18n: "refer.noconsent.advice" }),
  ]);
  const title = el("input", { type: "text", name: "case-title", maxlength: "200", autocomplete: "off" });
  let others = alsoChoices([], () => []); // the real list from load(), which also places the send button

  const picker = recipientPicker({
    roles: new Set(["legal"]),
    keys: {
      to: "refer.to", nobody: "refer.nobody", none: "refer.error.nobody", submit: "refer.submit", anyway: "refer.anyway",
      advice: "refer.unverified.advice", cancel: "refer.cancel", changed: "refer.changed", unverified: "refer.unverified",
    },
    onSend: (confirmUnverified) => send(confirmUnverified),
  });

  // Each line takes the interface's direction; the title and the sender's name are runs of
  // their own, so "Amal · 27/11/2026" stays in that order in Arabic too.
  function otherLabel(item) {
    return [
      ownLine("contact-name", String(item.title || t("list.untitled"))),
      el("span", { className: "incident-meta" }, [
        el("bdi", { text: personName(item.sender) }), el("span", { text: " · " }), el("span", { text: formatDate(item.received) }),
      ]),
    ];
  }

  async function load() {
    const [report, verdict, contacts, inbox] = await Promise.all([
      sharing.report(rid), legal.referable(rid), sharing.contacts(), sharing.inbox(),
    ]);
    const content = report && report.content && typeof report.content === "object" ? report.content : {};
    reportTitle.textContent = String(content.title || t("list.untitled"));
    consentNote.hidden = !(verdict && verdict.ok === false);
    const rest = (Array.isArray(inbox) ? inbox : []).filter((item) => item && item.rid !== rid && item.kind !== "alert");
    others = alsoChoices(rest, otherLabel);
    body.replaceChildren(...[
      picker.fieldset(contacts, el("div", { className: "actions" }, [button("refer.contacts", () => ctx.go("contacts"))])),
      field("refer.casetitle", title, "refer.casetitle.hint"),
      rest.length
        ? el("fieldset", {}, [el("legend", { i18n: "refer.also" }), el("p", { className: "hint", i18n: "refer.also.hint" }), others.list])
        : null,
      el("p", { className: "hint", i18n: "refer.when" }),
      picker.submit,
      picker.confirmBox,
      el("div", { className: "actions" }, [button("refer.back", () => ctx.go("report", { rid }))]),
    ].filter(Boolean));
  }

  async function send(confirmUnverified) {
    say(error, null);
    const to = picker.recipients(confirmUnverified, error);
    if (!to) return;
    const rids = [rid, ...others.ticked()];
    const buttons = [...body.querySelectorAll("button")];
    for (const b of buttons) b.disabled = true;
    say(status, "refer.working");
    try {
      const result = await legal.refer(rids, {
        to: to.map((contact) => contact.uid), title: title.value.trim(), confirmUnverified,
      });
      ctx.go("case", { caseId: result.case, notice: "refer.done" });
    } catch (e) {
      for (const b of buttons) b.disabled = false;
      picker.hideConfirm();
      say(status, null);
      say(error, legalErrorKey(e));
      picker.submit.focus();
    }
  }

  load().catch((e) => say(error, legalErrorKey(e)));
  const node = el("section", { className: "card", "aria-labelledby": "refer-title" }, [
    el("h2", { id: "refer-title", i18n: "refer.title" }),
    el("p", { className: "version-title" }, [reportTitle]),
    consentNote,
    status,
    error,
    body,
  ]);
  return { node };
}
