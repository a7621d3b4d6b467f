// "My incidents": the latest version of each record, decrypted in memory, with a search box and
// a type filter that work on that in-memory copy (nothing readable is ever indexed on disk).
import * as vault from "../vault/index.js";
import { formatNumber, t } from "../i18n.js";
import { el, field, liveRegion, onLanguageChange, say } from "./dom.js";
import { INCIDENT_TYPES, formatDate, typeKey } from "./incident-types.js";

function searchable(incident) {
  const c = incident.content || {};
  return [c.title, c.where, c.officials, c.what, c.questions, c.impact, c.witnesses, c.help, t(typeKey(c.type))]
    .filter(Boolean).join("\n").toLocaleLowerCase();
}

/** One entry per incident even if the list names several heads of one (each lists the others
 *  in `conflicts`): the first, i.e. the newest. The vault lists one head per incident today;
 *  this keeps the screen right if that changes. */
export function oneEntryPerIncident(incidents) {
  const shown = new Set();
  return incidents.filter((incident) => {
    const others = Array.isArray(incident.conflicts) ? incident.conflicts : [];
    if (others.some((rid) => shown.has(rid))) return false;
    shown.add(incident.rid);
    return true;
  });
}

export function incidentListScreen(ctx, { notice = null } = {}) {
  const search = el("input", { type: "search", name: "search", autocomplete: "off" });
  const filter = el("select", { name: "type" }, [
    el("option", { value: "", i18n: "list.filter.all" }),
    ...INCIDENT_TYPES.map((type) => el("option", { value: type.value, i18n: type.i18n })),
  ]);
  const list = el("ul", { className: "incidents", "aria-labelledby": "list-title" });
  const status = liveRegion("status");
  const warning = el("p", { className: "message error", role: "alert" });
  let incidents = [];

  function render() {
    const query = search.value.trim().toLocaleLowerCase();
    const shown = incidents.filter((incident) =>
      (!filter.value || (incident.content || {}).type === filter.value)
      && (!query || searchable(incident).includes(query)));
    list.replaceChildren(...shown.map((incident) => {
      const c = incident.content || {};
      // Two devices edited this incident before syncing: one entry, flagged in words.
      const conflict = Array.isArray(incident.conflicts) && incident.conflicts.length > 0;
      const open = el("button", {
        type: "button", className: conflict ? "incident conflict" : "incident",
        onclick: () => ctx.go("detail", { rid: incident.rid }),
      }, [
        conflict ? el("span", { className: "tag conflict", i18n: "list.conflict" }) : null,
        el("span", { className: "incident-title", text: c.title || t("list.untitled") }),
        el("span", { className: "incident-meta", text: `${t(typeKey(c.type))} · ${formatDate(c.when || incident.savedAt)}` }),
      ]);
      return el("li", {}, [open]);
    }));
    if (!incidents.length) say(status, "list.empty");
    else if (!shown.length) say(status, "list.nomatch");
    else say(status, "list.count", { shown: formatNumber(shown.length), total: formatNumber(incidents.length) });
  }
  search.addEventListener("input", render);
  filter.addEventListener("change", render);

  vault.listIncidents().then((found) => {
    incidents = oneEntryPerIncident(found);
    render();
  }).catch(() => say(status, "error.unknown"));
  // What the last unlock found: records that would not open, or a gap in this device's chain.
  if (typeof vault.integrity === "function") {
    vault.integrity().then(({ damaged, chain }) => {
      if (damaged > 0) say(warning, "list.integrity.damaged", { n: formatNumber(damaged) });
      else if (chain === "broken") say(warning, "list.integrity.chain");
    }).catch(() => {});
  }

  const node = el("section", { className: "card", "aria-labelledby": "list-title" }, [
    el("h2", { id: "list-title", i18n: "list.title" }),
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    warning,
    el("div", { className: "filters" }, [field("list.search", search), field("list.filter", filter)]),
    status,
    list,
  ]);
  const stop = onLanguageChange(render);
  return { node, dispose: stop };
}
