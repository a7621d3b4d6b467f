// What "Share" (ui/share.js) and "Refer to legal supporter" (ui/refer.js) both ask: whom to send
// a report to, and which other reports go along. Each recipient is a checkbox with her name, role
// and whether her key was verified; one whose key changed cannot be ticked, and a banner under
// her says why. Sending to an unverified recipient first opens an "… anyway" confirmation in the
// page, which names them. Each screen passes its own catalog keys, so the words stay its own.
import { button, el, own, ownLine, ownList, say, setText, uid } from "./dom.js";
import { contactName, contactStateKey, roleKey } from "./sharing-text.js";

/** A checkbox and its label, side by side: every choice on these screens. */
export function checkRow(input, labelChildren) {
  input.id ||= uid("c");
  return el("div", { className: "check" }, [input, el("label", { for: input.id }, labelChildren)]);
}

/**
 * The recipients, the send button and the "… anyway" confirmation of one screen.
 *
 * `roles` are the contact roles that may receive. `keys` names the screen's catalog keys: `to`
 * (the legend), `nobody` (no such contact yet), `none` (the error: nobody ticked), `submit`,
 * `anyway`, `advice` and `cancel` (the confirmation), `changed` ({name}: the key-changed banner)
 * and `unverified` ({names}); the names stand in them as runs of their own (dom.js own()).
 * `onSend(confirmUnverified)` runs on the send button (false) and on "… anyway" (true).
 *
 * Returns the `submit` button and the `confirmBox` for the screen to place, `fieldset()` to build
 * the list from the contacts, `recipients()` for the send, and `hideConfirm()`.
 */
export function recipientPicker({ roles, keys, onSend }) {
  let choices = new Map(); // uid -> {contact, input}; only contacts that may be ticked

  const confirmText = el("p", { className: "warning", id: uid("unverified") });
  const anyway = el("button", {
    type: "button", className: "button danger", i18n: keys.anyway,
    "aria-describedby": confirmText.id, onclick: () => onSend(true),
  });
  const confirmBox = el("div", { className: "confirm", hidden: true }, [
    confirmText,
    el("p", { i18n: keys.advice }),
    el("div", { className: "actions" }, [anyway, button(keys.cancel, () => closeConfirm())]),
  ]);
  const submit = button(keys.submit, () => onSend(false), "button primary block");

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
      ownLine("contact-name", contactName(contact)),
      el("span", { className: "incident-meta" }, [
        el("span", { i18n: roleKey(contact.role) }),
        el("span", { text: " · " }),
        el("span", { i18n: contactStateKey(contact.state) }),
      ]),
    ]);
    if (!changed) {
      choices.set(contact.uid, { contact, input });
      return el("li", { className: "recipient" }, [row]);
    }
    const banner = el("p", { className: "message error serious", role: "alert" });
    setText(banner, keys.changed, { name: own(contactName(contact)) });
    return el("li", { className: "recipient changed" }, [row, banner]);
  }

  return {
    submit,
    confirmBox,

    /** The "to" fieldset: a checkbox per contact of one of `roles`, or the `nobody` sentence
     *  followed by `whenNobody` (the screen's way to Contacts). Forgets earlier choices. */
    fieldset(contacts, whenNobody) {
      choices = new Map();
      const recipients = (Array.isArray(contacts) ? contacts : []).filter((c) => c && roles.has(c.role));
      return el("fieldset", {}, [
        el("legend", { i18n: keys.to }),
        recipients.length
          ? el("ul", { className: "choices" }, recipients.map(recipientRow))
          : el("p", { i18n: keys.nobody }),
        recipients.length ? null : whenNobody,
      ]);
    },

    /** The contacts ticked, to send to; or null when the send must stop there: nobody is ticked
     *  (`none` is said in the live region `error`), or one of them is unverified and the send
     *  is not yet `confirmUnverified` (the confirmation names them and opens; the send button
     *  waits, "… anyway" has the focus). */
    recipients(confirmUnverified, error) {
      const to = [...choices.values()].filter(({ input }) => input.checked).map(({ contact }) => contact);
      if (!to.length) {
        say(error, keys.none);
        return null;
      }
      const unverified = to.filter((contact) => contact.state !== "verified");
      if (!unverified.length || confirmUnverified) return to;
      setText(confirmText, keys.unverified, { names: ownList(unverified.map(contactName)) });
      submit.disabled = true;
      confirmBox.hidden = false;
      anyway.focus();
      return null;
    },

    /** Closes the confirmation without moving the focus (after a send that failed). */
    hideConfirm() {
      confirmBox.hidden = true;
    },
  };
}

/** The other reports to send along: a checkbox each (name "also", value its rid), labelled by
 *  `label(item)`. Returns the list and `ticked()`, the rids chosen. */
export function alsoChoices(items, label) {
  const inputs = new Map(); // rid -> input
  const list = el("ul", { className: "choices" }, items.map((item) => {
    const input = el("input", { type: "checkbox", name: "also", value: String(item.rid) });
    inputs.set(item.rid, input);
    return el("li", {}, [checkRow(input, label(item))]);
  }));
  return { list, ticked: () => [...inputs].filter(([, input]) => input.checked).map(([rid]) => rid) };
}
