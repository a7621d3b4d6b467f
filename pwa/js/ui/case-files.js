// The files of a report in case review, each viewed from decrypted memory only when asked for:
// pictures as <img>, sound and video as <audio>/<video> from blob: URLs made here, PDFs drawn
// by pdf.js onto a canvas (pdf-view.js), anything else offered as a download under a cleaned
// name, typed as opaque bytes so the browser never renders it. A picture offers "Make working
// copy", and its working copies are listed under it: "Working copy of <name> (original
// unchanged, SHA-256 …)". dispose() revokes every blob: URL and stops every PDF worker.
import * as legal from "../legal/index.js";
import { t } from "../i18n.js";
import { el, ltr, say, setText, uid, whileBusy } from "./dom.js";
import { isolate, legalErrorKey } from "./legal-text.js";
import { pdfView } from "./pdf-view.js";
import { fileHeading } from "./report.js";
import { SHOWN_IMAGES, personName, safeFileName, shownFileName } from "./sharing-text.js";

const list = (value) => [].concat(value || []).filter((x) => x && typeof x === "object");
const short = (hex) => (typeof hex === "string" ? hex.slice(0, 16) : "");

/** What the page does with a file of this type: show it, play it, draw it, or offer it. */
function viewKind(mime) {
  if (SHOWN_IMAGES.has(mime)) return "image";
  if (mime.startsWith("audio/")) return "audio";
  if (mime.startsWith("video/")) return "video";
  if (mime === "application/pdf") return "pdf";
  return "file";
}

/**
 * The file list items of one case screen. `error` and `status` are the screen's live regions,
 * `texts` its liveTexts() (dates follow the language). item(att, report) builds one file:
 * report = {rid, data: the caseView report, refresh(): re-reads its "Integrity" regions}.
 */
