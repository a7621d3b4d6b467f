// The name and icon the app shows. A delegate may choose a neutral "Notes" so that the browser
// tab, the task switcher and the Home Screen do not announce what the app is to someone
// glancing at the phone. A preference, not a secret (anyone holding the phone sees it anyway).
import { setTitleKey, t } from "../i18n.js";
import { getPreference, setPreference } from "../store/db.js";

export const APPEARANCES = {
  standard: {
    nameKey: "app.name", manifest: "/manifest.webmanifest", theme: "#0b4f6c",
    icon: "/icons/icon-32.png", touchIcon: "/icons/icon-180.png",
  },
  notes: {
    nameKey: "appearance.notes.name", manifest: "/manifest-notes.webmanifest", theme: "#eceef0",
    icon: "/icons/notes-32.png", touchIcon: "/icons/notes-180.png",
  },
};

let current = "standard";

export function currentAppearance() {
  return current;
}

export function appNameKey() {
  return APPEARANCES[current].nameKey;
}

export async function loadAppearance() {
  const saved = await getPreference("appearance");
  current = saved in APPEARANCES ? saved : "standard";
  apply();
}

export async function chooseAppearance(name) {
  if (!(name in APPEARANCES)) return;
  current = name;
  await setPreference("appearance", name);
  apply();
}

function apply() {
  const look = APPEARANCES[current];
  document.querySelector('link[rel="manifest"]').href = look.manifest;
  document.querySelector('link[rel="icon"]').href = look.icon;
  document.querySelector('link[rel="apple-touch-icon"]').href = look.touchIcon;
  document.querySelector('meta[name="theme-color"]').content = look.theme;
  const heading = document.querySelector(".app-title");
  heading.dataset.i18n = look.nameKey;
  heading.textContent = t(look.nameKey);
  if (!document.body.classList.contains("neutral")) setTitleKey(look.nameKey);
}
