// QR codes drawn on a canvas from the vendored generator: the Emergency Kit's Secret Key and a
// contact's safety number. Black on white with the 4-module quiet zone scanners expect.
import { qrcode } from "../../vendor/qrcode.js";

export function drawQr(canvas, text) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4;
  const scale = Math.max(4, Math.floor(240 / (modules + quiet * 2)));
  const size = (modules + quiet * 2) * scale;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, size, size);
  g.fillStyle = "#000000";
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (qr.isDark(r, c)) g.fillRect((c + quiet) * scale, (r + quiet) * scale, scale, scale);
    }
  }
}
