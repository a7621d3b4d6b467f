// "Help" under a screen's heading: a closed disclosure with three short parts from the
// catalogs — what the screen is for, what its main action does, and one point of safety.
//
// Someone may be watching the screen (an officer at a border), so the help is closed until asked
// for, its label is one short word, and its sentences say nothing the screen itself does not
// show: they never name the app and never mention what a screen may hide (the duress
// passphrase, Unlock's count of attempts left before a wipe). Keys: help.summary, and
// help.<screen>.<part> for every part of PARTS (docs/languages-contract.md). The elements carry
// data-i18n, so a language switch re-labels them with the rest of the page; "no-print" keeps them
// off the printed Emergency Kit.
import { el } from "./dom.js";

/** The sentences of every screen's help, in the order they are shown. */
export const PARTS = Object.freeze(["what", "how", "safety"]);

/**
 * Screens without help. Quick exit's neutral screen must look like an ordinary page that has
 * nothing to explain: a "Help" there would give it away.
 */
export const NO_HELP = Object.freeze(new Set(["neutral"]));

/** The help of screen `name` (a key of main.js's SCREENS), or null if it has none. */
export function screenHelp(name) {
  if (NO_HELP.has(name)) return null;
  return el("details", { className: "help no-print" }, [
    el("summary", { i18n: "help.summary" }),
    el("div", { className: "help-body" }, PARTS.map((part) =>
      el("p", { className: `help-${part}`, i18n: `help.${name}.${part}` }))),
  ]);
}
