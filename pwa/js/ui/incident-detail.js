// One incident: every field (as text, never markup), its attachments previewed from memory
// (blob URLs revoked when hidden or when the screen closes), "Edit", and the version history.
import * as account from "../sync/index.js";
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, onLanguageChange, say } from "./dom.js";
import { formatNumber, formatSize } from "./account-text.js";
import { formatDate, typeKey } from "./incident-types.js";
import { sharedWithSection } from "./shared-with.js";

const ROWS = [
  ["where", "form.where"], ["officials", "form.officials"], ["what", "form.what"],
  ["questions", "form.questions"], ["impact", "form.impact"], ["witnesses", "form.witnesses"],
  ["help", "form.help"],
];
const ANSWER_KEYS = { yes: "form.answer.yes", no: "form.answer.no", unknown: "form.answer.unknown" };

const answer = (value) => t(Object.hasOwn(ANSWER_KEYS, value) ? ANSWER_KEYS[value] : "form.answer.unknown");

/** Label and text of each field of an incident's content. Also used for reports shared by
 *  others, so nothing here trusts a member's type: everything becomes a string. */
export function contentRows(c = {}) {
  const rows = [["detail.type", t(typeKey(c.type))], ["form.when", formatDate(c.when)]];
  if (c.type === "device-search" && c.device && typeof c.device === "object") {
    rows.push(["form.device.unlocked", answer(c.device.unlocked)]);
    rows.push(["form.device.copied", answer(c.device.copied)]);
  }
  for (const [name, key] of ROWS) if (c[name]) rows.push([key, String(c[name])]);
  if (c.location && typeof c.location.lat === "number" && typeof c.location.lon === "number") {
    rows.push(["detail.location", `${c.location.lat}, ${c.location.lon}`]);
  }
  return rows;
}

/** The consent given, in words ("No consent given" if none). */
export function consentText(consent) {
  const given = [["contact", "form.consent.contact"], ["statistics", "form.consent.statistics"], ["legal", "form.consent.legal"]]
    .filter(([name]) => consent && typeof consent === "object" && consent[name] === true).map(([, key]) => t(key));
  return given.length ? given.join("; ") : t("detail.consent.none");
}

export function factList(rows) {
  return el("dl", { className: "facts detail" }, rows.flatMap(([key, value]) => [
    el("dt", { i18n: key }), el("dd", { dir: "auto", text: value }),
  ]));
}

function facts(incident) {
  const c = incident.content || {};
  return factList([
    ...contentRows(c),
    ["form.consent.legend", consentText(c.consent)],
    ["detail.saved", formatDate(incident.savedAt)],
  ]);
}

/** Which one, who and when, for one of the conflicting versions: "Version 1 of 2", the device
 *  (if the vault names it; Incident does not carry it yet) and the time it was saved. */
function savedBy(incident, i, n) {
  const device = incident.device && typeof incident.device === "object" ? incident.device.name : incident.device;
  const vars = { i: formatNumber(i), n: formatNumber(n), date: formatDate(incident.savedAt) };
  return device ? t("conflict.saved.device", { ...vars, device: String(device) }) : t("conflict.saved", vars);
}

