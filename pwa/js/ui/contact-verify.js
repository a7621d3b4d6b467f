// Verifying one contact: the safety number of this account and theirs (12 groups of 5 digits,
// the same on both phones), its QR code, "Scan code" (the other phone's QR code, read with the
// camera in the page) and "Mark as verified" after comparing the numbers in person or on a call.
// A server that swapped a key would show different numbers: that is what this screen catches.
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, onLanguageChange, own, say, setText, uid } from "./dom.js";
import { changedKeyBanner } from "./contacts.js";
import { drawQr } from "./qr-code.js";
import { createScanner } from "./qr-scanner.js";
import { contactName, contactStateKey, roleKey, sharingErrorKey } from "./sharing-text.js";

/** "12345 67890 …" as 12 groups (whatever spacing the service used). */
export function safetyGroups(text) {
  const digits = String(text || "").replace(/\D/g, "");
  const groups = [];
  for (let i = 0; i < digits.length; i += 5) groups.push(digits.slice(i, i + 5));
  return groups;
}

export function contactVerifyScreen(ctx, { uid: contactId }) {
  const heading = el("h2", { id: "verify-title", i18n: "verify.title" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const body = el("div", { className: "stack" });
  const scanner = createScanner({
    onCode: (text) => scanned(text),
    onError: (why) => {
      scanButton.hidden = false;
      stopButton.hidden = true;
      say(status, null);
      say(error, why === "denied" ? "verify.camera.denied" : "verify.camera.unavailable");
    },
  });
  const scanButton = button("verify.scan", () => startScan());
  const stopButton = button("verify.scan.stop", () => {
    scanner.stop();
    stopButton.hidden = true;
    scanButton.hidden = false;
    say(status, null);
    scanButton.focus();
  });
  stopButton.hidden = true;
  let contact = null;
  let labelQr = () => {};

  function startScan() {
    say(error, null);
    scanButton.hidden = true;
    stopButton.hidden = false;
    say(status, "verify.scanning");
    scanner.start();
  }

  async function scanned(text) {
    stopButton.hidden = true;
    scanButton.hidden = false;
    try {
      await sharing.verifyScanned(contactId, text);
      await load();
      say(status, "verify.scan.match");
      heading.focus();
    } catch (e) {
      say(status, null);
      if (e && e.code === "mismatch") setText(error, "verify.scan.mismatch", { name: own(contactName(contact)) });
      else say(error, sharingErrorKey(e));
    }
  }

  async function markVerified(markButton) {
    say(error, null);
    markButton.disabled = true;
    try {
      await sharing.markVerified(contactId);
      await load();
      say(status, "verify.marked");
      heading.focus();
    } catch (e) {
      markButton.disabled = false;
      say(error, sharingErrorKey(e));
    }
  }

  async function load() {
    const all = await sharing.contacts();
    contact = all.find((c) => c.uid === contactId) || null;
    if (!contact) {
      say(error, "sharing.error.not-found");
      body.replaceChildren(el("div", { className: "actions" }, [button("verify.back", () => ctx.go("contacts"))]));
      return;
    }
    heading.removeAttribute("data-i18n");
    setText(heading, "verify.title.name", { name: own(contactName(contact)) });
    const facts = el("p", { className: "incident-meta" }, [
      el("span", { i18n: roleKey(contact.role) }),
      el("span", { text: " · " }),
      el("span", { className: "contact-state", i18n: contactStateKey(contact.state) }),
    ]);
    if (contact.state === "changed") {
      scanner.stop();
      body.replaceChildren(facts, changedKeyBanner(contact, {
        onAccepted: async () => { await load(); say(status, "contacts.accepted"); },
        onError: (e) => say(error, sharingErrorKey(e)),
      }), el("div", { className: "actions" }, [button("verify.back", () => ctx.go("contacts"))]));
      return;
    }
    const [number, qrText] = await Promise.all([sharing.safetyNumber(contactId), sharing.qrText(contactId)]);
    const numberId = uid("safety");
    const groups = el("p", { className: "safety-number", id: numberId, dir: "ltr", lang: "en" },
      safetyGroups(number).map((group) => el("span", { text: group })));
    const canvas = el("canvas", { className: "qr", role: "img" });
    labelQr = () => canvas.setAttribute("aria-label", t("verify.qr", { name: contactName(contact) }));
    labelQr();
    drawQr(canvas, String(qrText));
    const adviceId = uid("advice");
    const mark = el("button", {
      type: "button", className: "button primary", i18n: "verify.mark", "aria-describedby": adviceId,
      onclick: () => markVerified(mark),
    });
    const verified = contact.state === "verified";
    body.replaceChildren(...[
      facts,
      verified ? el("p", { className: "message success", i18n: "verify.already" }) : null,
      el("h3", { id: "safety-title", i18n: "verify.number" }),
      el("p", { i18n: "verify.number.intro" }),
      groups,
      canvas,
      el("h3", { i18n: "verify.scan.title" }),
      el("p", { i18n: "verify.scan.intro" }),
      el("div", { className: "actions" }, [scanButton, stopButton]),
      scanner.video,
      el("h3", { i18n: "verify.compare.title" }),
      el("p", { id: adviceId, i18n: "verify.compare.intro" }),
      el("div", { className: "actions" }, [verified ? null : mark, button("verify.back", () => ctx.go("contacts"))]),
    ].filter(Boolean));
  }

  load().catch((e) => say(error, sharingErrorKey(e)));
  const node = el("section", { className: "card", "aria-labelledby": "verify-title" }, [
    heading,
    status,
    error,
    body,
  ]);
  // The camera never runs behind another app or a locked screen.
  const onHidden = () => {
    if (document.visibilityState !== "hidden" || !scanner.running) return;
    scanner.stop();
    stopButton.hidden = true;
    scanButton.hidden = false;
    say(status, null);
  };
  document.addEventListener("visibilitychange", onHidden);
  const stop = onLanguageChange(() => labelQr());
  return {
    node,
    dispose() {
      stop();
      document.removeEventListener("visibilitychange", onHidden);
      scanner.stop();
    },
  };
}
