// The Emergency Kit: the Account Secret Key as text (a read-only field labelled "Secret Key",
// so it can be copied) and as a QR code drawn on a canvas, a printable page, and the iPhone
// Home Screen advice. The key is shown once, from memory; it is never stored in the clear.
import { drawQr } from "./qr-code.js";
import { button, el, field } from "./dom.js";

export function isAppleMobile() {
  const ua = navigator.userAgent || "";
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export function emergencyKitScreen(ctx, { secretKeyText }) {
  // A textarea so the whole key wraps on a 360 px screen (an input would scroll it out of view).
  const key = el("textarea", {
    readonly: true, rows: "2", className: "secret-key", spellcheck: "false",
    autocomplete: "off", autocapitalize: "off", dir: "ltr", lang: "en",
  });
  key.value = secretKeyText;
  key.addEventListener("focus", () => key.select());
  const canvas = el("canvas", { className: "qr", role: "img", i18nLabel: "kit.qr" });
  drawQr(canvas, secretKeyText);

  const iphone = el("p", { className: isAppleMobile() ? "advice important" : "advice", i18n: "kit.iphone" });
  const node = el("section", { className: "card kit", "aria-labelledby": "kit-title" }, [
    el("h2", { id: "kit-title", i18n: "kit.title" }),
    el("p", { i18n: "kit.intro" }),
    field("kit.secret", key, "kit.secret.hint"),
    canvas,
    el("p", { className: "print-only", i18n: "kit.print.passphrase" }),
    el("p", { className: "print-only write-line", text: "______________________________" }),
    el("div", { className: "actions no-print" }, [
      button("kit.print", () => window.print()),
    ]),
    el("p", { i18n: "kit.keep" }),
    iphone,
    el("div", { className: "actions no-print" }, [
      button("kit.saved", () => {
        key.value = "";
        ctx.unlocked(); // the incident list, or "Create account" when an invite brought the delegate here
      }, "button primary"),
    ]),
  ]);
  return {
    node,
    dispose() { key.value = ""; },
  };
}
