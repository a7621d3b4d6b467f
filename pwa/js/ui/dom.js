// Tiny DOM helpers for the screens. Text is only ever set with textContent (user content can be
// hostile: another person's report may contain markup); nothing is parsed as HTML.
// An attribute named i18n (a catalog key) sets data-i18n so translate() re-labels the element on a language switch.
import { formatDate, formatNumber, plural, t } from "../i18n.js";

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "i18n") {
      node.dataset.i18n = value;
      node.textContent = t(value);
    } else if (name === "i18nLabel") {
      node.dataset.i18nAriaLabel = value;
      node.setAttribute("aria-label", t(value));
    } else if (name === "text") {
      node.textContent = value;
    } else if (name === "className") {
      node.className = value;
    } else if (name.startsWith("on")) {
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled control: <div class="field"><label for=id>…</label>control [hint]</div>. */
export function field(labelKey, control, hintKey = null) {
  control.id ||= uid("f");
  const children = [el("label", { for: control.id, i18n: labelKey }), control];
  if (hintKey) {
    const hint = el("p", { className: "hint", id: uid("hint"), i18n: hintKey });
    control.setAttribute("aria-describedby", hint.id);
    children.push(hint);
  }
  return el("div", { className: "field" }, children);
}

export function button(i18nKey, onClick, className = "button") {
  return el("button", { type: "button", className, i18n: i18nKey, onclick: onClick });
}

/** A live region for progress and errors (role=status, polite) or alerts (role=alert). */
export function liveRegion(role = "status") {
  return el("p", { className: role === "alert" ? "message error" : "message", role, "aria-live": role === "alert" ? "assertive" : "polite" });
}

/** Sets a live region's text from a catalog key (kept translatable) or clears it. */
export function say(region, key, vars = null) {
  if (!key) {
    region.removeAttribute("data-i18n");
    region.removeAttribute("data-i18n-key");
    region.textContent = "";
    return;
  }
  if (vars) {
    setText(region, key, vars);
  } else {
    region.removeAttribute("data-i18n-key"); // a sentence setText() put there before
    region.dataset.i18n = key;
    region.textContent = t(key);
  }
}

/** Text from a catalog key with {placeholders}; re-rendered when the language changes
 * (translate() only knows plain keys). A placeholder's value is a string, a run from own() or
 * ltr(), which gets an element of its own, or a list of those (several names). */
export function setText(node, key, vars) {
  node.removeAttribute("data-i18n");
  node.dataset.i18nKey = key;
  node.dataset.i18nVars = JSON.stringify(vars);
  fill(node, key, vars);
  return node;
}

/**
 * Someone else's text (a name, a title, a file name) as a placeholder value of setText(): set
 * in a <bdi>, so it takes its own direction from its first letter while the sentence keeps the
 * interface's. A Latin name in an Arabic sentence (or an Arabic one in English) then neither
 * reorders the words around it nor turns the whole line around.
 */
export function own(text) {
  return { run: String(text ?? "") };
}

/** Several people's names as one placeholder value: each its own run, comma-separated. */
export function ownList(names) {
  return [].concat(names || []).flatMap((name, i) => (i ? [", ", own(name)] : [own(name)]));
}

/** Someone else's name or title as a line of its own (a span of class `className`): the line
 *  takes the interface's direction — in Arabic it starts on the right, like the lines around it —
 *  and the text inside is an isolated run (<bdi>) that keeps its own direction. */
export function ownLine(className, text, attrs = {}) {
  return el("span", { className, ...attrs }, [el("bdi", { text: String(text ?? "") })]);
}

/** A hash or a command-line option as a placeholder value of setText(): an isolated run that
 *  reads left to right in every language; `code` sets it in <code>, kept on one line. */
export function ltr(text, { code = false } = {}) {
  return { run: String(text ?? ""), dir: "ltr", code };
}

/** A count or an amount as a placeholder value of setText(): formatted when the sentence is
 *  drawn, so its digits follow a language switch (Bengali ৫, Nepali ५) like the words around it. */
export function num(n) {
  return { num: Number(n) };
}

/** A moment (milliseconds or an ISO string) as a placeholder value of setText(), formatted
 *  in the interface language each time the sentence is drawn. */
export function moment(value) {
  return { moment: value ?? null };
}

/** A count as a placeholder value of setText(): `base`'s plural form for `n` (count.* keys),
 *  chosen with Intl.PluralRules in the interface language each time the sentence is drawn. */
export function counted(base, n) {
  return { counted: base, n: Number(n) };
}

/** num(), counted() and moment() values as text in the current language; anything else unchanged. */
function resolve(value) {
  if (value && typeof value === "object" && "num" in value) return formatNumber(value.num);
  if (value && typeof value === "object" && "counted" in value) return plural(value.counted, value.n);
  if (value && typeof value === "object" && "moment" in value) return formatDate(value.moment);
  return value;
}

/** A placeholder value as a node: a string as text, a run as its <bdi> or <code>. */
function piece(value) {
  if (!value || typeof value !== "object") return String(value ?? "");
  return el(value.code ? "code" : "bdi", { dir: value.dir, text: String(value.run ?? "") });
}

function fill(node, key, given = {}) {
  const vars = Object.fromEntries(Object.entries(given).map(([name, value]) => [name, resolve(value)]));
  if (!Object.values(vars).some((value) => value && typeof value === "object")) {
    node.textContent = t(key, vars);
    return;
  }
  // The sentence with its placeholders kept, cut at them: the words become text nodes and each
  // value a text node or an element of its own (nothing is parsed as HTML).
  const template = t(key, Object.fromEntries(Object.keys(vars).map((name) => [name, `{${name}}`])));
  node.replaceChildren(...template.split(/\{(\w+)\}/).flatMap((part, i) => {
    if (i % 2 === 0) return [part];
    const value = vars[part];
    return Array.isArray(value) ? value.map(piece) : [piece(value)];
  }));
}

// useLanguage() sets <html lang> after loading the catalog: the observer runs right after, to
// re-render texts with placeholders and anything a screen registered (dates, type names).
const languageWatchers = new Set();
new MutationObserver(() => {
  for (const node of document.querySelectorAll("[data-i18n-key]")) {
    fill(node, node.dataset.i18nKey, JSON.parse(node.dataset.i18nVars || "{}"));
  }
  for (const fn of languageWatchers) fn();
}).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

/** Calls fn after each language switch; returns the function that stops it (call on dispose). */
export function onLanguageChange(fn) {
  languageWatchers.add(fn);
  return () => languageWatchers.delete(fn);
}

/** Progress from the vault's onProgress: a number in 0..1, or {done, total}, or {fraction}. */
export function progressFraction(p) {
  if (typeof p === "number") return p > 1 ? p / 100 : p;
  if (p && typeof p.fraction === "number") return p.fraction;
  if (p && (p.type === "done" || p.phase === "saved")) return 1;
  if (p && typeof p.done === "number" && p.total) return p.done / p.total;
  return null;
}

export function progressBar(labelKey) {
  const bar = el("progress", { max: "100", i18nLabel: labelKey });
  const update = (p) => {
    const f = progressFraction(p);
    if (f === null) bar.removeAttribute("value");
    else bar.value = Math.round(Math.min(1, Math.max(0, f)) * 100);
  };
  return { bar, update };
}

/** Runs `work` (a button's action) with the button marked busy — aria-disabled, and a second
 *  press ignored until the work is done — rather than disabled: Chromium takes the keyboard focus
 *  off a button that becomes disabled, and the person would start again from the top of the page. */
export async function whileBusy(control, work) {
  if (control.getAttribute("aria-disabled") === "true") return undefined;
  control.setAttribute("aria-disabled", "true");
  try {
    return await work();
  } finally {
    control.removeAttribute("aria-disabled");
  }
}

/** Shows that long work is under way (button disabled, indeterminate progress, a status line)
 *  and returns the function that puts the form back if the work fails. */
export function startBusy({ submit, progress, status }, workingKey) {
  submit.disabled = true;
  progress.bar.hidden = false;
  progress.update(null);
  say(status, workingKey);
  return () => {
    submit.disabled = false;
    progress.bar.hidden = true;
    say(status, null);
  };
}

/** Which VaultError code (or "unknown") an error carries; never its message. */
export function errorCode(error) {
  return error && typeof error.code === "string" ? error.code : "unknown";
}
