// One case (legal supporters and the focal points who hold it): its title and holders, the
// custody log as a timeline (every event with who, when and whether its checks passed; an event
// the log names but this phone does not hold is shown as a failure in words), the reports with
// their versions and files, an "Integrity" region per item shown, notes between the holders,
// and "Export evidence bundle". Opening a report is a custody event (the service seals "opened"
// once per device); its files are viewed from memory (case-files.js). All text of the case —
// titles, names, notes, file names, custody details — was written by someone else and is set
// with textContent only.
import * as legal from "../legal/index.js";
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { formatNumber } from "./account-text.js";
import { caseFiles } from "./case-files.js";
import { button, el, field, liveRegion, ltr, onLanguageChange, say, setText, uid, whileBusy } from "./dom.js";
import { contentRows, factList } from "./incident-detail.js";
import { typeKey } from "./incident-types.js";
import { integrityRegion } from "./integrity.js";
import {
  eventKey, eventRecipients, isolate, legalErrorKey, liveTexts, names, reasonKeys, verdictOf, verdictTag,
} from "./legal-text.js";
import { contactStateKey, personName, shownFileName, statusKey } from "./sharing-text.js";

const list = (value) => [].concat(value || []).filter((x) => x && typeof x === "object");
const short = (hex) => (typeof hex === "string" ? hex.slice(0, 16) : "");

