// A PDF from decrypted memory, drawn page by page onto a <canvas> by the vendored pdf.js — never
// by the browser's PDF plugin, so the CSP keeps object-src and frame-src 'none'. pdf.js runs its
// parser in its own module worker (worker-src 'self'); no annotation or text layer is built, so
// nothing in the file becomes markup, a link or a form in the page. pdf.js 6.5 has no
// isEvalSupported option any more: it no longer compiles fonts or PostScript functions with eval
// or new Function, so the CSP needs no 'unsafe-eval'. Its ~1.7 MB are loaded only when a PDF is
// first shown (from the shell's precache when offline).
import { button, el, num, say, setText, uid } from "./dom.js";

const WORKER = new URL("../../vendor/pdfjs/pdf.worker.js", import.meta.url).href;
// JPEG 2000, JBIG2 and ICC colour decoders, fetched only if a file needs them.
const WASM = new URL("../../vendor/pdfjs/", import.meta.url).href;
const MAX_PIXELS = 16e6; // a phone's canvas limit is near this; larger pages are drawn smaller

let library = null;
function pdfjs() {
  library ||= import("../../vendor/pdfjs/pdf.js").then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = WORKER;
    return lib;
  }).catch((error) => {
    library = null; // a failed download may work next time
    throw error;
  });
  return library;
}

/**
 * Renders `blob` (a PDF) into the returned node once `open()` is called (after the node is in
 * the page, so its width is known). `nameId` is the id of the element that names the file.
 * `onFail()` runs if this browser or this file cannot be drawn. dispose() stops the worker.
 */
export function pdfView(blob, { nameId, onFail = () => {} }) {
  const whereId = uid("pdf-page");
  const where = el("p", { className: "pdf-where", id: whereId, "aria-live": "polite" });
  const canvas = el("canvas", { className: "pdf-page", role: "img", "aria-labelledby": `${nameId} ${whereId}` });
  const prev = button("case.pdf.previous", () => turn(-1), "button small");
  const next = button("case.pdf.next", () => turn(1), "button small");
  prev.disabled = true;
  next.disabled = true;
  const node = el("div", { className: "pdf-view" }, [
    canvas,
    where,
    el("div", { className: "pdf-nav" }, [prev, next]),
  ]);
  say(where, "case.pdf.loading");
  let task = null;
  let doc = null;
  let page = 1;
  let rendering = null;
  let closed = false;

  async function draw() {
    if (rendering) rendering.cancel();
    const current = await doc.getPage(page);
    if (closed) return;
    const base = current.getViewport({ scale: 1 });
    const cssWidth = Math.max(200, node.clientWidth || 320);
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    let scale = (cssWidth * ratio) / base.width;
    if (base.width * base.height * scale * scale > MAX_PIXELS) scale = Math.sqrt(MAX_PIXELS / (base.width * base.height));
    const viewport = current.getViewport({ scale });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    const task = current.render({ canvas, canvasContext: canvas.getContext("2d"), viewport });
    rendering = task;
    try {
      await task.promise;
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") return;
      throw error;
    } finally {
      if (rendering === task) rendering = null;
    }
    setText(where, "case.pdf.page", { page: num(page), pages: num(doc.numPages) });
    prev.disabled = page <= 1;
    next.disabled = page >= doc.numPages;
  }

  async function turn(step) {
    if (!doc) return;
    const target = Math.min(doc.numPages, Math.max(1, page + step));
    if (target === page) return;
    page = target;
    try {
      await draw();
    } catch {
      fail();
      return;
    }
    // The button pressed may now be disabled (first or last page): keep the focus on the other.
    if (document.activeElement === document.body || document.activeElement?.disabled) (step < 0 ? next : prev).focus();
  }

  function fail(key = "case.pdf.failed") {
    if (closed) return;
    say(where, key);
    canvas.hidden = true;
    prev.hidden = true;
    next.hidden = true;
    onFail();
  }

  async function open() {
    let lib;
    try {
      lib = await pdfjs();
    } catch (error) {
      // pdf.js is fetched after the app is installed (pwa/sw/deferred.js): offline before
      // that, it is not on the phone yet, which is not the file's fault.
      console.warn("pdf viewer:", error && error.name);
      fail(navigator.onLine ? "case.pdf.failed" : "case.pdf.viewer-missing");
      return;
    }
    try {
      const data = new Uint8Array(await blob.arrayBuffer());
      if (closed) return;
      task = lib.getDocument({
        data, wasmUrl: WASM, enableXfa: false, stopAtErrors: false, verbosity: lib.VerbosityLevel.ERRORS,
      });
      doc = await task.promise;
      if (closed) return;
      await draw();
    } catch (error) {
      console.warn("pdf view:", error && error.name);
      fail();
    }
  }

  return {
    node,
    open,
    dispose() {
      closed = true;
      if (rendering) rendering.cancel();
      if (task) task.destroy().catch(() => {});
      canvas.width = 0; // frees the bitmap now, not at the next garbage collection
      canvas.height = 0;
    },
  };
}
