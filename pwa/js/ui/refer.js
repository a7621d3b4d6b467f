// "Refer to legal supporter" (focal points), from a received report: choose the legal
// supporter (verified contacts of role legal; an unverified one needs "Refer anyway", one whose
// key changed cannot be chosen), an optional case title, and other held reports to refer along.
// "Refer report" seals the referral; it leaves the phone with the next "Sync now".
//
// A report may only be referred with the delegate's own signed consent to legal use. When she
// did not give it, the screen says so plainly before anything is chosen, and "Refer report" is
// refused by the legal service on this phone — with an alert, before any request is made.
import * as legal from "../legal/index.js";
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { button, el, field, liveRegion, say, setText, uid } from "./dom.js";
import { formatDate } from "./incident-types.js";
import { isolate, legalErrorKey } from "./legal-text.js";
import { contactName, contactStateKey, personName } from "./sharing-text.js";

function checkRow(input, labelChildren) {
  input.id ||= uid("c");
  return el("div", { className: "check" }, [input, el("label", { for: input.id }, labelChildren)]);
}

export function referScreen(ctx, { rid }) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  const reportTitle = el("p", { className: "version-title", dir: "auto" });
  const consentNote = el("div", { className: "message error serious refer-consent", hidden: true }, [
    el("p", { i18n: "refer.noconsent" }),
    el("p", { i18n: "refer.noconsent.advice" }),
  ]);
  const title = el("input", { type: "text", name: "case-title", maxlength: "200", autocomplete: "off" });
  let chosen = new Map(); // uid -> {contact, input}
  let others = new Map(); // rid -> input

  const confirmText = el("p", { className: "warning", id: uid("unverified") });
  const referAnyway = el("button", {
    type: "button", className: "button danger", i18n: "refer.anyway",
    "aria-describedby": confirmText.id, onclick: () => send(true),
  });
  const confirmBox = el("div", { className: "confirm", hidden: true }, [
    confirmText,
    el("p", { i18n: "refer.unverified.advice" }),
    el("div", { className: "actions" }, [referAnyway, button("refer.cancel", () => closeConfirm())]),
  ]);
  const submit = button("refer.submit", () => send(false), "button primary block");

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
        el("span", { i18n: "role.legal" }),
        el("span", { text: " · " }),
        el("span", { i18n: contactStateKey(contact.state) }),
      ]),
    ]);
    if (!changed) {
      chosen.set(contact.uid, { contact, input });
      return el("li", { className: "recipient" }, [row]);
    }
    const banner = el("p", { className: "message error serious", role: "alert" });
    setText(banner, "refer.changed", { name: isolate(contactName(contact)) });
    return el("li", { className: "recipient changed" }, [row, banner]);
  }

  function otherRow(item) {
    const input = el("input", { type: "checkbox", name: "also", value: String(item.rid) });
    others.set(item.rid, input);
    return el("li", {}, [checkRow(input, [
      el("span", { className: "contact-name", dir: "auto", text: String(item.title || t("list.untitled")) }),
      el("span", { className: "incident-meta", dir: "auto", text: `${personName(item.sender)} · ${formatDate(item.received)}` }),
    ])]);
  }

  async function load() {
    const [report, verdict, contacts, inbox] = await Promise.all([
      sharing.report(rid), legal.referable(rid), sharing.contacts(), sharing.inbox(),
    ]);
    const content = report && report.content && typeof report.content === "object" ? report.content : {};
    reportTitle.textContent = String(content.title || t("list.untitled"));
    consentNote.hidden = !(verdict && verdict.ok === false);
    chosen = new Map();
    others = new Map();
    const supporters = (Array.isArray(contacts) ? contacts : []).filter((c) => c && c.role === "legal");
    const rest = (Array.isArray(inbox) ? inbox : []).filter((item) => item && item.rid !== rid && item.kind !== "alert");
    body.replaceChildren(...[
      el("fieldset", {}, [
        el("legend", { i18n: "refer.to" }),
        supporters.length
          ? el("ul", { className: "choices" }, supporters.map(recipientRow))
          : el("p", { i18n: "refer.nobody" }),
        supporters.length ? null : el("div", { className: "actions" }, [button("refer.contacts", () => ctx.go("contacts"))]),
      ]),
      field("refer.casetitle", title, "refer.casetitle.hint"),
      rest.length
        ? el("fieldset", {}, [
          el("legend", { i18n: "refer.also" }),
          el("p", { className: "hint", i18n: "refer.also.hint" }),
          el("ul", { className: "choices" }, rest.map(otherRow)),
        ])
        : null,
      el("p", { className: "hint", i18n: "refer.when" }),
      submit,
      confirmBox,
      el("div", { className: "actions" }, [button("refer.back", () => ctx.go("report", { rid }))]),
    ].filter(Boolean));
  }

  async function send(confirmUnverified) {
    say(error, null);
    const to = [...chosen.values()].filter(({ input }) => input.checked);
    if (!to.length) {
      say(error, "refer.error.nobody");
      return;
    }
    const unverified = to.filter(({ contact }) => contact.state !== "verified");
    if (unverified.length && !confirmUnverified) {
      setText(confirmText, "refer.unverified", { names: unverified.map(({ contact }) => isolate(contactName(contact))).join(", ") });
      submit.disabled = true;
      confirmBox.hidden = false;
      referAnyway.focus();
      return;
    }
    const rids = [rid, ...[...others.entries()].filter(([, input]) => input.checked).map(([id]) => id)];
    const buttons = [...body.querySelectorAll("button")];
    for (const b of buttons) b.disabled = true;
    say(status, "refer.working");
    try {
      const result = await legal.refer(rids, {
        to: to.map(({ contact }) => contact.uid), title: title.value.trim(), confirmUnverified,
      });
      ctx.go("case", { caseId: result.case, notice: "refer.done" });
    } catch (e) {
      for (const b of buttons) b.disabled = false;
      confirmBox.hidden = true;
      say(status, null);
      say(error, legalErrorKey(e));
      submit.focus();
    }
  }

  load().catch((e) => say(error, legalErrorKey(e)));
  const node = el("section", { className: "card", "aria-labelledby": "refer-title" }, [
    el("h2", { id: "refer-title", i18n: "refer.title" }),
    reportTitle,
    consentNote,
    status,
    error,
    body,
  ]);
  return { node };
}
