// Composition root: wires the store, the catalogs, the service worker and the screens.
import { pickLanguage, useLanguage } from "./i18n.js";
import { getPreference } from "./store/db.js";
import { registerWorker } from "./sw-client.js";
import { mountLanguagePicker } from "./ui/language-picker.js";
import { showUpdateBanner } from "./ui/update-banner.js";
import { mountConnectionStatus, showVersion } from "./ui/status.js";

const $ = (id) => document.getElementById(id);

async function start() {
  const language = pickLanguage(await getPreference("language"));
  await useLanguage(language);
  mountLanguagePicker($("language"), language);
  mountConnectionStatus($("connection"));
  await registerWorker({
    onUpdateReady: (apply) => showUpdateBanner($("update-banner"), apply),
    onVersion: (version) => showVersion($("about-version"), $("about-offline"), version),
  });
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  // Never show a raw exception to the user; the console keeps it for the developer.
  console.error("start failed:", error.name);
});
