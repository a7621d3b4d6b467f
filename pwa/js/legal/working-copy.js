// Working copies (docs/legal-contract.md §0.1, §4): a photo of a report re-encoded through a
// canvas — which keeps the pixels and drops EXIF, GPS and maker notes — with the rectangles the
// legal supporter chose blurred, sealed as a "working-copy" custody event that carries the new
// image as its one attachment and names the original (rid, aid, its sealed SHA-256). The sealed
// original never changes; its hash still verifies.
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { caseOf, recordOf } from "./cases.js";
import { itemsOf, sealCustody } from "./custody.js";
import { decryptFile, fileOf } from "./files.js";
import { loadHeld } from "./held.js";

const MAX_REDACTIONS = 32;
const JPEG_QUALITY = 0.9;
// Blur radius as a share of the image's longer side, so a redaction hides as much of a large
// photo as of a small one; never below a radius that still smears text.
const BLUR_SHARE = 1 / 40;
const BLUR_MIN_PX = 8;
const IMAGE = /^image\//;

function invalid(message) {
  return new AccountError("invalid", message);
}

/** The rectangles as given: at most 32 of {x, y, w, h}, integers, w and h above zero. */
function checkRedactions(list) {
  if (!Array.isArray(list) || list.length > MAX_REDACTIONS) throw invalid("at most 32 rectangles");
  return list.map((r) => {
    if (!r || ![r.x, r.y, r.w, r.h].every(Number.isSafeInteger) || r.w <= 0 || r.h <= 0) throw invalid("a rectangle needs integer x, y, w, h");
    return { x: r.x, y: r.y, w: r.w, h: r.h };
  });
}

/** The rectangle cut to the image, or "invalid" when none of it is inside. */
function clamp(r, width, height) {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.w);
  const y1 = Math.min(height, r.y + r.h);
  if (x1 <= x0 || y1 <= y0) throw invalid("a rectangle is outside the image");
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

const copyName = (name) => `${String(name || "").replace(/\.[^.]*$/, "") || "image"}-working-copy.jpg`;

/**
 * Draws `bitmap` with each area blurred and encodes it as JPEG. Inside an area the blurred
 * image is drawn over an opaque fill: at the image's edges a blur is partly transparent, and
 * the original pixels must not show through it.
 */
async function redactedJpeg(bitmap, areas) {
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff"; // a transparent PNG becomes white, not black, as a JPEG
  g.fillRect(0, 0, width, height);
  g.drawImage(bitmap, 0, 0);
  const radius = Math.max(BLUR_MIN_PX, Math.round(Math.max(width, height) * BLUR_SHARE));
  for (const a of areas) {
    g.save();
    g.beginPath();
    g.rect(a.x, a.y, a.w, a.h);
    g.clip();
    g.fillStyle = "#808080";
    g.fillRect(a.x, a.y, a.w, a.h);
    g.filter = `blur(${radius}px)`;
    g.drawImage(bitmap, 0, 0);
    g.restore();
  }
  return canvas.convertToBlob({ type: "image/jpeg", quality: JPEG_QUALITY });
}

/**
 * A working copy of image `aid` of report version `rid` in case `caseId`, with `redactions`
 * ([{x, y, w, h}] in pixels of the original, at most 32, cut to the image) blurred. Sealed and
 * queued to the case's holders. Returns {rid, aid} of the copy. "invalid" for anything but an
 * image the browser can decode; "not-found" while the original is not downloaded.
 */
export async function makeWorkingCopy(caseId, rid, aid, { redactions = [] } = {}) {
  const rects = checkRedactions(redactions);
  const ctx = await context();
  const held = await loadHeld(ctx);
  const c = caseOf(held, caseId);
  const h = recordOf(held, c, rid);
  const file = fileOf(h, String(aid ?? ""));
  if (!file) throw new AccountError("not-found", "no such attachment");
  if (h.kind !== "sp.incident" || !IMAGE.test(String(file.meta.mime ?? ""))) throw invalid("working copies are made of images only");
  const { blob } = await decryptFile(ctx.s, h, file.meta.aid);
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw invalid("this image cannot be read");
  }
  let jpeg;
  let areas;
  try {
    areas = rects.map((r) => clamp(r, bitmap.width, bitmap.height));
    jpeg = await redactedJpeg(bitmap, areas);
  } finally {
    bitmap.close();
  }
  const name = copyName(file.meta.name);
  const rec = await sealCustody(ctx, {
    caseId: c.id, event: "working-copy", items: itemsOf([h]),
    detail: {
      of: { rid: h.rid, aid: file.meta.aid, sha256: String(file.meta.sha256 ?? "") }, redactions: areas, name, mime: "image/jpeg",
    },
    file: { blob: jpeg, name },
  });
  return { rid: rec.rid, aid: rec.header.att[0].aid };
}
