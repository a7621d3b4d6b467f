// One incident: every field (as text, never markup), its attachments previewed from memory
// (blob URLs revoked when hidden or when the screen closes), "Edit", and the version history.
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import { button, el, liveRegion, onLanguageChange, say } from "./dom.js";
import { formatDate, typeKey } from "./incident-types.js";

const ROWS = [
  ["where", "form.where"], ["officials", "form.officials"], ["what", "form.what"],
  ["questions", "form.questions"], ["impact", "form.impact"], ["witnesses", "form.witnesses"],
  ["help", "form.help"],
];
const ANSWER_KEYS = { yes: "form.answer.yes", no: "form.answer.no", unknown: "form.answer.unknown" };

function facts(incident) {
  const c = incident.content || {};
  const rows = [["detail.type", t(typeKey(c.type))], ["form.when", formatDate(c.when)]];
  if (c.type === "device-search" && c.device) {
    rows.push(["form.device.unlocked", t(ANSWER_KEYS[c.device.unlocked] || "form.answer.unknown")]);
    rows.push(["form.device.copied", t(ANSWER_KEYS[c.device.copied] || "form.answer.unknown")]);
  }
  for (const [name, key] of ROWS) if (c[name]) rows.push([key, String(c[name])]);
  if (c.location && typeof c.location.lat === "number") {
    rows.push(["detail.location", `${c.location.lat}, ${c.location.lon}`]);
  }
  const consent = c.consent || {};
  const given = [["contact", "form.consent.contact"], ["statistics", "form.consent.statistics"], ["legal", "form.consent.legal"]]
    .filter(([name]) => consent[name]).map(([, key]) => t(key));
  rows.push(["form.consent.legend", given.length ? given.join("; ") : t("detail.consent.none")]);
  rows.push(["detail.saved", formatDate(incident.savedAt)]);
  return el("dl", { className: "facts detail" }, rows.flatMap(([key, value]) => [
    el("dt", { i18n: key }), el("dd", { text: value }),
  ]));
}

export function incidentDetailScreen(ctx, { rid }) {
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
      el("span", { className: "incident-meta", text: `${att.mime || ""} · ${Math.ceil((att.size || 0) / 1024)} kB` }),
      el("span", { className: "hash", dir: "ltr", text: att.sha256 ? `SHA-256 ${att.sha256}` : "" }),
      show,
      preview,
    ]);
  }

  function version(incident) {
    const details = el("details", { className: "version" }, [
      el("summary", { text: t("detail.version", { n: incident.version, date: formatDate(incident.savedAt) }) }),
      el("p", { className: "version-title", text: (incident.content || {}).title || "" }),
      facts(incident),
    ]);
    return el("li", {}, [details]);
  }

  const load = () => vault.getIncident(rid).then(({ current, history }) => {
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
    heading.removeAttribute("data-i18n");
    heading.textContent = (current.content || {}).title || t("list.untitled");
    const atts = current.attachments || [];
    body.replaceChildren(
      el("p", { className: "incident-meta", text: t("detail.version", { n: current.version, date: formatDate(current.savedAt) }) }),
      facts(current),
      el("div", { className: "actions" }, [
        button("detail.edit", () => ctx.go("form", { edit: current }), "button primary"),
        button("detail.back", () => ctx.go("list")),
      ]),
      el("h3", { id: "attachments-title", i18n: "detail.attachments" }),
      atts.length
        ? el("ul", { className: "picked", "aria-labelledby": "attachments-title" }, atts.map(attachmentItem))
        : el("p", { i18n: "detail.attachments.none" }),
      el("h3", { id: "history-title", i18n: "detail.history" }),
      history.length
        ? el("ul", { className: "history", "aria-labelledby": "history-title" }, history.map(version))
        : el("p", { i18n: "detail.history.none" }),
    );
  }).catch(() => say(status, "error.unknown"));
  load();
  const stop = onLanguageChange(load);

  const node = el("section", { className: "card", "aria-labelledby": "detail-title" }, [heading, status, body]);
  return {
    node,
    dispose() {
      stop();
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}
