// One report someone shared with this account. Everything in it was written by the sender — or
// by whoever forged it: it is shown as text only (textContent), images only of four raster
// types from blob: URLs made here (revoked on leave), any other file only as a download under a
// cleaned name. Then what the checks found, in plain words; "Status", "Acknowledge", and notes
// between the focal points who hold it (never sent to the delegate). A focal point can also
// "Refer to legal supporter" (issue 7): the refer screen says whether the delegate consented.
import * as sharing from "../sharing/index.js";
import * as account from "../sync/index.js";
import { t } from "../i18n.js";
import { formatSize } from "./account-text.js";
import { button, el, field, liveRegion, onLanguageChange, own, ownLine, ownList, say, setText, uid } from "./dom.js";
import { consentText, contentRows, factList } from "./incident-detail.js";
import { formatDate } from "./incident-types.js";
import {
  CHECKS, SHOWN_IMAGES, STATUSES, alertKey, checkOf, contactStateKey, flagKeys, overallCheck, personName,
  safeFileName, sharingErrorKey, shownFileName, statusKey,
} from "./sharing-text.js";

/** The status the report is at: the service's own, or the latest one it lists. */
function currentStatus(report) {
  if (STATUSES.includes(report.status)) return report.status;
  const list = [].concat(report.statuses || []).filter((s) => s && STATUSES.includes(s.status));
  list.sort((a, b) => (Number(a.at) || 0) - (Number(b.at) || 0));
  return list.length ? list[list.length - 1].status : "new";
}


/**
 * The first lines of a received file, as the report and case screens show it: its name (its own
 * run, labelled by `nameId`), then type and size. The type reads left to right; the size is in
 * the interface language, and so is the line.
 */
export function fileHeading(name, mime, size, nameId) {
  return [
    ownLine("picked-name", name || t("report.attachment.noname"), { id: nameId }),
    el("span", { className: "incident-meta" }, [
      el("bdi", { dir: "ltr", text: mime || "?" }), el("span", { text: " · " }), el("span", { text: formatSize(size) }),
    ]),
  ];
}

