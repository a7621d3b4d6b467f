// Message catalogs. Every visible string comes from pwa/i18n/<lang>.json; markup names its
// strings with data-i18n (text) and data-i18n-<attribute> (e.g. data-i18n-aria-label).
// Text is always set with textContent, never parsed as HTML.

export const LANGUAGES = {
  en: { dir: "ltr" },
  ar: { dir: "rtl" },
};
export const DEFAULT_LANGUAGE = "en";

let catalog = {};
let fallback = {};

export function pickLanguage(saved, browserLanguages = navigator.languages || []) {
  if (saved in LANGUAGES) return saved;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return DEFAULT_LANGUAGE;
}

async function fetchCatalog(lang) {
  const response = await fetch(`/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
  return response.json();
}

export async function useLanguage(lang) {
  fallback = Object.keys(fallback).length ? fallback : await fetchCatalog(DEFAULT_LANGUAGE);
  catalog = lang === DEFAULT_LANGUAGE ? fallback : await fetchCatalog(lang);
  const root = document.documentElement;
  root.lang = lang;
  root.dir = LANGUAGES[lang].dir;
  translate(document);
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
