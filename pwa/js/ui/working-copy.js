// "Make working copy" of an image in a case: the picture on a canvas, areas to blur added by
// dragging on it or — for keyboard and screen reader users — by typing X, Y, width and height
// (pixels of the original), a list of the areas with "Remove", and "Save working copy". The
// legal service re-encodes the image (dropping its hidden data: location, camera, time) with the
// areas blurred, and seals it as a custody record linked to the original, which never changes.
//
// The preview here only shows where the blur goes; the copy itself is made by the service.
import * as legal from "../legal/index.js";
import { t } from "../i18n.js";
import { formatNumber } from "./account-text.js";
import { button, el, field, liveRegion, num, say, setText, uid } from "./dom.js";
import { isolate, legalErrorKey } from "./legal-text.js";
import { shownFileName } from "./sharing-text.js";

const MAX_SIDE = 1600; // the preview is drawn at most this large; areas stay in original pixels
const MIN_DRAG = 4; // a tap is not an area
// Canvas filters (Chromium, Firefox, Safari 18+); elsewhere the preview greys the area instead.
const CANVAS_BLUR = typeof CanvasRenderingContext2D !== "undefined" && "filter" in CanvasRenderingContext2D.prototype;

export function workingCopyScreen(ctx, { caseId, rid, aid, name = "" }) {
  const shown = shownFileName(name) || t("report.attachment.noname");
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const canvasName = el("span", { id: uid("wc-name"), className: "visually-hidden" });
  const canvas = el("canvas", { className: "working-canvas", role: "img", "aria-labelledby": canvasName.id });
  const size = el("p", { className: "hint" });
  const fields = {
    x: el("input", { type: "number", name: "x", min: "0", step: "1", inputmode: "numeric" }),
    y: el("input", { type: "number", name: "y", min: "0", step: "1", inputmode: "numeric" }),
    w: el("input", { type: "number", name: "w", min: "1", step: "1", inputmode: "numeric" }),
    h: el("input", { type: "number", name: "h", min: "1", step: "1", inputmode: "numeric" }),
  };
  const areasList = el("ul", { className: "areas", "aria-labelledby": "working-areas-title" });
  const areasNone = el("p", { i18n: "working.areas.none" });
  const save = button("working.save", () => saveCopy(), "button primary block");
  // A form, so Enter in any of the four fields adds the area; it is never submitted anywhere.
  const add = el("button", { type: "submit", className: "button", i18n: "working.add" });
  let bitmap = null;
  let scale = 1; // original pixels per canvas pixel
  let areas = [];
  let drag = null;

  // --- drawing ------------------------------------------------------------------------------
  function draw(pending = null) {
    if (!bitmap) return;
    const g = canvas.getContext("2d");
    g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const a of pending ? [...areas, pending] : areas) {
      const [x, y, w, h] = [a.x / scale, a.y / scale, a.w / scale, a.h / scale];
      g.save();
      g.beginPath();
      g.rect(x, y, w, h);
      g.clip();
      if (CANVAS_BLUR) {
        g.filter = `blur(${Math.max(4, Math.round(Math.max(canvas.width, canvas.height) / 60))}px)`;
        g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      } else {
        g.fillStyle = "rgb(80 80 80 / 0.85)";
        g.fillRect(x, y, w, h);
      }
      g.restore();
      g.save();
      g.lineWidth = Math.max(2, canvas.width / 300);
      g.setLineDash([8, 6]);
      g.strokeStyle = "#f5b700";
      g.strokeRect(x, y, w, h);
      g.restore();
    }
    setText(canvasName, "working.canvas", { name: isolate(shown), n: num(areas.length) });
  }

  function areaText(a, i) {
    return t("working.area", {
      i: formatNumber(i + 1), x: formatNumber(a.x), y: formatNumber(a.y), w: formatNumber(a.w), h: formatNumber(a.h),
    });
  }

  function renderAreas() {
    areasList.replaceChildren(...areas.map((a, i) => {
      const textId = uid("area");
      const remove = el("button", {
        type: "button", className: "button small", i18n: "working.remove", "aria-describedby": textId,
        onclick: () => {
          areas.splice(i, 1);
          renderAreas();
          draw();
          setText(status, "working.removed", { n: num(i + 1) });
          // Focus stays in the list (the next Remove), or goes back to the fields.
          const next = areasList.querySelectorAll("button")[Math.min(i, areas.length - 1)];
          (next || fields.x).focus();
        },
      });
      return el("li", { className: "area" }, [setText(el("span", { id: textId }), "working.area", {
        i: num(i + 1), x: num(a.x), y: num(a.y), w: num(a.w), h: num(a.h),
      }), remove]);
    }));
    areasList.hidden = !areas.length;
    areasNone.hidden = areas.length > 0;
  }

  /** An area inside the image, in whole pixels of the original; null if it is empty. */
  function clampArea(x, y, w, h) {
    const W = bitmap.width;
    const H = bitmap.height;
    const x0 = Math.max(0, Math.min(W, Math.round(Math.min(x, x + w))));
    const y0 = Math.max(0, Math.min(H, Math.round(Math.min(y, y + h))));
    const x1 = Math.max(0, Math.min(W, Math.round(Math.max(x, x + w))));
    const y1 = Math.max(0, Math.min(H, Math.round(Math.max(y, y + h))));
    return x1 - x0 >= 1 && y1 - y0 >= 1 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
  }

  function addArea(area) {
    areas.push(area);
    renderAreas();
    draw();
    setText(status, "working.added", { area: areaText(area, areas.length - 1) });
  }

  function addFromFields() {
    say(error, null);
    if (!bitmap) return;
    const values = Object.fromEntries(Object.entries(fields).map(([k, input]) => [k, Number(input.value)]));
    const whole = Object.values(values).every((v) => Number.isInteger(v)) && values.x >= 0 && values.y >= 0 && values.w >= 1 && values.h >= 1;
    if (!whole || values.x + values.w > bitmap.width || values.y + values.h > bitmap.height) {
      setText(error, "working.error.outside", { w: num(bitmap.width), h: num(bitmap.height) });
      fields.x.focus();
      return;
    }
    addArea({ x: values.x, y: values.y, w: values.w, h: values.h });
    for (const input of Object.values(fields)) input.value = "";
  }

  // Dragging on the picture (mouse, pen or finger): from where it starts to where it ends.
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * canvas.width * scale,
      y: ((event.clientY - box.top) / box.height) * canvas.height * scale,
    };
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (!bitmap || event.button > 0) return;
    canvas.setPointerCapture(event.pointerId);
    drag = { from: at(event), id: event.pointerId };
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const to = at(event);
    const area = clampArea(drag.from.x, drag.from.y, to.x - drag.from.x, to.y - drag.from.y);
    draw(area);
  });
  const endDrag = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const to = at(event);
    const from = drag.from;
    drag = null;
    const area = clampArea(from.x, from.y, to.x - from.x, to.y - from.y);
    if (event.type === "pointerup" && area && area.w >= MIN_DRAG * scale && area.h >= MIN_DRAG * scale) addArea(area);
    else draw();
  };
  canvas.addEventListener("pointerup", endDrag);
  canvas.addEventListener("pointercancel", endDrag);

  // --- saving ---------------------------------------------------------------------------------
  async function saveCopy() {
    say(error, null);
    save.disabled = true;
    say(status, "working.saving");
    try {
      await legal.makeWorkingCopy(caseId, rid, aid, { redactions: areas.map(({ x, y, w, h }) => ({ x, y, w, h })) });
      ctx.go("case", { caseId, notice: "working.saved" });
    } catch (e) {
      save.disabled = false;
      say(status, null);
      say(error, e && e.code === "invalid" ? "working.error.invalid" : legalErrorKey(e));
    }
  }

  async function load() {
    const blob = await legal.readCaseAttachment(caseId, rid, aid);
    // Decoded straight from memory (no URL), upright as the camera meant it — as the service
    // decodes it, so the areas land where they were drawn.
    bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
    const largest = Math.max(bitmap.width, bitmap.height);
    scale = largest > MAX_SIDE ? largest / MAX_SIDE : 1;
    canvas.width = Math.round(bitmap.width / scale);
    canvas.height = Math.round(bitmap.height / scale);
    setText(size, "working.size", { w: num(bitmap.width), h: num(bitmap.height) });
    for (const input of [fields.x, fields.w]) input.max = String(bitmap.width);
    for (const input of [fields.y, fields.h]) input.max = String(bitmap.height);
    draw();
    save.disabled = false;
    add.disabled = false;
  }

  save.disabled = true;
  add.disabled = true;
  renderAreas();
  load().catch((e) => say(error, e && e.code ? legalErrorKey(e) : "working.error.image"));

  const node = el("section", { className: "card working", "aria-labelledby": "working-title" }, [
    el("h2", { id: "working-title", i18n: "working.title" }),
    setText(el("p", { className: "version-title" }), "working.of", { name: isolate(shown) }),
    el("p", { i18n: "working.intro" }),
    status,
    error,
    canvasName,
    canvas,
    el("p", { className: "hint", i18n: "working.drag" }),
    size,
    el("form", { className: "area-form", novalidate: true, onsubmit: (event) => { event.preventDefault(); addFromFields(); } }, [
      el("fieldset", { className: "area-fields" }, [
        el("legend", { i18n: "working.fields" }),
        el("div", { className: "area-grid" }, [
          field("working.x", fields.x),
          field("working.y", fields.y),
          field("working.w", fields.w),
          field("working.h", fields.h),
        ]),
        el("div", { className: "actions" }, [add]),
      ]),
    ]),
    el("h3", { id: "working-areas-title", i18n: "working.areas" }),
    areasNone,
    areasList,
    el("p", { className: "hint", i18n: "working.keep" }),
    save,
    el("div", { className: "actions" }, [button("working.cancel", () => ctx.go("case", { caseId }))]),
  ]);
  return {
    node,
    dispose() {
      if (bitmap) bitmap.close();
      bitmap = null;
      canvas.width = 0;
      canvas.height = 0;
    },
  };
}
