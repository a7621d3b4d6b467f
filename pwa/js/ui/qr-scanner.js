// The back camera in a <video>, each frame drawn to a canvas and searched for a QR code in the
// page (jsQR, vendored; nothing leaves the phone). Stops by itself when a code is found, and on
// stop() — which the screen calls when it closes, so the camera light never stays on.
import { el } from "./dom.js";

const EVERY_MS = 200; // five tries a second: quick enough, and kind to the battery

export function createScanner({ onCode, onError }) {
  const video = el("video", { className: "scanner", muted: true, playsinline: true, autoplay: true, "aria-hidden": "true" });
  video.muted = true;
  video.hidden = true;
  const canvas = document.createElement("canvas");
  let stream = null;
  let timer = null;
  let running = false;

  function stop() {
    running = false;
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) {
      for (const track of stream.getTracks()) track.stop();
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
  }

  async function start() {
    if (running) return;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      onError("unavailable");
      return;
    }
    running = true;
    let decode;
    try {
      ({ jsQR: decode } = await import("../../vendor/jsqr.js"));
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      stop();
      onError(e && (e.name === "NotAllowedError" || e.name === "SecurityError") ? "denied" : "unavailable");
      return;
    }
    if (!running) { stop(); return; } // stopped (screen left) while the permission was asked
    video.srcObject = stream;
    video.hidden = false;
    try { await video.play(); } catch { /* autoplay of a muted stream is allowed; frames still come */ }
    const g = canvas.getContext("2d", { willReadFrequently: true });
    const tick = () => {
      timer = null;
      if (!running) return;
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w && h) {
        canvas.width = w;
        canvas.height = h;
        g.drawImage(video, 0, 0, w, h);
        const found = decode(g.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
        if (found && typeof found.data === "string" && found.data) {
          stop();
          onCode(found.data);
          return;
        }
      }
      timer = setTimeout(tick, EVERY_MS);
    };
    tick();
  }

  return { video, start, stop, get running() { return running; } };
}
