// Copies the browser libraries from node_modules into pwa/vendor/ as single ES modules.
// They come from the committed package-lock.json; nothing is ever fetched from a CDN, and the
// output folder is git-ignored so no third-party code is committed.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../pwa/vendor/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const bundles = {
  "hpke.js": 'export { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from "@hpke/core";',
  "idb.js": 'export { openDB, deleteDB } from "idb";',
  "argon2.js": 'export { argon2id } from "hash-wasm";',
  "sha256.js": 'export { createSHA256 } from "hash-wasm";',
  "qrcode.js": 'export { qrcode } from "qrcode-generator";',
  "jsqr.js": 'export { default as jsQR } from "jsqr";',
  "zip.js": 'export { zipSync, unzipSync, strToU8 } from "fflate";',
};
for (const [name, contents] of Object.entries(bundles)) {
  await build({
    stdin: { contents, resolveDir: new URL("..", import.meta.url).pathname, loader: "js" },
    bundle: true, format: "esm", minify: true, legalComments: "inline",
    outfile: out + name, logLevel: "warning",
  });
}
// pdf.js is copied as published (already minified ES modules): the case review renders PDFs onto
// a canvas with it (pdf.js 6 uses no eval; the CSP has no unsafe-eval), so the CSP keeps object-src and frame-src 'none'.
// Only the image decoders it may need are copied (WebAssembly, allowed by 'wasm-unsafe-eval').
const pdf = new URL("../node_modules/pdfjs-dist/", import.meta.url).pathname;
mkdirSync(out + "pdfjs/", { recursive: true });
copyFileSync(pdf + "build/pdf.min.mjs", out + "pdfjs/pdf.js");
copyFileSync(pdf + "build/pdf.worker.min.mjs", out + "pdfjs/pdf.worker.js");
for (const wasm of ["openjpeg.wasm", "jbig2.wasm", "qcms_bg.wasm"]) copyFileSync(pdf + "wasm/" + wasm, out + "pdfjs/" + wasm);
console.log("vendored:", [...Object.keys(bundles), "pdfjs/"].join(", "));
