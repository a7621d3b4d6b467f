// "Statistics" (focal points and legal supporters): counts over the received reports whose
// signed consent allows statistics — by type, by month, by place. Each chart is an SVG built
// element by element (role="img", labelled), with a table of the same numbers for screen
// readers; "Export CSV" saves the service's CSV (cells that could be formulas are quoted).
import * as sharing from "../sharing/index.js";
import { formatMonth, t } from "../i18n.js";
import { formatNumber, plural } from "./account-text.js";
import { button, el, liveRegion, onLanguageChange, say, uid } from "./dom.js";
import { typeKey } from "./incident-types.js";
import { sharingErrorKey } from "./sharing-text.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const ROW = 48; // a label line and a bar under it
const BAR = 16;
const LABEL_MAX = 40;

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function shorten(label) {
  return label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label;
}

/** Horizontal bars growing from the start side (the right, in Arabic), largest first. */
export function barChart(rows, labelKey) {
  const rtl = document.documentElement.dir === "rtl";
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const height = Math.max(ROW, rows.length * ROW);
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "chart", role: "img", focusable: "false" });
  chart.setAttribute("aria-label", t(labelKey));
  rows.forEach(([label, n], i) => {
    const y = i * ROW;
    const w = Math.max(2, Math.round((n / max) * (WIDTH - 48)));
    const count = formatNumber(n);
    chart.append(
      svg("text", { x: rtl ? WIDTH : 0, y: y + 16, "text-anchor": rtl ? "end" : "start", class: "chart-label" }, shorten(label)),
      svg("rect", { x: rtl ? WIDTH - w : 0, y: y + 24, width: w, height: BAR, rx: 2, class: "chart-bar" }),
      svg("text", { x: rtl ? WIDTH - w - 6 : w + 6, y: y + 37, "text-anchor": rtl ? "end" : "start", class: "chart-count" }, count),
    );
  });
  return chart;
}

/** The numbers of a chart as a table for screen readers, in a visually hidden <div> (a table
 *  itself would ignore the 1 px box and widen the page). */
function table(rows, captionKey, headKey) {
  return el("div", { className: "visually-hidden" }, [el("table", {}, [
    el("caption", { i18n: captionKey }),
    el("thead", {}, [el("tr", {}, [el("th", { scope: "col", i18n: headKey }), el("th", { scope: "col", i18n: "stats.reports" })])]),
    el("tbody", {}, rows.map(([label, n]) => el("tr", {}, [el("th", { scope: "row", dir: "auto", text: label }), el("td", { text: formatNumber(n) })]))),
  ])]);
}

/** [[label, count]] of one dimension; months in time order, the others largest first. */
function rowsOf(counts, labelOf, byKey = false) {
  const entries = Object.entries(counts && typeof counts === "object" ? counts : {})
    .map(([key, n]) => [key, Math.max(0, Number(n) || 0)]).filter(([, n]) => n > 0);
  entries.sort(byKey ? (a, b) => a[0].localeCompare(b[0]) : (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.map(([key, n]) => [labelOf(key), n]);
}

const DIMENSIONS = [
  { key: "byType", title: "stats.bytype", chart: "stats.bytype.chart", head: "stats.type", label: (k) => t(typeKey(k)) },
  { key: "byMonth", title: "stats.bymonth", chart: "stats.bymonth.chart", head: "stats.month", label: (key) => formatMonth(key), byKey: true },
  { key: "byPlace", title: "stats.byplace", chart: "stats.byplace.chart", head: "stats.place", label: (k) => k || t("stats.place.none") },
];

export function statisticsScreen() {
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const summary = el("p", { className: "plan" });
  const charts = el("div", { className: "stack" });
  let stats = null;

  function render() {
    if (!stats) return;
    const total = Math.max(0, Number(stats.total) || 0);
    const excluded = Math.max(0, Number(stats.excluded) || 0);
    summary.textContent = `${plural("count.counted", total)} ${plural("count.excluded", excluded)}`;
    charts.replaceChildren(...DIMENSIONS.map((d) => {
      const rows = rowsOf(stats[d.key], d.label, d.byKey);
      const id = uid("chart");
      return el("section", { className: "chart-block", "aria-labelledby": id }, [
        el("h3", { id, i18n: d.title }),
        rows.length ? barChart(rows, d.chart) : el("p", { i18n: "stats.none" }),
        rows.length ? table(rows, d.chart, d.head) : null,
      ]);
    }));
  }

  async function load() {
    try {
      stats = await sharing.statistics();
      render();
    } catch (e) {
      say(error, sharingErrorKey(e));
    }
  }

  const exportButton = button("stats.export", async () => {
    say(error, null);
    exportButton.disabled = true;
    try {
      const csv = await sharing.statisticsCsv();
      const url = URL.createObjectURL(new Blob([String(csv)], { type: "text/csv;charset=utf-8" }));
      const link = el("a", { download: `safe-passage-statistics-${new Date().toISOString().slice(0, 10)}.csv` });
      link.href = url;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(status, "stats.exported");
    } catch (e) {
      say(error, sharingErrorKey(e));
    } finally {
      exportButton.disabled = false;
    }
  }, "button block");

  const node = el("section", { className: "card", "aria-labelledby": "stats-title" }, [
    el("h2", { id: "stats-title", i18n: "stats.title" }),
    el("p", { i18n: "stats.intro" }),
    summary,
    charts,
    exportButton,
    status,
    error,
  ]);
  load();
  const stop = onLanguageChange(render);
  return { node, dispose: stop };
}
