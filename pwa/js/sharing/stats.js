// Statistics over received reports, only those whose author's SIGNED share consent says
// "statistics": counts by type, by month of the incident and by place; and the same numbers as
// CSV, safe to open in a spreadsheet.
import { context } from "../sync/auth.js";
import { buildReports } from "./reports.js";
import { sharingState } from "./state.js";

function contentOf(item) {
  try {
    const c = JSON.parse(item.body.c);
    return c && typeof c === "object" && !Array.isArray(c) ? c : {};
  } catch {
    return {};
  }
}

/** "YYYY-MM" of the incident: its own `when` (local ISO text) if well-formed, else its sealed ts. */
function monthOf(content, ts) {
  const when = typeof content.when === "string" ? content.when.match(/^(\d{4})-(\d{2})/) : null;
  if (when && Number(when[2]) >= 1 && Number(when[2]) <= 12) return `${when[1]}-${when[2]}`;
  const d = new Date(Number(ts) || 0);
  return `${String(d.getUTCFullYear()).padStart(4, "0")}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

const placeOf = (content) => {
  const where = typeof content.where === "string" ? content.where.normalize("NFC").trim().replace(/\s+/g, " ") : "";
  return where ? where.slice(0, 200) : "unknown";
};

const bump = (map, key) => {
  map[key] = (map[key] || 0) + 1;
};

/**
 * {total, excluded, byType, byMonth, byPlace}: `total` reports counted (their latest signed share
 * allows statistics), `excluded` the others. Each report counts once (its current version).
 */
export async function statistics() {
  const ctx = await context();
  const st = await sharingState(ctx.s);
  const out = { total: 0, excluded: 0, byType: {}, byMonth: {}, byPlace: {} };
  for (const r of buildReports(st).reports) {
    if (r.kind !== "report") continue;
    const consent = r.latestShare && r.latestShare.body.consent;
    if (!consent || consent.statistics !== true) {
      out.excluded++;
      continue;
    }
    const content = contentOf(r.head);
    out.total++;
    bump(out.byType, typeof content.type === "string" && content.type ? content.type : "other");
    bump(out.byMonth, monthOf(content, r.head.body.ts));
    bump(out.byPlace, placeOf(content));
  }
  return out;
}

/**
 * One CSV cell. A cell starting with = + - @ (or tab / carriage return) would be run as a formula
 * by spreadsheet programs (CSV injection): it is prefixed with ' so it stays text. Cells with a
 * comma, quote or line break are quoted, quotes doubled (RFC 4180).
 */
export function csvCell(value) {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  if (/[",\r\n]/.test(text)) text = '"' + text.replace(/"/g, '""') + '"';
  return text;
}

/** "dimension,value,count" then one line per type, month and place (CRLF line ends). */
export async function statisticsCsv() {
  const stats = await statistics();
  const lines = [["dimension", "value", "count"]];
  const sorted = (obj) => Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [dimension, counts] of [["type", stats.byType], ["month", stats.byMonth], ["place", stats.byPlace]]) {
    for (const [value, count] of sorted(counts)) lines.push([dimension, value, count]);
  }
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
