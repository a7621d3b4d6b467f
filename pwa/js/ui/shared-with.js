// "Shared with", in an incident's detail: each recipient, whether the share has left the phone,
// whether a new version of the report waits to follow it, what they answered ("Received by …
// on …; status …"), and "Revoke" — confirmed in the page, with the honest limit: a copy already
// opened cannot be recalled. A legal supporter a focal point referred the report to is listed
// too ("Referred by Maria to Layla on …", `via`), and "Revoke" withdraws it from her: everyone
// on the case is told.
import * as sharing from "../sharing/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, moment, own, ownLine, say, setText, uid } from "./dom.js";
import { formatDate } from "./incident-types.js";
import { personName, sharingErrorKey, statusKey } from "./sharing-text.js";

const SHARE_STATES = {
  queued: "shared.state.queued", shared: "shared.state.shared", revoking: "shared.state.revoking", failed: "shared.state.failed",
};

/** One line per person who answered: when they first answered and their latest status. */
export function answers(statuses) {
  const byPerson = new Map();
  for (const entry of [].concat(statuses || [])) {
    if (!entry || typeof entry !== "object") continue;
    const who = personName(entry.by);
    const at = Number(entry.at) || 0;
    const seen = byPerson.get(who);
    if (!seen) byPerson.set(who, { who, first: at, last: at, status: entry.status });
    else {
      if (at < seen.first) seen.first = at;
      if (at >= seen.last) { seen.last = at; seen.status = entry.status; }
    }
  }
  return [...byPerson.values()];
}

export function sharedWithSection(rid) {
  const list = el("ul", { className: "shares", "aria-labelledby": "shared-title" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  let shares = [];
  let confirming = null;

  function item(share) {
    const nameId = uid("share");
    const shown = personName(share.name);
    const name = own(shown); // inside the sentences below, a run of its own
    const lines = answers(share.statuses).map((a) => {
      const line = el("p", { className: "answer" });
      setText(line, "shared.answer", { name: own(a.who), date: moment(a.first), status: t(statusKey(a.status)) });
      return line;
    });
    const state = el("span", { className: `tag share-${share.state}`, i18n: SHARE_STATES[share.state] || "shared.state.shared" });
    // An edit of a shared report follows it to its recipients with the next sync.
    const update = share.update ? setText(el("p", { className: "share-update" }), "shared.update", { name }) : null;
    // Someone a focal point referred it to: who referred it, and when, in one sentence.
    const via = share.via ? own(personName(share.via.name)) : null;
    const when = via
      ? setText(el("p", { className: "incident-meta" }), "withdraw.referred", { by: via, name, date: moment(share.at) })
      : share.at ? el("p", { className: "incident-meta", text: formatDate(share.at) }) : null;
    const children = [
      el("div", { className: "contact-head" }, [ownLine("contact-name", shown, { id: nameId }), state]),
      when,
      update,
      ...lines,
    ];
    if (via && !share.uid) children.push(el("p", { className: "hint", i18n: "withdraw.pin" }));
    if (share.state !== "revoking" && share.uid) {
      const warning = el("p", { className: "warning", id: uid("revoke-warning") });
      if (via) setText(warning, "withdraw.confirm", { name, by: via });
      else setText(warning, "shared.revoke.confirm", { name });
      const confirm = el("div", { className: "confirm", hidden: confirming !== share.uid }, [
        warning,
        el("div", { className: "actions" }, [
          el("button", {
            type: "button", className: "button danger", i18n: via ? "withdraw.yes" : "shared.revoke.yes",
            "aria-describedby": warning.id, onclick: () => revoke(share, confirm),
          }),
          button("shared.revoke.cancel", () => {
            confirming = null;
            confirm.hidden = true;
            open.setAttribute("aria-expanded", "false");
            open.focus();
          }),
        ]),
      ]);
      const open = el("button", {
        type: "button", className: "button danger", i18n: "shared.revoke", "aria-describedby": nameId,
        "aria-expanded": String(confirming === share.uid),
        onclick: () => {
          confirming = share.uid;
          confirm.hidden = false;
          open.setAttribute("aria-expanded", "true");
          confirm.querySelector("button").focus();
        },
      });
      children.push(el("div", { className: "actions" }, [open]), confirm);
    }
    return el("li", {
      className: "share", "data-recipient": String(share.uid || ""), "data-via": share.via ? String(share.via.uid || "") : null,
    }, children);
  }

  function render() {
    list.replaceChildren(...shares.map(item));
    list.hidden = !shares.length;
    none.hidden = shares.length > 0;
  }

  async function refresh() {
    try {
      shares = await sharing.sharesOf(rid);
      render();
    } catch (e) {
      say(error, sharingErrorKey(e));
    }
  }

  async function revoke(share, confirm) {
    say(error, null);
    for (const b of confirm.querySelectorAll("button")) b.disabled = true;
    try {
      await sharing.revoke(rid, share.uid);
      confirming = null;
      setText(status, share.via ? "withdraw.done" : "shared.revoked", { name: own(personName(share.name)) });
      await refresh();
      heading.focus();
    } catch (e) {
      for (const b of confirm.querySelectorAll("button")) b.disabled = false;
      say(error, sharingErrorKey(e));
    }
  }

  const heading = el("h3", { id: "shared-title", tabindex: "-1", i18n: "shared.title" });
  const none = el("p", { i18n: "shared.none" });
  none.hidden = true;
  list.hidden = true;
  const node = el("section", { className: "shared-with", "aria-labelledby": "shared-title" }, [
    heading,
    el("p", { className: "hint", i18n: "shared.recall" }),
    status,
    error,
    none,
    list,
  ]);
  refresh();
  return { node, refresh };
}
