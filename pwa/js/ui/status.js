// Connection state and "About this app", shown in words a person can act on.
import { t } from "../i18n.js";

export function mountConnectionStatus(element) {
  const render = () => {
    element.dataset.i18n = navigator.onLine ? "connection.online" : "connection.offline";
    element.textContent = t(element.dataset.i18n);
  };
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  render();
}

export function showVersion(versionElement, offlineElement, version) {
  versionElement.removeAttribute("data-i18n");
  versionElement.textContent = version;
  offlineElement.dataset.i18n = "about.offline.ready";
  offlineElement.textContent = t("about.offline.ready");
}