export function reportScreen(ctx, { rid, notice = null }) {
  const urls = new Set();
  const heading = el("h2", { id: "report-title", dir: "auto", i18n: "report.loading" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  let report = null;
  let canRefer = false; // focal points refer; legal supporters and delegates do not

  function makeUrl(blob, type) {
    const url = URL.createObjectURL(new Blob([blob], { type }));
    urls.add(url);
    return url;
  }

  function attachmentItem(att) {
    const name = shownFileName(att.name);
    const mime = String(att.mime || "").toLowerCase();
    const nameId = uid("att");
    const preview = el("div", { className: "preview" });
    const children = fileHeading(name, mime, att.size, nameId);
    if (att.available === false) {
      children.push(el("p", { className: "hint", i18n: "report.attachment.missing" }));
      return el("li", {}, children);
    }
    const read = async () => {
      try {
        return await sharing.readAttachment(rid, att.aid);
      } catch (e) {
        say(error, sharingErrorKey(e));
        return null;
      }
    };
    if (SHOWN_IMAGES.has(mime)) {
      const show = el("button", {
        type: "button", className: "button small", i18n: "detail.attachment.show", "aria-describedby": nameId,
        onclick: async () => {
          if (preview.firstChild) {
            preview.replaceChildren();
            show.dataset.i18n = "detail.attachment.show";
            show.textContent = t("detail.attachment.show");
            return;
          }
          const blob = await read();
          if (!blob) return;
          const img = el("img", { alt: name || t("report.attachment.image") });
          img.src = makeUrl(blob, mime); // a blob: URL this page made, never the sender's text
          preview.replaceChildren(img);
          show.dataset.i18n = "detail.attachment.hide";
          show.textContent = t("detail.attachment.hide");
        },
      });
      children.push(show, preview);
    } else {
      // Typed as opaque bytes, so the browser saves the file and never renders it here.
      const save = el("button", {
        type: "button", className: "button small", i18n: "report.attachment.download", "aria-describedby": nameId,
        onclick: async () => {
          const blob = await read();
          if (!blob) return;
          const link = el("a", { download: safeFileName(name) });
          link.href = makeUrl(blob, "application/octet-stream");
          document.body.append(link);
          link.click();
          link.remove();
          say(status, "report.attachment.saved");
        },
      });
      children.push(save, el("p", { className: "hint", i18n: "report.attachment.nopreview" }));
    }
    return el("li", {}, children);
  }

  function verificationPanel(v) {
    const overall = overallCheck(v);
    const rows = CHECKS.flatMap((name) => {
      const { state, reasons } = checkOf(v, name);
      return [
        el("dt", { i18n: `check.${name}` }),
        el("dd", { className: `check-${state}` }, [
          el("span", { className: `tag check-${state}`, i18n: `check.state.${state}` }),
          el("span", { text: " " }),
          el("span", { i18n: `check.${name}.${state}` }),
          ...flagKeys(reasons).map((key) => el("span", { className: "reason", i18n: key })),
        ]),
      ];
    });
    return el("div", { className: `verification checks-${overall}` }, [
      el("h3", { id: "verification-title", i18n: "report.verification" }),
      el("p", { className: overall === "ok" ? "message success" : "message error", i18n: `report.verification.${overall}` }),
      el("dl", { className: "facts checks" }, rows),
    ]);
  }

  function statusSection() {
    const now = currentStatus(report);
    const select = el("select", { name: "status" }, STATUSES.map((s) => el("option", { value: s, i18n: statusKey(s) })));
    select.value = now;
    const save = button("report.status.save", () => setStatus(select.value, save));
    const ack = button("report.acknowledge", () => setStatus("acknowledged", ack), "button primary");
    const history = [].concat(report.statuses || []).filter((s) => s && typeof s === "object").map((s) => {
      const line = el("li", {});
      setText(line, "report.status.line", { status: t(statusKey(s.status)), name: own(personName(s.by)), date: formatDate(s.at) });
      return line;
    });
    return el("div", { className: "report-status" }, [
      el("h3", { id: "status-title", i18n: "report.status.title" }),
      el("p", { className: "hint", i18n: "report.status.hint" }),
      now === "new" ? el("div", { className: "actions" }, [ack]) : null,
      field("report.status", select),
      el("div", { className: "actions" }, [save]),
      history.length ? el("ul", { className: "history-lines" }, history) : null,
    ]);
  }

  function notesSection() {
    const text = el("textarea", { name: "note", rows: "3" });
    const add = button("report.note.add", () => addNote(text, add));
    const notes = [].concat(report.notes || []).filter((n) => n && typeof n === "object").map((n) => {
      const who = el("p", { className: "incident-meta" });
      setText(who, "report.note.by", { name: own(personName(n.by ?? n.from)), date: formatDate(n.at ?? n.ts) });
      return el("li", { className: "note" }, [who, el("p", { className: "note-text", dir: "auto", text: String(n.text ?? "") })]);
    });
    const others = [].concat(report.coRecipients || []).map(personName);
    const also = el("p", { className: "hint" });
    if (others.length) setText(also, "report.corecipients", { names: ownList(others) });
    else say(also, "report.corecipients.none");
    return el("div", { className: "report-notes" }, [
      el("h3", { id: "notes-title", i18n: "report.notes" }),
      also,
      notes.length ? el("ul", { className: "notes", "aria-labelledby": "notes-title" }, notes) : el("p", { i18n: "report.notes.none" }),
      field("report.note", text, "report.note.hint"),
      el("div", { className: "actions" }, [add]),
    ]);
  }

  async function setStatus(value, control) {
    say(error, null);
    control.disabled = true;
    try {
      if (value === "acknowledged") await sharing.acknowledge([rid]);
      else await sharing.setStatus([rid], value);
      await load();
      setText(status, "report.status.saved", { status: t(statusKey(value)) });
      focusOn("status-title");
    } catch (e) {
      control.disabled = false;
      say(error, sharingErrorKey(e));
    }
  }

  async function addNote(text, control) {
    say(error, null);
    if (!text.value.trim()) {
      say(error, "report.note.empty");
      text.focus();
      return;
    }
    control.disabled = true;
    try {
      await sharing.addNote(rid, text.value.trim());
      await load();
      say(status, "report.note.added");
      focusOn("notes-title");
    } catch (e) {
      control.disabled = false;
      say(error, sharingErrorKey(e));
    }
  }

  // A check-in that was missed or a duress passphrase typed: what happened, then their words.
  function alertBox(content, sender) {
    const what = el("p", { className: "warning" });
    const name = own(sender ? personName(sender) : personName(content.from));
    if (content.alert === "duress") setText(what, "alert.duress.body", { name });
    else setText(what, "alert.checkin.body", { name, date: formatDate(content.deadline) });
    return el("div", { className: "confirm alert-box" }, [
      el("p", { className: "tag alert", i18n: alertKey(content.alert) }),
      what,
      content.text ? el("p", { className: "hint", i18n: "alert.text" }) : null,
      content.text ? el("p", { className: "note-text", dir: "auto", text: String(content.text) }) : null,
    ]);
  }

  // After an action re-draws the report, focus goes back to the section it was done in.
  function focusOn(id) {
    const target = body.querySelector(`#${id}`);
    if (!target) return;
    target.tabIndex = -1;
    target.focus();
  }

  function render() {
    if (!report) return;
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
    const content = report.content && typeof report.content === "object" ? report.content : {};
    heading.removeAttribute("data-i18n");
    heading.textContent = String(content.title || t("list.untitled"));
    const sender = report.sender && typeof report.sender === "object" ? report.sender : null;
    const from = el("p", { className: "incident-meta" });
    if (sender) setText(from, "report.from", { name: own(personName(sender)), state: t(contactStateKey(sender.state)), date: formatDate(report.received) });
    const atts = [].concat(report.attachments || []).filter((a) => a && typeof a === "object");
    const isAlert = report.kind === "alert";
    body.replaceChildren(...[
      sender ? from : null,
      isAlert ? alertBox(content, sender) : null,
      verificationPanel(report.verification),
      isAlert ? null : factList([...contentRows(content), ["report.consent", report.consent ? consentText(report.consent) : t("report.consent.unknown")]]),
      isAlert ? null : el("h3", { id: "report-attachments", i18n: "detail.attachments" }),
      isAlert ? null : atts.length
        ? el("ul", { className: "picked", "aria-labelledby": "report-attachments" }, atts.map(attachmentItem))
        : el("p", { i18n: "detail.attachments.none" }),
      canRefer && !isAlert ? el("div", { className: "actions" }, [
        button("refer.open", () => ctx.go("refer", { rid }), "button primary"),
      ]) : null,
      statusSection(),
      notesSection(),
      el("div", { className: "actions" }, [button("report.back", () => ctx.go("inbox"))]),
    ].filter(Boolean));
  }

  async function load() {
    const [found, who] = await Promise.all([sharing.report(rid), Promise.resolve().then(() => account.status()).catch(() => null)]);
    report = found;
    canRefer = Boolean(who && who.enrolled && who.role === "focal-point");
    render();
  }

  load().catch((e) => say(error, sharingErrorKey(e)));
  const stop = onLanguageChange(render);
  const node = el("section", { className: "card", "aria-labelledby": "report-title" }, [
    heading,
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    status,
    error,
    body,
  ]);
  return {
    node,
    dispose() {
      stop();
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}
