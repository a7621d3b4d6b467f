// The human-readable files of an evidence bundle (docs/legal-contract.md §0.4): report.html —
// print-ready, in the reader's language (its direction from i18n.js's LANGUAGES: right to left
// for Arabic and Urdu), its dates and numbers in the reader's digits, no script, a CSP that
// allows nothing but inline style — and README.txt (the reader's language, then English).
//
// Every string comes from the app's catalogs (pwa/i18n/<lang>.json, keys "bundle.*" plus the
// type, status and role names the screens use). report.html is built as a DOM (textContent
// only) and serialised: nothing a report, a name or a note contains can become markup.
import { DEFAULT_LANGUAGE, LANGUAGES, formatDate, formatNumber } from "../i18n.js";
import { AccountError } from "../sync/errors.js";

const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";
const STYLE = `@page { size: A4; margin: 16mm; }
body { font: 10.5pt/1.45 system-ui, "Noto Sans", "Noto Naskh Arabic", "Noto Sans Devanagari", "Nirmala UI", "Mangal", "Noto Sans Bengali", "Vrinda", sans-serif; color: #000; }
:lang(ne) body, :lang(bn) body { line-height: 1.7; }
:lang(ur) body { font-family: "Noto Nastaliq Urdu", "Jameel Noori Nastaleeq", "Urdu Typesetting", "Noto Naskh Arabic", system-ui, sans-serif; line-height: 2.1; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; margin-top: 1.6em; } h3 { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
th, td { border: 1px solid #888; padding: 3px 5px; text-align: start; vertical-align: top; }
dt { font-weight: bold; } dd { margin-inline-start: 1.5em; }
.id { font-family: ui-monospace, monospace; font-size: 8.5pt; word-break: break-all; direction: ltr; unicode-bidi: isolate; }
.text { white-space: pre-wrap; } .fail { font-weight: bold; }
section { break-inside: avoid-page; } tr { break-inside: avoid; }`;

async function fetchCatalog(lang) {
  let response;
  try {
    response = await fetch(`/i18n/${lang}.json`);
  } catch {
    throw new AccountError("offline", "the message catalog could not be read");
  }
  if (response.status === 404 && lang !== DEFAULT_LANGUAGE) return null; // a language not shipped yet
  if (!response.ok) throw new AccountError("offline", "the message catalog could not be read");
  return response.json();
}

/**
 * The strings of `lang` (one of the app's languages, else "invalid"): {lang, dir, t(key,
 * vars), has(key), english: the same for English}. A key missing from `lang` falls back to
 * English.
 */
export async function textsFor(lang) {
  if (!Object.hasOwn(LANGUAGES, lang)) throw new AccountError("invalid", "unknown language");
  const english = await fetchCatalog(DEFAULT_LANGUAGE);
  let own = lang === DEFAULT_LANGUAGE ? english : await fetchCatalog(lang);
  if (own === null) {
    // The app lists the language but has no catalog for it: the report is written in English
    // (and says so in its lang and dir) rather than not at all, as the interface does.
    console.warn(`language ${lang}: no catalog; the report is in English`);
    [lang, own] = [DEFAULT_LANGUAGE, english];
  }
  const make = (code, catalog) => ({
    lang: code, dir: LANGUAGES[code].dir,
    has: (key) => Object.hasOwn(catalog, key) || Object.hasOwn(english, key),
    t: (key, vars = {}) => String(catalog[key] ?? english[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? "")),
  });
  return { ...make(lang, own), english: make(DEFAULT_LANGUAGE, english) };
}

/** Date and time in UTC, in the reader's language and digits (the same instant for every reader). */
function when(texts, ms) {
  if (ms === null || ms === undefined) return "";
  return `${formatDate(ms, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }, texts.lang)} UTC`;
}

/** A name from a catalog key family ("type.", "status.", "bundle.event."), or the code itself. */
const named = (texts, prefix, code) => (texts.has(prefix + code) ? texts.t(prefix + code) : String(code ?? ""));

/**
 * report.html of the bundle as text. `data` = {view (caseView), created, exporter: {name, kid},
 * serverKey, filename}.
 */
