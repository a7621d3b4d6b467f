// What "Quick exit" leaves on the screen: a plain page that says nothing about Safe Passage.
// The vault is already locked; "Continue" leads back to Unlock.
import { formatDate } from "../i18n.js";
import { el } from "./dom.js";

export function neutralScreen(ctx) {
  const today = formatDate(new Date(), { dateStyle: "full" });
  const node = el("section", { className: "card neutral", "aria-labelledby": "neutral-title" }, [
    el("h2", { id: "neutral-title", i18n: "neutral.title" }),
    el("p", { text: today }),
    el("p", { i18n: "neutral.body" }),
    el("button", { type: "button", className: "button", i18n: "neutral.continue", onclick: () => ctx.leaveNeutral() }),
  ]);
  return { node };
}
