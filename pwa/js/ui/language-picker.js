// The control labelled "Language": switches the interface language and remembers the choice.
// It lists every language of i18n.js's LANGUAGES by its own name (the endonym, the same in every
// catalog: a Nepali speaker finds "नेपाली" whatever language the screen is in), each option
// marked with its language and direction so a screen reader and the text layout get it right.
import { LANGUAGES, useLanguage } from "../i18n.js";
import { setPreference } from "../store/db.js";
import { el } from "./dom.js";

export function mountLanguagePicker(select, current) {
  select.replaceChildren(...Object.entries(LANGUAGES).map(([code, { dir }]) =>
    el("option", { value: code, lang: code, dir, i18n: `language.${code}` })));
  select.value = current;
  select.addEventListener("change", async () => {
    const chosen = select.value;
    const used = await useLanguage(chosen);
    // A language without a catalog (not shipped yet) leaves the interface in English: the
    // control says so, and the choice is not remembered.
    select.value = used;
    if (used === chosen) await setPreference("language", chosen);
  });
}
