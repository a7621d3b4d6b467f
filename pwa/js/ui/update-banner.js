// What the page says about releases: "A new version is ready" with a "Reload to update" button
// (code is never swapped under a user who may be halfway through writing a report), a warning
// that stays when an update was refused, and the release facts of "About this app".
import { t } from "../i18n.js";

export function showUpdateBanner(banner, apply) {
  const button = banner.querySelector("#update-reload");
  button.addEventListener("click", () => {
    button.disabled = true;
    apply();
  }, { once: true });
  banner.hidden = false;
}

const REFUSAL_KEYS = {
  signature: "release.refused.signature",
  key: "release.refused.key",
  file: "release.refused.file",
};

/**
 * The service worker refused an update ({reason, path}): say so in words, and keep saying it
 * (role="alert", never dismissed by a timer). The version that runs is the one already trusted.
 */
export function showRefusal(banner, { reason, path }) {
  const text = banner.querySelector("#release-warning-text");
  text.dataset.i18n = REFUSAL_KEYS[reason] || REFUSAL_KEYS.signature;
  text.textContent = t(text.dataset.i18n);
  const file = banner.querySelector("#release-warning-file");
  file.textContent = reason === "file" && path ? path : "";
  file.hidden = !file.textContent;
  banner.hidden = false;
}

/** Hex in groups of four, so two people can read it to each other. */
export function groupHex(hex) {
  return (hex.match(/.{1,4}/g) || []).join(" ");
}

/** "About this app": the running release's manifest hash and the key that signed it. */
export function showReleaseFacts(manifestElement, keyElement, { manifestHash, keyId }) {
  for (const [element, value] of [[manifestElement, manifestHash], [keyElement, keyId]]) {
    if (!value) continue;
    element.removeAttribute("data-i18n");
    element.textContent = groupHex(value);
  }
}
