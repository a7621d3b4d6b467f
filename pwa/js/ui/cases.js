// "Cases" (focal points and legal supporters): every case this account holds — reports a focal
// point referred to a legal supporter together — with its title (or a neutral fallback), how
// many reports, when its last custody event happened, who referred it, and whether its custody
// log is complete, said in words and with a sign. Titles and names are other people's text.
import * as legal from "../legal/index.js";
import { el, liveRegion, onLanguageChange, say, setText } from "./dom.js";
import { plural } from "./account-text.js";
import { isolate, legalErrorKey, liveTexts, verdictTag } from "./legal-text.js";
import { personName } from "./sharing-text.js";

export function casesScreen(ctx, { notice = null } = {}) {
  const list = el("ul", { className: "incidents cases", "aria-labelledby": "cases-title" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const texts = liveTexts();
  let cases = [];
  let loaded = false;

  function entry(c) {
    const title = typeof c.title === "string" ? c.title.trim() : "";
    const reports = Number.isSafeInteger(c.reports) ? c.reports : 0;
    const complete = c.complete === true;
    const when = el("span", {});
    texts.date(when, c.last);
    const open = el("button", {
      type: "button", className: `incident case-item${complete ? "" : " incomplete"}`,
      onclick: () => ctx.go("case", { caseId: c.case }),
    }, [
      title
        ? el("span", { className: "incident-title", dir: "auto", text: title })
        : el("span", { className: "incident-title", i18n: "cases.untitled" }),
      el("span", { className: "incident-meta" }, [
        texts.count(el("span", {}), "count.casereports", reports),
        el("span", { text: " · " }),
        el("span", { i18n: "cases.last" }), el("span", { text: " " }), when,
      ]),
      c.referredBy ? setText(el("span", { className: "incident-meta" }), "cases.referredby", { name: isolate(personName(c.referredBy)) }) : null,
      el("span", { className: "tags" }, [
        verdictTag(complete ? "ok" : "fail"),
        el("span", { className: "custody-mark", i18n: complete ? "cases.custody.complete" : "cases.custody.incomplete" }),
      ]),
    ]);
    return el("li", { "data-case": String(c.case ?? "") }, [open]);
  }

  function render() {
    texts.forget(list);
    list.replaceChildren(...cases.map(entry));
    if (!loaded) return;
    if (!cases.length) say(status, "cases.empty");
    else status.textContent = plural("count.cases", cases.length);
  }

  async function load() {
    try {
      const found = await legal.cases();
      cases = (Array.isArray(found) ? found : []).filter((c) => c && typeof c === "object")
        .sort((a, b) => (Number(b.last) || 0) - (Number(a.last) || 0));
      loaded = true;
      render();
    } catch (e) {
      say(error, legalErrorKey(e));
    }
  }

  const node = el("section", { className: "card", "aria-labelledby": "cases-title" }, [
    el("h2", { id: "cases-title", i18n: "cases.title" }),
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    el("p", { i18n: "cases.intro" }),
    status,
    error,
    list,
  ]);
  load();
  const stop = onLanguageChange(() => { if (loaded && cases.length) status.textContent = plural("count.cases", cases.length); });
  return { node, dispose() { stop(); texts.dispose(); } };
}