export function caseFiles(ctx, { caseId, error, status, texts }) {
  const urls = new Set(); // blob: URLs made here
  const viewers = new Set(); // open PDF views

  function blobUrl(blob, type) {
    const url = URL.createObjectURL(new Blob([blob], { type }));
    urls.add(url);
    return url;
  }
  function revoke(url) {
    if (url && urls.delete(url)) URL.revokeObjectURL(url);
  }

  function item(att, report) {
    const name = shownFileName(att.name);
    const mime = String(att.mime || "").toLowerCase();
    const kind = viewKind(mime);
    const nameId = uid("att");
    const preview = el("div", { className: "preview" });
    const children = [
      ...fileHeading(name, mime, att.size, nameId),
      typeof att.sha256 === "string" && att.sha256 ? el("span", { className: "hash", dir: "ltr", text: `SHA-256 ${att.sha256}` }) : null,
    ];
    if (att.available === false) {
      children.push(el("p", { className: "hint", i18n: "report.attachment.missing" }));
      return el("li", { className: "case-file" }, children);
    }
    let shown = null; // {url, viewer}

    async function read() {
      say(error, null);
      try {
        return await legal.readCaseAttachment(caseId, att.rid ?? report.rid, att.aid);
      } catch (e) {
        say(error, legalErrorKey(e));
        return null;
      } finally {
        report.refresh(); // the file's hash check has a verdict now
      }
    }

    function hide() {
      if (shown) {
        revoke(shown.url);
        if (shown.viewer) { shown.viewer.dispose(); viewers.delete(shown.viewer); }
      }
      shown = null;
      preview.replaceChildren();
      toggle.dataset.i18n = "detail.attachment.show";
      toggle.textContent = t("detail.attachment.show");
    }

    function download(blob) {
      // Typed as opaque bytes, so the browser saves the file and never renders it here.
      const link = el("a", { download: safeFileName(name) });
      link.href = blobUrl(blob, "application/octet-stream");
      document.body.append(link);
      link.click();
      link.remove();
      say(status, "report.attachment.saved");
    }

    const toggle = el("button", {
      type: "button", className: "button small", i18n: kind === "file" ? "report.attachment.download" : "detail.attachment.show",
      "aria-describedby": nameId,
      onclick: () => whileBusy(toggle, async () => {
        if (shown) { hide(); return; }
        const blob = await read();
        if (!blob) return;
        if (kind === "file") { download(blob); return; }
        shown = { url: null, viewer: null };
        if (kind === "pdf") {
          const viewer = pdfView(blob, {
            nameId,
            onFail: () => preview.append(el("p", { className: "hint", i18n: "report.attachment.nopreview" }),
              el("button", { type: "button", className: "button small", i18n: "report.attachment.download", "aria-describedby": nameId, onclick: () => download(blob) })),
          });
          shown.viewer = viewer;
          viewers.add(viewer);
          preview.replaceChildren(viewer.node);
          viewer.open();
        } else {
          shown.url = blobUrl(blob, mime);
          const media = kind === "image"
            ? el("img", { alt: name || t("report.attachment.image") })
            : el(kind, { controls: true, "aria-describedby": nameId, ...(kind === "video" ? { playsinline: true } : {}) });
          media.src = shown.url; // a blob: URL this page made, never the sender's text
          preview.replaceChildren(media);
        }
        toggle.dataset.i18n = "detail.attachment.hide";
        toggle.textContent = t("detail.attachment.hide");
      }),
    });
    children.push(el("div", { className: "actions" }, [
      toggle,
      kind === "image" ? el("button", {
        type: "button", className: "button small", i18n: "case.workingcopy.make", "aria-describedby": nameId,
        onclick: () => ctx.go("working", { caseId, rid: att.rid ?? report.rid, aid: att.aid, name: String(att.name ?? "") }),
      }) : null,
    ]), preview);

    const copies = list(report.data.workingCopies).filter((w) => w.of && w.of.aid === att.aid);
    if (copies.length) children.push(el("ul", { className: "working-copies" }, copies.map((w) => workingCopyItem(w, att))));
    return el("li", { className: "case-file", "data-aid": String(att.aid ?? "") }, children);
  }

  // "Working copy of <name> (original unchanged, SHA-256 …)": shows the copy in place.
  function workingCopyItem(w, original) {
    const preview = el("div", { className: "preview" });
    const byId = uid("wc");
    let url = null;
    const show = el("button", {
      type: "button", className: "link-button", "aria-expanded": "false", "aria-describedby": byId,
      onclick: async () => {
        if (url) {
          revoke(url);
          url = null;
          preview.replaceChildren();
          show.setAttribute("aria-expanded", "false");
          return;
        }
        say(error, null);
        try {
          const blob = await legal.readCaseAttachment(caseId, w.rid, w.aid);
          const mime = String(w.mime || "image/jpeg").toLowerCase();
          url = blobUrl(blob, SHOWN_IMAGES.has(mime) ? mime : "image/jpeg");
          const img = el("img", { alt: t("case.workingcopy.alt", { name: isolate(shownFileName(original.name)) }) });
          img.src = url;
          preview.replaceChildren(img);
          show.setAttribute("aria-expanded", "true");
        } catch (e) {
          say(error, legalErrorKey(e));
        }
      },
    });
    setText(show, "case.workingcopy.link", {
      name: isolate(shownFileName(original.name) || t("report.attachment.noname")),
      sha: ltr(short(w.of && w.of.sha256) || short(original.sha256)),
    });
    const by = el("p", { className: "incident-meta", id: byId }, [
      setText(el("span", {}), "case.workingcopy.by", { name: isolate(personName(w.by)) }), el("span", { text: " · " }), texts.date(el("span", {}), w.at),
    ]);
    return el("li", { className: "working-copy", "data-rid": String(w.rid ?? "") }, [show, by, preview]);
  }

  return {
    item,
    dispose() {
      for (const viewer of viewers) viewer.dispose();
      viewers.clear();
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}