export function caseScreen(ctx, { caseId, notice = null }) {
  const regions = new Set(); // "Integrity" regions, which follow the language until the screen closes
  const texts = liveTexts();
  const heading = el("h2", { id: "case-title", dir: "auto", i18n: "case.loading" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const head = el("div", { className: "stack" });
  const logBox = el("div", { className: "case-log" });
  const reportsBox = el("div", { className: "case-reports" });
  const notesList = el("div", {});
  let view = null;
  let titles = new Map(); // rid of any version -> the report's title, for the log's "About"
  let fileNames = new Map(); // aid -> the file's name, for a working copy's "Of …"
  const files = caseFiles(ctx, { caseId, error, status, texts });

  // --- header -------------------------------------------------------------------------------
  function renderHead() {
    const title = typeof view.title === "string" ? view.title.trim() : "";
    if (title) {
      heading.removeAttribute("data-i18n");
      heading.textContent = title;
    } else {
      heading.dataset.i18n = "cases.untitled";
      heading.textContent = t("cases.untitled");
    }
    const holders = list(view.holders);
    const held = el("p", { className: "incident-meta" });
    if (holders.length) setText(held, "case.holders", { names: names(holders) });
    head.replaceChildren(
      held,
      el("p", { className: "hint", i18n: "case.intro" }),
      el("div", { className: "actions" }, [
        button("case.export", () => ctx.go("export", { caseId, title }), "button primary"),
      ]),
    );
  }

  // --- custody log --------------------------------------------------------------------------
  function eventItem(e) {
    const state = verdictOf(e.state);
    const d = e.detail && typeof e.detail === "object" ? e.detail : {};
    const about = [...new Set(list(e.items).map((i) => titles.get(i.rid)).filter(Boolean))];
    const reasons = Array.isArray(e.reasons) && e.reasons.length ? reasonKeys(e.reasons) : [];
    const to = eventRecipients(e.event, e.to);
    const when = el("span", {});
    texts.date(when, e.at ?? e.ts);
    const extra = [];
    if (e.event === "exported") {
      const count = Number.isSafeInteger(d.files) ? d.files : 0;
      extra.push(setText(el("p", { className: "incident-meta" }), d.encrypted ? "case.log.exported.encrypted" : "case.log.exported.plain", {
        files: formatNumber(count), sha: ltr(short(d.manifest)),
      }));
    } else if (e.event === "working-copy") {
      const areas = Array.isArray(d.redactions) ? d.redactions.length : 0;
      const of = d.of && typeof d.of === "object" ? fileNames.get(d.of.aid) : null;
      extra.push(setText(el("p", { className: "incident-meta" }), "case.log.working-copy", {
        name: isolate(shownFileName(of ?? d.name) || t("report.attachment.noname")), n: formatNumber(areas),
      }));
    }
    if (about.length) extra.push(setText(el("p", { className: "incident-meta" }), "case.log.about", { titles: about.map(isolate).join(", ") }));
    return el("li", { className: `timeline-event verdict-${state}`, "data-event": String(e.event ?? "") }, [
      el("div", { className: "integrity-head" }, [el("span", { className: "timeline-what", i18n: eventKey(e.event) }), verdictTag(state)]),
      el("p", { className: "incident-meta" }, [
        setText(el("span", {}), "case.log.by", { name: isolate(personName(e.by)) }),
        to.length ? el("span", { text: " " }) : null,
        to.length ? setText(el("span", {}), "case.log.to", { names: names(to) }) : null,
        el("span", { text: " · " }), when,
      ]),
      ...extra,
      ...reasons.map((key) => el("span", { className: "reason", i18n: key })),
    ]);
  }

  function missingItem(entry) {
    return el("li", { className: "timeline-event verdict-fail missing", "data-event": "missing" }, [
      el("div", { className: "integrity-head" }, [el("span", { className: "timeline-what", i18n: "case.log.missing.title" }), verdictTag("fail")]),
      el("p", { i18n: "case.log.missing.text" }),
      el("p", { className: "hash", dir: "ltr", text: String(entry) }),
    ]);
  }

  // A custody event sealed on this phone (a report opened, a note added) is in the log at once:
  // the case is read again and the log re-drawn in place. The reports are not re-drawn (open
  // files stay open) and the focus stays where the person is.
  async function refreshLog() {
    view = await legal.caseView(caseId);
    renderLog();
  }

  function renderLog() {
    texts.forget(logBox);
    const verdict = view.logVerdict && typeof view.logVerdict === "object" ? view.logVerdict : {};
    const missing = [].concat(verdict.missing || []).filter((m) => typeof m === "string");
    const events = list(view.log);
    const state = missing.length ? "fail" : verdictOf(verdict.state ?? "ok");
    const summary = el("span", {});
    if (missing.length) texts.count(summary, "count.missing", missing.length);
    else setText(summary, state === "ok" ? "case.log.complete" : state === "fail" ? "case.log.failed" : "case.log.attention", {});
    logBox.replaceChildren(
      el("h3", { id: "case-log-title", i18n: "case.log.title" }),
      el("p", { className: `case-log-verdict verdict-${state}` }, [verdictTag(state), el("span", { text: " " }), summary]),
      el("ol", { className: "timeline", "aria-labelledby": "case-log-title" }, [...missing.map(missingItem), ...events.map(eventItem)]),
    );
  }

  // --- reports, versions, integrity -------------------------------------------------------
  function versionLabel(v) {
    const ver = Number.isSafeInteger(v.ver) ? v.ver : 1;
    const received = v.receivedByServer
      ? [el("span", { i18n: "case.version.received" }), el("span", { text: " " }), texts.date(el("span", {}), v.receivedByServer)]
      : [el("span", { i18n: "case.version.notreceived" })];
    return [
      setText(el("span", { className: "version-n" }), "case.version", { n: formatNumber(ver) }),
      el("span", { text: " · " }),
      el("span", { i18n: "case.version.saved" }), el("span", { text: " " }), texts.date(el("span", {}), v.ts),
      el("span", { text: " · " }),
      ...received,
    ];
  }

  function reportItem(r) {
    const titleId = uid("case-report");
    const title = String(r.title ?? "").trim();
    const body = el("div", { className: "case-report-body stack", id: uid("case-body"), hidden: true });
    const mine = new Set(); // this report's regions, re-read after one of its files is opened
    const report = {
      rid: r.rid, data: r,
      refresh() { for (const region of mine) region.refresh(); },
    };
    const sender = r.sender && typeof r.sender === "object" ? r.sender : null;
    const from = el("p", { className: "incident-meta" });
    if (sender) setText(from, "case.report.from", { name: isolate(personName(sender)), state: t(contactStateKey(sender.state)) });
    const legalConsent = r.consent === true || (r.consent && typeof r.consent === "object" && r.consent.legal === true);
    let built = false;

    async function build() {
      const versions = list(r.versions).slice().sort((a, b) => (a.ver ?? 0) - (b.ver ?? 0) || (a.ts ?? 0) - (b.ts ?? 0));
      const latest = versions.length ? versions[versions.length - 1] : null;
      const main = integrityRegion(() => legal.integrity(caseId, r.rid), { describedBy: titleId });
      regions.add(main);
      mine.add(main);
      let facts = null;
      try {
        const held = await sharing.report(r.rid);
        const content = held && held.content && typeof held.content === "object" ? held.content : {};
        facts = factList(contentRows(content));
      } catch {
        facts = el("p", { className: "hint", i18n: "case.report.nocontent" });
      }
      const atts = list(r.attachments);
      const filesId = uid("files");
      const history = versions.map((v) => {
        if (latest && v.rid === latest.rid) {
          return el("li", { className: "version current" }, [el("p", {}, versionLabel(v)), el("p", { className: "hint", i18n: "case.version.current" })]);
        }
        // An older version: its own Integrity region, read when the person opens it.
        const details = el("details", { className: "version" }, [el("summary", {}, versionLabel(v))]);
        details.addEventListener("toggle", () => {
          if (!details.open || details.dataset.loaded) return;
          details.dataset.loaded = "1";
          const region = integrityRegion(() => legal.integrity(caseId, v.rid), { level: "h6" });
          regions.add(region);
          mine.add(region);
          details.append(region.node);
        });
        return el("li", {}, [details]);
      });
      const historyId = uid("history");
      body.replaceChildren(...[
        facts,
        el("h5", { id: filesId, i18n: "detail.attachments" }),
        atts.length
          ? el("ul", { className: "picked case-files", "aria-labelledby": filesId }, atts.map((a) => files.item(a, report)))
          : el("p", { i18n: "detail.attachments.none" }),
        main.node,
        el("h5", { id: historyId, i18n: "case.versions" }),
        history.length ? el("ol", { className: "history versions", "aria-labelledby": historyId }, history) : el("p", { i18n: "detail.history.none" }),
      ]);
      built = true;
    }

    const open = el("button", {
      type: "button", className: "button", i18n: "case.report.open", "aria-expanded": "false",
      "aria-controls": body.id, "aria-describedby": titleId,
      onclick: () => whileBusy(open, async () => {
        if (!body.hidden) {
          body.hidden = true;
          open.setAttribute("aria-expanded", "false");
          open.dataset.i18n = "case.report.open";
          open.textContent = t("case.report.open");
          return;
        }
        say(error, null);
        try {
          // The first opening on this device is a custody event ("opened"), sealed by the service:
          // the log shows it at once.
          await legal.openReport(caseId, r.rid);
          await refreshLog();
          if (!built) await build();
        } catch (e) {
          say(error, legalErrorKey(e));
          return;
        }
        body.hidden = false;
        open.setAttribute("aria-expanded", "true");
        open.dataset.i18n = "case.report.hide";
        open.textContent = t("case.report.hide");
      }),
    });

    return el("li", { className: "case-report", "data-rid": String(r.rid ?? "") }, [
      title ? el("h4", { id: titleId, dir: "auto", text: title }) : el("h4", { id: titleId, i18n: "list.untitled" }),
      sender ? from : null,
      el("p", { className: "incident-meta" }, [
        el("span", { i18n: typeKey(r.type) }), el("span", { text: " · " }), el("span", { i18n: statusKey(r.status || "referred") }),
      ]),
      el("p", { className: "incident-meta", i18n: legalConsent ? "case.report.consent.yes" : "case.report.consent.no" }),
      el("div", { className: "actions" }, [open]),
      body,
    ]);
  }

  function renderReports() {
    const reports = list(view.reports);
    reportsBox.replaceChildren(
      el("h3", { id: "case-reports-title", i18n: "case.reports" }),
      reports.length
        ? el("ul", { className: "case-report-list", "aria-labelledby": "case-reports-title" }, reports.map(reportItem))
        : el("p", { i18n: "case.reports.none" }),
    );
  }

  // --- notes ----------------------------------------------------------------------------------
  const noteText = el("textarea", { name: "case-note", rows: "3", maxlength: "10000" });
  const addNote = button("case.note.add", () => whileBusy(addNote, async () => {
    say(error, null);
    const text = noteText.value.trim();
    if (!text) {
      say(error, "case.note.empty");
      noteText.focus();
      return;
    }
    try {
      await legal.addCaseNote(caseId, text);
      noteText.value = "";
      await refreshLog();
      renderNotes();
      say(status, "case.note.added");
    } catch (e) {
      say(error, legalErrorKey(e));
    }
  }));
  const notesBox = el("div", { className: "report-notes" }, [
    el("h3", { id: "case-notes-title", i18n: "case.notes" }),
    notesList,
    field("case.note", noteText, "case.note.hint"),
    el("div", { className: "actions" }, [addNote]),
  ]);

  function renderNotes() {
    texts.forget(notesList);
    const notes = list(view.notes).map((n) => el("li", { className: "note" }, [
      el("p", { className: "incident-meta" }, [
        setText(el("span", {}), "case.note.by", { name: isolate(personName(n.by)) }), el("span", { text: " · " }), texts.date(el("span", {}), n.at),
      ]),
      el("p", { className: "note-text", dir: "auto", text: String(n.text ?? "") }),
    ]));
    notesList.replaceChildren(notes.length
      ? el("ul", { className: "notes", "aria-labelledby": "case-notes-title" }, notes)
      : el("p", { i18n: "case.notes.none" }));
  }

  async function load() {
    view = await legal.caseView(caseId);
    titles = new Map();
    fileNames = new Map();
    for (const r of list(view.reports)) {
      const title = String(r.title ?? "").trim() || t("list.untitled");
      titles.set(r.rid, title);
      for (const v of list(r.versions)) titles.set(v.rid, title);
      for (const a of list(r.attachments)) fileNames.set(a.aid, String(a.name ?? ""));
    }
    renderHead();
    renderLog();
    renderReports();
    renderNotes();
    notesBox.hidden = false;
  }

  notesBox.hidden = true;
  load().catch((e) => say(error, legalErrorKey(e)));
  // Names are listed and events worded in the language shown: the header, the log and the notes
  // are re-drawn on a switch (the reports are not, so open files stay open).
  const stop = onLanguageChange(() => {
    if (!view) return;
    renderHead();
    renderLog();
    renderNotes();
  });
  const node = el("section", { className: "card case", "aria-labelledby": "case-title" }, [
    heading,
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    status,
    error,
    head,
    logBox,
    reportsBox,
    notesBox,
    el("div", { className: "actions" }, [button("case.back", () => ctx.go("cases"))]),
  ]);
  return {
    node,
    dispose() {
      stop();
      texts.dispose();
      for (const region of regions) region.dispose();
      regions.clear();
      files.dispose();
    },
  };
}
