// "Inbox" (focal points and legal supporters): reports delegates shared with this account, as
// the last "Sync now" brought them, with filters by status, type and words. Each entry says who
// sent it (and whether that sender is verified), when it came, its status, whether every check
// passed, and any flag in words. Everything shown is the sender's text: textContent only.
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { plural } from "./account-text.js";
import { el, field, liveRegion, onLanguageChange, say } from "./dom.js";
import { INCIDENT_TYPES, formatDate, typeKey } from "./incident-types.js";
import { STATUSES, alertKey, contactStateKey, flagKeys, personName, sharingErrorKey, statusKey } from "./sharing-text.js";

const BADGES = { ok: "inbox.checks.ok", warn: "inbox.checks.warn", fail: "inbox.checks.fail" };

export function inboxScreen(ctx, { notice = null } = {}) {
  const statusFilter = el("select", { name: "status" }, [
    el("option", { value: "", i18n: "inbox.filter.status.all" }),
    ...STATUSES.map((s) => el("option", { value: s, i18n: statusKey(s) })),
  ]);
  const typeFilter = el("select", { name: "type" }, [
    el("option", { value: "", i18n: "list.filter.all" }),
    ...INCIDENT_TYPES.map((type) => el("option", { value: type.value, i18n: type.i18n })),
  ]);
  const search = el("input", { type: "search", name: "q", autocomplete: "off" });
  const list = el("ul", { className: "incidents inbox", "aria-labelledby": "inbox-title" });
  const status = liveRegion("status");
  // Items that failed their checks: not a live region, it is there when the screen opens.
  const rejected = el("p", { className: "message warning rejected", hidden: true });
  let rejectedItems = 0;
  const error = liveRegion("alert");
  let items = [];
  let loaded = false;
  let asked = 0;
  let timer = null;

  function entry(item) {
    const sender = item.sender || {};
    // The list says only "a check failed", "look closer" or "checks passed"; the report says
    // which and why. (verified: no check failed; flags: every failure and order warning.)
    const flags = Array.isArray(item.flags) && item.flags.length ? flagKeys(item.flags) : [];
    const check = item.verified !== true ? "fail" : flags.length || sender.state !== "verified" ? "warn" : "ok";
    const alert = item.kind === "alert";
    const open = el("button", {
      type: "button", className: `incident inbox-item checks-${check}${alert ? " alert" : ""}`,
      onclick: () => ctx.go("report", { rid: item.rid }),
    }, [
      alert ? el("span", { className: "tag alert", i18n: alertKey(item.type) }) : null,
      el("span", { className: "incident-title", dir: "auto", text: String(item.title || t("list.untitled")) }),
      el("span", { className: "incident-meta" }, [
        el("bdi", { text: personName(sender) }),
        el("span", { text: " · " }),
        el("span", { i18n: contactStateKey(sender.state) }),
      ]),
      el("span", { className: "incident-meta", text: `${alert ? t(alertKey(item.type)) : t(typeKey(item.type))} · ${formatDate(item.received)}` }),
      el("span", { className: "tags" }, [
        el("span", { className: `tag status-${STATUSES.includes(item.status) ? item.status : "unknown"}`, i18n: statusKey(item.status || "new") }),
        el("span", { className: `tag checks-${check}`, i18n: BADGES[check] }),
      ]),
      ...flags.map((key) => el("span", { className: "flag", i18n: key })),
    ]);
    return el("li", { "data-rid": String(item.rid || "") }, [open]);
  }

  function render() {
    rejected.hidden = !rejectedItems;
    rejected.textContent = rejectedItems ? plural("inbox.rejected", rejectedItems) : "";
    list.replaceChildren(...items.map(entry));
    if (!loaded) return;
    const filtered = statusFilter.value || typeFilter.value || search.value.trim();
    if (!items.length) say(status, filtered ? "inbox.nomatch" : "inbox.empty");
    else status.textContent = plural("count.reports", items.length);
  }

  async function load() {
    const mine = ++asked;
    try {
      const found = await sharing.inbox({
        status: statusFilter.value || undefined, type: typeFilter.value || undefined, q: search.value.trim() || undefined,
      });
      const bad = await sharing.rejectedCount();
      if (mine !== asked) return; // a later filter change answered first
      items = Array.isArray(found) ? found : [];
      rejectedItems = bad;
      loaded = true;
      say(error, null);
      render();
    } catch (e) {
      say(error, sharingErrorKey(e));
    }
  }
  statusFilter.addEventListener("change", load);
  typeFilter.addEventListener("change", load);
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  });

  const node = el("section", { className: "card", "aria-labelledby": "inbox-title" }, [
    el("h2", { id: "inbox-title", i18n: "inbox.title" }),
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    el("p", { i18n: "inbox.intro" }),
    el("div", { className: "filters" }, [
      field("inbox.filter.status", statusFilter),
      field("list.filter", typeFilter),
      field("list.search", search),
    ]),
    rejected,
    status,
    error,
    list,
  ]);
  load();
  const stop = onLanguageChange(render);
  return { node, dispose() { stop(); clearTimeout(timer); } };
}
