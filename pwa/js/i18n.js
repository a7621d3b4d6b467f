// Message catalogs. Every visible string comes from pwa/i18n/<lang>.json; markup names its
// strings with data-i18n (text) and data-i18n-<attribute> (e.g. data-i18n-aria-label).
// Text is always set with textContent, never parsed as HTML.
//
// Dates, times, numbers, sizes, lists and plural forms are never in a catalog: the helpers below
// format them with Intl in the current language's locale, so digits come out as the language
// writes them (Bengali ১২৩, Nepali १२३). Codes a person compares or types — Secret Key, safety
// number, hashes, device names — never go through them: they stay Latin and left to right
// (ui/dom.js ltr(), dir="ltr" lang="en" on their elements).

/**
 * The app's languages (docs/languages-contract.md), in the picker's order.
 * `locale`: the Intl locales to try, first supported wins. Chromium's ICU data (desktop builds,
 * some phones) leaves Nepali out; the browser would then fall back to English month names and
 * Latin digits, so Nepali falls back to Hindi's Devanagari formats with Devanagari digits — the
 * same script and numerals, month names a Nepali reader recognises.
 */
export const LANGUAGES = Object.freeze({
  en: { dir: "ltr", locale: ["en"] },
  ar: { dir: "rtl", locale: ["ar"] },
  id: { dir: "ltr", locale: ["id"] },
  fil: { dir: "ltr", locale: ["fil"] },
  ne: { dir: "ltr", locale: ["ne", "hi-u-nu-deva"] },
  bn: { dir: "ltr", locale: ["bn"] },
  ur: { dir: "rtl", locale: ["ur"] },
});
export const DEFAULT_LANGUAGE = "en";

// Browser language tags whose base is not the app's code: "tl" (Tagalog) is read as Filipino,
// "in" is the pre-1989 code for Indonesian that old Android versions still report.
const ALIASES = { tl: "fil", in: "id" };

let current = DEFAULT_LANGUAGE;
let catalog = {};
let fallback = {};

/** The language the interface is in now (a key of LANGUAGES). */
export function currentLanguage() {
  return current;
}

/** The Intl locales of `lang` (default: the current language), for Intl constructors. */
export function intlLocale(lang = current) {
  return (LANGUAGES[lang] || LANGUAGES[DEFAULT_LANGUAGE]).locale;
}

export function pickLanguage(saved, browserLanguages = navigator.languages || []) {
  if (typeof saved === "string" && Object.hasOwn(LANGUAGES, saved)) return saved;
  for (const tag of browserLanguages) {
    const base = String(tag).toLowerCase().split(/[-_]/)[0];
    const code = ALIASES[base] || base;
    if (Object.hasOwn(LANGUAGES, code)) return code;
  }
  return DEFAULT_LANGUAGE;
}

async function fetchCatalog(lang) {
  const response = await fetch(`/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
  return response.json();
}

/**
 * Switches the interface to `lang` and returns the language actually in use: a language whose
 * catalog cannot be read (not shipped yet, or a damaged cache) leaves the interface in English,
 * with a warning on the console — never a blank or broken screen.
 */
export async function useLanguage(lang) {
  fallback = Object.keys(fallback).length ? fallback : await fetchCatalog(DEFAULT_LANGUAGE);
  let used = Object.hasOwn(LANGUAGES, lang) ? lang : DEFAULT_LANGUAGE;
  if (used === DEFAULT_LANGUAGE) {
    catalog = fallback;
  } else {
    try {
      catalog = await fetchCatalog(used);
    } catch (e) {
      console.warn(`language ${used}: ${e.message}; showing English`);
      used = DEFAULT_LANGUAGE;
      catalog = fallback;
    }
  }
  current = used;
  const root = document.documentElement;
  root.lang = used; // ui/dom.js watches this attribute and re-draws dates, counts and sentences
  root.dir = LANGUAGES[used].dir;
  translate(document);
  return used;
}

// A missing key is a bug: it is reported on the console (tests fail on console errors) and the
// English text is shown rather than a raw key.
export function t(key, vars = {}) {
  let text = catalog[key] ?? fallback[key];
  if (text === undefined) {
    console.error(`missing message: ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// The key of the document title: the app's name (or the neutral name the delegate chose), or a
// screen's own neutral title.
let titleKey = "app.name";

export function setTitleKey(key) {
  titleKey = key;
  document.title = t(key);
}

export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  document.title = t(titleKey);
}

// --- Intl: numbers, counts, sizes, dates, lists ------------------------------------------------

/** A count or an amount as the language writes it ("1,234"; Bengali "১,২৩৪"). */
export function formatNumber(n, lang = current) {
  return new Intl.NumberFormat(intlLocale(lang)).format(n);
}

/**
 * A counted phrase from a catalog family `base`.{zero,one,two,few,many,other} (every catalog
 * has all six; Intl.PluralRules picks the one the language uses for `n`), with {n} formatted.
 */
export function plural(base, n) {
  const form = new Intl.PluralRules(intlLocale()).select(n);
  return t(`${base}.${form}`, { n: formatNumber(n) });
}

/** A size in decimal units, as phones show storage: "4.1 MB", "১২.৫ kB". */
export function formatBytes(bytes, lang = current) {
  const value = Math.max(0, Number(bytes) || 0);
  const [unit, divisor] = value >= 1e9 ? ["gigabyte", 1e9] : value >= 1e6 ? ["megabyte", 1e6] : ["kilobyte", 1e3];
  return new Intl.NumberFormat(intlLocale(lang), {
    style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1,
  }).format(value / divisor);
}

function toDate(value) {
  if (value instanceof Date) return value;
  return typeof value === "number" ? new Date(value) : new Date(String(value ?? ""));
}

/** A moment for people (date and time), or "" for anything unparseable. `options` replace the
 *  default styles, e.g. { dateStyle: "full" } or { timeZone: "UTC", timeStyle: "medium" }. */
export function formatDate(value, options = null, lang = current) {
  const date = toDate(value);
  if (value === null || value === undefined || Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(intlLocale(lang), options || { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** The time of day only ("14:05", "২:০৫ PM"). */
export function formatTime(value, lang = current) {
  return formatDate(value, { timeStyle: "short" }, lang);
}

/** A day given as "YYYY-MM-DD" (the server keeps some dates coarse on purpose); "" otherwise. */
export function formatDay(text, lang = current) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text || ""));
  if (!match) return "";
  return formatDate(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])), { dateStyle: "medium" }, lang);
}

/** A month given as "YYYY-MM" ("November 2026"); the text itself if it is not one. */
export function formatMonth(text, lang = current) {
  const match = /^(\d{4})-(\d{2})$/.exec(String(text || ""));
  if (!match) return String(text ?? "");
  return formatDate(new Date(Number(match[1]), Number(match[2]) - 1, 1), { year: "numeric", month: "long" }, lang);
}

/** Items listed the way the language lists them ("A, B and C"; Arabic "A وB وC"). */
export function formatList(items, lang = current) {
  try {
    return new Intl.ListFormat(intlLocale(lang), { type: "conjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}
