// "Check-in" (delegates): "if I have not checked in by then, tell them". The alert is sealed on
// this phone and held by the server, unreadable, until the deadline passes; "Check in" deletes
// it. Setting and checking in both need a connection — said up front, and again on failure.
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { OFFLINE, knownOffline, plural } from "./account-text.js";
import { button, el, field, liveRegion, moment, onLanguageChange, ownLine, ownList, say, setText, uid } from "./dom.js";
import { contactName, contactStateKey, roleKey, sharingErrorKey } from "./sharing-text.js";

const HOURS = [1, 2, 3, 6, 12, 24, 48, 72];
const RECIPIENT_ROLES = new Set(["focal-point", "legal"]);

/** Checkboxes of the focal points and legal supporters an alert can go to (none whose key
 *  changed); returns the fieldset and a function giving the chosen uids. Shared with Settings. */
export function recipientChoices(contacts, legendKey) {
  const inputs = [];
  const rows = contacts.filter((c) => RECIPIENT_ROLES.has(c.role) && c.state !== "changed").map((contact) => {
    const input = el("input", { type: "checkbox", name: "to", value: String(contact.uid), id: uid("to") });
    inputs.push(input);
    return el("li", {}, [el("div", { className: "check" }, [input, el("label", { for: input.id }, [
      ownLine("contact-name", contactName(contact)),
      el("span", { className: "incident-meta" }, [
        el("span", { i18n: roleKey(contact.role) }), el("span", { text: " · " }), el("span", { i18n: contactStateKey(contact.state) }),
      ]),
    ])])]);
  });
  const fieldset = el("fieldset", {}, [
    el("legend", { i18n: legendKey }),
    rows.length ? el("ul", { className: "choices" }, rows) : el("p", { i18n: "checkin.nobody" }),
  ]);
  return { fieldset, chosen: () => inputs.filter((i) => i.checked).map((i) => i.value), empty: !rows.length };
}

export function checkinScreen(ctx) {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const hours = el("select", { name: "hours" }, HOURS.map((h) => {
    const option = el("option", { value: String(h) });
    setText(option, "checkin.hours", { hours: plural("count.hours", h) });
    return option;
  }));
  hours.value = "6";
  const text = el("textarea", { name: "text", rows: "3" });
  text.value = t("checkin.text.default");
  const list = el("ul", { className: "timers", "aria-labelledby": "timers-title" });
  const form = el("div", { className: "stack" });
  let names = new Map();
  let recipients = null;
  let timers = [];

  function showError(e) {
    say(error, sharingErrorKey(e));
  }

  function timerItem(timer) {
    const whoNames = ownList([].concat(timer.to || []).map((id) => names.get(id) || t("contact.noname")));
    const line = el("p", {});
    const descId = uid("timer");
    line.id = descId;
    const released = timer.state === "released";
    const when = released && Number.isFinite(timer.released) ? timer.released : timer.deadline;
    setText(line, released ? "checkin.released" : "checkin.held", { date: moment(when), names: whoNames });
    const children = [line];
    if (!released) {
      const check = el("button", {
        type: "button", className: "button primary", i18n: "checkin.checkin", "aria-describedby": descId,
        onclick: () => checkIn(timer, check),
      });
      children.push(el("div", { className: "actions" }, [check]));
    }
    return el("li", { className: released ? "timer released" : "timer" }, children);
  }

  function renderTimers() {
    list.replaceChildren(...timers.map(timerItem));
    none.hidden = timers.length > 0;
  }

  async function load() {
    const contacts = await sharing.contacts();
    names = new Map(contacts.map((c) => [c.uid, contactName(c)]));
    recipients = recipientChoices(contacts, "checkin.to");
    submit.hidden = recipients.empty;
    form.replaceChildren(
      field("checkin.deadline", hours, "checkin.deadline.hint"),
      field("checkin.text", text, "checkin.text.hint"),
      recipients.fieldset,
      submit,
    );
    timers = await sharing.checkins();
    renderTimers();
  }

  async function setCheckin() {
    say(error, null);
    if (knownOffline()) { showError(OFFLINE); return; }
    const to = recipients ? recipients.chosen() : [];
    if (!to.length) { say(error, "checkin.error.nobody"); return; }
    if (!text.value.trim()) { say(error, "checkin.error.text"); text.focus(); return; }
    submit.disabled = true;
    say(status, "checkin.working");
    try {
      const deadline = Date.now() + Number(hours.value) * 3_600_000;
      await sharing.setCheckin({ deadline, text: text.value.trim(), to });
      timers = await sharing.checkins();
      renderTimers();
      setText(status, "checkin.set", { date: moment(deadline) });
    } catch (e) {
      say(status, null);
      showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  async function checkIn(timer, control) {
    say(error, null);
    if (knownOffline()) { showError(OFFLINE); return; }
    control.disabled = true;
    say(status, "checkin.checking");
    try {
      await sharing.checkIn(timer.id);
      timers = await sharing.checkins();
      renderTimers();
      say(status, "checkin.done");
      timersTitle.focus();
    } catch (e) {
      control.disabled = false;
      say(status, null);
      showError(e);
      if (e && e.code === "alert-released") {
        timers = await sharing.checkins().catch(() => timers);
        renderTimers();
      }
    }
  }

  const submit = button("checkin.set.button", () => setCheckin(), "button primary block");
  const none = el("p", { i18n: "checkin.none" });
  const timersTitle = el("h3", { id: "timers-title", tabindex: "-1", i18n: "checkin.timers" });
  const node = el("section", { className: "card", "aria-labelledby": "checkin-title" }, [
    el("h2", { id: "checkin-title", i18n: "checkin.title" }),
    el("p", { i18n: "checkin.intro" }),
    el("p", { className: "advice", i18n: "checkin.network" }),
    status,
    error,
    form,
    timersTitle,
    none,
    list,
  ]);
  load().catch(showError);
  const stop = onLanguageChange(() => {
    for (const option of hours.options) setText(option, "checkin.hours", { hours: plural("count.hours", Number(option.value)) });
    renderTimers();
  });
  return { node, dispose: stop };
}
