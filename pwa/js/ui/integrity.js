// The "Integrity" region of one item in case review: one line per check the legal service
// made (signature, chain, each attachment, receipt, custody, consent), each a verdict with a sign
// and a word ("✓ OK", "! Warning", "✗ Failed", "… Not checked yet") and one plain sentence.
// It re-reads the checks on refresh() — after a file was opened, its hash check changes — and
// re-words them (dates, event names) when the language changes; dispose() stops that.
import { el, onLanguageChange, say, setText, uid } from "./dom.js";
import { checkKey, checkSentence, custodyLine, legalErrorKey, verdictOf, verdictTag } from "./legal-text.js";

function line(check) {
  const c = check && typeof check === "object" ? check : {};
  const name = typeof c.check === "string" ? c.check : "";
  const state = verdictOf(c.state);
  const { key, vars } = checkSentence(name, state, c.params, c.reasons);
  const events = name === "custody" && c.params && Array.isArray(c.params.events) ? c.params.events : [];
  return el("li", { className: `integrity-line verdict-${state}`, "data-check": name || "other" }, [
    el("div", { className: "integrity-head" }, [
      el("span", { className: "integrity-check", i18n: checkKey(name) }),
      verdictTag(state),
    ]),
    setText(el("p", { className: "integrity-text" }), key, vars),
    events.length ? el("ul", { className: "custody-lines" }, events.map(custodyLine)) : null,
  ]);
}

/**
 * A region named "Integrity" (its heading), for the item `load()` returns the checks of.
 * `describedBy` names the item (its title) for screen reader users who jump between regions.
 */
export function integrityRegion(load, { describedBy = null, level = "h5" } = {}) {
  const headingId = uid("integrity");
  const list = el("ul", { className: "integrity-lines" }, [
    el("li", { className: "integrity-line", i18n: "integrity.loading" }),
  ]);
  const error = el("p", { className: "message error", role: "alert" });
  const node = el("section", {
    className: "integrity", "aria-labelledby": headingId, "aria-describedby": describedBy,
  }, [el(level, { id: headingId, i18n: "integrity.title" }), list, error]);

  let asked = 0;
  let shown = null; // the checks last read
  const render = () => { if (shown) list.replaceChildren(...shown.map(line)); };
  const stop = onLanguageChange(render);
  async function refresh() {
    const mine = ++asked;
    try {
      const checks = await load();
      if (mine !== asked) return;
      say(error, null);
      shown = [].concat(checks || []);
      render();
    } catch (e) {
      if (mine !== asked) return;
      say(error, legalErrorKey(e));
      list.replaceChildren(el("li", { className: "integrity-line verdict-fail" }, [verdictTag("fail"), el("span", { i18n: "integrity.error" })]));
    }
  }
  refresh();
  return { node, refresh, dispose: stop };
}