export function reportHtml(texts, data) {
  const { t } = texts;
  const doc = document.implementation.createHTMLDocument("");
  const el = (tag, { text = null, cls = null, auto = false } = {}, children = []) => {
    const node = doc.createElement(tag);
    if (text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    if (auto) node.dir = "auto";
    for (const child of children) node.append(child);
    return node;
  };
  const table = (heads, rows) => el("table", {}, [
    el("thead", {}, [el("tr", {}, heads.map((h) => el("th", { text: h })))]),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells))),
  ]);
  const td = (text, options = {}) => el("td", { text, ...options });
  const pairs = (list) => el("dl", {}, list.flatMap(([term, node]) => [el("dt", { text: term }), el("dd", {}, [node])]));
  const span = (text, options = {}) => el("span", { text, ...options });

  const root = doc.documentElement;
  root.lang = texts.lang;
  root.dir = texts.dir;
  const charset = doc.createElement("meta");
  charset.setAttribute("charset", "utf-8");
  const csp = doc.createElement("meta");
  csp.httpEquiv = "Content-Security-Policy";
  csp.content = REPORT_CSP;
  doc.head.prepend(charset, csp);
  doc.title = `${t("bundle.report.heading")}: ${data.view.title || data.view.case}`;

  const { view } = data;
  const body = doc.body;
  body.append(
    el("h1", { text: t("bundle.report.heading") }),
    el("p", { text: t("bundle.report.intro") }),
    pairs([
      [t("bundle.report.title"), span(view.title, { auto: true })],
      [t("bundle.report.case"), span(view.case, { cls: "id" })],
      [t("bundle.report.created"), span(when(texts, data.created))],
      [t("bundle.report.exporter"), el("span", {}, [span(data.exporter.name, { auto: true }), " — ", span(data.exporter.kid, { cls: "id" })])],
      [t("bundle.report.serverKey"), span(data.serverKey, { cls: "id" })],
    ]),
    el("h2", { text: t("bundle.report.reports") }),
  );
  for (const r of view.reports) {
    const c = r.content || {};
    const consent = r.consent === null ? t("bundle.report.consent.unknown")
      : r.consent.legal ? t("bundle.report.consent.yes", { date: when(texts, r.consent.at) }) : t("bundle.report.consent.no");
    body.append(el("section", {}, [
      el("h3", { text: r.title, auto: true }),
      pairs([
        [t("bundle.report.type"), span(named(texts, "type.", r.type), { auto: true })],
        [t("bundle.report.sender"), span(r.sender.name, { auto: true })],
        [t("bundle.report.status"), span(named(texts, "status.", r.status))],
        [t("bundle.report.consent"), span(consent)],
        [t("bundle.report.when"), span(c.when ?? "", { auto: true })],
        [t("bundle.report.where"), span(c.where ?? "", { auto: true })],
        [t("bundle.report.what"), el("div", { text: c.what ?? "", cls: "text", auto: true })],
      ]),
      el("h4", { text: t("bundle.report.versions") }),
      table([t("bundle.report.version"), t("bundle.report.record"), t("bundle.report.written"), t("bundle.report.received")],
        r.versions.map((v) => [td(formatNumber(v.ver, texts.lang)), td(v.rid, { cls: "id" }), td(when(texts, v.ts)),
          td(v.receivedByServer === null ? t("bundle.report.notReceived") : when(texts, v.receivedByServer))])),
      el("h4", { text: t("bundle.report.attachments") }),
      table([t("bundle.report.file"), t("bundle.report.size"), t("bundle.report.sha256")],
        r.attachments.map((a) => [td(a.name, { auto: true }), td(formatNumber(a.size, texts.lang)), td(a.sha256, { cls: "id" })])),
      ...(r.workingCopies.length ? [
        el("h4", { text: t("bundle.report.workingCopies") }),
        table([t("bundle.report.file"), t("bundle.report.copyOf"), t("bundle.report.by"), t("bundle.report.written")],
          r.workingCopies.map((w) => [td(w.name, { auto: true }), td(w.of.sha256, { cls: "id" }), td(w.by.name, { auto: true }),
            td(when(texts, w.at))])),
      ] : []),
    ]));
  }
  body.append(el("h2", { text: t("bundle.report.log") }));
  if (view.logVerdict.missing.length) {
    body.append(el("p", { text: t("bundle.report.missing", { n: formatNumber(view.logVerdict.missing.length, texts.lang) }), cls: "fail" }));
  }
  body.append(table(
    ["#", t("bundle.report.event"), t("bundle.report.by"), t("bundle.report.to"), t("bundle.report.received"),
      t("bundle.report.written"), t("bundle.report.check"), t("bundle.report.entry")],
    view.log.map((e, n) => [td(formatNumber(n + 1, texts.lang)), td(named(texts, "bundle.event.", e.event)), td(e.by.name, { auto: true }),
      td(e.to.map((p) => p.name).join(", "), { auto: true }),
      td(e.at === null ? t("bundle.report.notReceived") : when(texts, e.at)), td(when(texts, e.ts)),
      td(named(texts, "bundle.state.", e.state), { cls: e.state === "fail" ? "fail" : null }), td(e.entry, { cls: "id" })]),
  ));
  if (view.notes.length) {
    body.append(el("h2", { text: t("bundle.report.notes") }));
    for (const note of view.notes) {
      body.append(el("section", {}, [
        el("p", {}, [span(note.by.name, { auto: true }), " — ", span(when(texts, note.at))]),
        el("p", { text: note.text, cls: "text", auto: true }),
      ]));
    }
  }
  body.append(
    el("h2", { text: t("bundle.report.verify") }),
    el("p", { text: t("bundle.report.verifyText") }),
    el("pre", { text: `safepassage verify ${data.filename}`, cls: "id" }),
  );
  // The style sheet is a constant, added to the serialised text: a <style> element inserted
  // into any document this page creates is checked against the app's own CSP (style-src
  // 'self') and reported as a violation. Nothing in the head serialises to "</head>" before
  // the real one (text is escaped), so the first match is the end of the head.
  return `<!DOCTYPE html>\n${root.outerHTML.replace("</head>", () => `<style>${STYLE}</style></head>`)}\n`;
}

/** README.txt: what the bundle is and how to verify it, in the reader's language, then English. */
export function readmeText(texts, { caseId, kid, filename, sealed }) {
  const part = ({ t }) => [
    t("bundle.readme.title"), "",
    t("bundle.readme.what", { case: caseId }), "",
    t("bundle.readme.verify"), "",
    `    safepassage verify ${filename}`, "",
    t("bundle.readme.tool"), "",
    ...(sealed ? [t("bundle.readme.sealed"), ""] : []),
    t("bundle.readme.exporter", { kid }), "",
    t("bundle.readme.report"), "",
  ].join("\n");
  const parts = [part(texts)];
  if (texts.lang !== DEFAULT_LANGUAGE) parts.push(part(texts.english));
  return parts.join("\n----------------------------------------\n\n");
}
