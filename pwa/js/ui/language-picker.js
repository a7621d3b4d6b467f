// The control labelled "Language": switches the interface language and remembers the choice.
import { useLanguage } from "../i18n.js";
import { setPreference } from "../store/db.js";

export function mountLanguagePicker(select, current) {
  select.value = current;
  select.addEventListener("change", async () => {
    await useLanguage(select.value);
    await setPreference("language", select.value);
  });
}