export function incidentDetailScreen(ctx, { rid, notice = null }) {
  const urls = new Set();
  const status = liveRegion("status");
  const body = el("div", { className: "stack" });
  const heading = el("h2", { id: "detail-title", i18n: "detail.loading" });

  function attachmentItem(att) {
    const preview = el("div", { className: "preview" });
    let url = null;
    const hide = () => {
      if (url) { URL.revokeObjectURL(url); urls.delete(url); url = null; }
      preview.replaceChildren();
    };
    const show = button("detail.attachment.show", async () => {
      if (url) { hide(); show.dataset.i18n = "detail.attachment.show"; show.textContent = t("detail.attachment.show"); return; }
      try {
        const blob = await vault.readAttachment(att.aid);
        url = URL.createObjectURL(blob);
        urls.add(url);
        const mime = String(att.mime || blob.type || "");
        let media;
        if (mime.startsWith("image/")) {
          media = el("img", { src: url, alt: att.name || "" });
          media.addEventListener("load", () => { URL.revokeObjectURL(url); urls.delete(url); }, { once: true });
        } else if (mime.startsWith("audio/")) {
          media = el("audio", { src: url, controls: true });
        } else if (mime.startsWith("video/")) {
          media = el("video", { src: url, controls: true, playsinline: true });
        } else {
          media = el("p", { i18n: "detail.attachment.nopreview" });
        }
        preview.replaceChildren(media);
        show.dataset.i18n = "detail.attachment.hide";
        show.textContent = t("detail.attachment.hide");
      } catch {
        say(status, "error.unknown");
      }
    }, "button small");
    return el("li", {}, [
      el("span", { className: "picked-name", text: att.name || "" }),
      // The type is a code (Latin, left to right); the size is in the reader's digits and units.
      el("span", { className: "incident-meta" }, [
        att.mime ? el("bdi", { dir: "ltr", text: att.mime }) : null, att.mime ? " · " : null, formatSize(att.size),
      ]),
      el("span", { className: "hash", dir: "ltr", text: att.sha256 ? `SHA-256 ${att.sha256}` : "" }),
      show,
      preview,
    ]);
  }

  function version(incident) {
    const details = el("details", { className: "version" }, [
      el("summary", { text: t("detail.version", { n: formatNumber(incident.version), date: formatDate(incident.savedAt) }) }),
      el("p", { className: "version-title", text: (incident.content || {}).title || "" }),
      facts(incident),
    ]);
    return el("li", {}, [details]);
  }

  // Two devices changed this incident before syncing: both versions, stacked, each with who and
  // when and its own "Keep this version" / "Edit this version". Keeping one seals a new version
  // that supersedes it and records that it resolves the other, on every device that syncs.
  function conflictView(current, conflicts) {
    const heads = [current, ...conflicts];
    const versions = heads.map((incident, index) => {
      const headingId = `conflict-version-${index}`;
      const others = heads.filter((other) => other.rid !== incident.rid).map((other) => other.rid);
      const keep = el("button", {
        type: "button", className: "button primary", i18n: "conflict.keep", "aria-describedby": headingId,
        onclick: async () => {
          for (const b of body.querySelectorAll("button")) b.disabled = true;
          try {
            const saved = await vault.saveIncident(incident.content, { supersedes: incident.rid, merges: others });
            ctx.go("detail", { rid: saved.rid, notice: "conflict.resolved" });
          } catch {
            for (const b of body.querySelectorAll("button")) b.disabled = false;
            say(status, "error.unknown");
          }
        },
      });
      const edit = el("button", {
        type: "button", className: "button", i18n: "conflict.edit", "aria-describedby": headingId,
        onclick: () => ctx.go("form", { edit: incident, merges: others }),
      });
      const atts = incident.attachments || [];
      return el("li", { className: "conflict-version" }, [
        el("h4", { id: headingId, text: savedBy(incident, index + 1, heads.length) }),
        el("p", { className: "version-title", text: (incident.content || {}).title || t("list.untitled") }),
        facts(incident),
        atts.length
          ? el("p", { className: "incident-meta", text: `${t("detail.attachments")}: ${atts.map((a) => a.name || "").join(", ")}` })
          : null,
        el("div", { className: "actions" }, [keep, edit]),
      ]);
    });
    return el("section", { className: "conflicts", "aria-labelledby": "conflict-title" }, [
      el("h3", { id: "conflict-title", i18n: "conflict.title" }),
      el("p", { i18n: "conflict.intro" }),
      el("ol", { className: "conflict-versions" }, versions),
    ]);
  }

  // Sharing (issue 6) needs an account: "Share" and "Shared with" appear once there is one.
  const enrolled = Promise.resolve().then(() => account.status()).then((s) => Boolean(s && s.enrolled)).catch(() => false);

  // One "Shared with" section for the life of the screen: a re-render (language switch) keeps
  // an open "Revoke" confirmation.
  let shared = null;
  const sharedWith = (currentRid) => {
    if (shared) shared.refresh();
    else shared = sharedWithSection(currentRid);
    return shared.node;
  };

  const load = () => Promise.all([vault.getIncident(rid), enrolled]).then(([{ current, history, conflicts = [] }, canShare]) => {
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
    heading.removeAttribute("data-i18n");
    heading.textContent = (current.content || {}).title || t("list.untitled");
    const atts = current.attachments || [];
    const inConflict = Array.isArray(conflicts) && conflicts.length > 0;
    body.replaceChildren(...[
      ...(inConflict ? [
        el("p", { className: "tag conflict", i18n: "list.conflict" }),
        conflictView(current, conflicts),
        el("div", { className: "actions" }, [button("detail.back", () => ctx.go("list"))]),
      ] : [
        el("p", { className: "incident-meta", text: t("detail.version", { n: formatNumber(current.version), date: formatDate(current.savedAt) }) }),
        facts(current),
        el("div", { className: "actions" }, [
          button("detail.edit", () => ctx.go("form", { edit: current }), "button primary"),
          canShare ? button("detail.share", () => ctx.go("share", { rid: current.rid })) : null,
          button("detail.back", () => ctx.go("list")),
        ]),
        canShare ? sharedWith(current.rid) : null,
      ]),
      el("h3", { id: "attachments-title", i18n: "detail.attachments" }),
      atts.length
        ? el("ul", { className: "picked", "aria-labelledby": "attachments-title" }, atts.map(attachmentItem))
        : el("p", { i18n: "detail.attachments.none" }),
      el("h3", { id: "history-title", i18n: "detail.history" }),
      history.length
        ? el("ul", { className: "history", "aria-labelledby": "history-title" }, history.map(version))
        : el("p", { i18n: "detail.history.none" }),
    ].filter(Boolean));
  }).catch(() => say(status, "error.unknown"));
  load();
  const stop = onLanguageChange(load);

  const node = el("section", { className: "card", "aria-labelledby": "detail-title" }, [
    heading,
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    status,
    body,
  ]);
  return {
    node,
    dispose() {
      stop();
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}
