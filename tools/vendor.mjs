// Copies the browser libraries from node_modules into pwa/vendor/ as single ES modules.
// They come from the committed package-lock.json; nothing is ever fetched from a CDN, and the
// output folder is git-ignored so no third-party code is committed.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const out = new URL("../pwa/vendor/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const bundles = {
  "hpke.js": 'export { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from "@hpke/core";',
  "idb.js": 'export { openDB, deleteDB } from "idb";',
  "argon2.js": 'export { argon2id } from "hash-wasm";',
  "sha256.js": 'export { createSHA256 } from "hash-wasm";',
  "qrcode.js": 'export { qrcode } from "qrcode-generator";',
  "jsqr.js": 'export { default as jsQR } from "jsqr";',
};
for (const [name, contents] of Object.entries(bundles)) {
  await build({
    stdin: { contents, resolveDir: new URL("..", import.meta.url).pathname, loader: "js" },
    bundle: true, format: "esm", minify: true, legalComments: "inline",
    outfile: out + name, logLevel: "warning",
  });
}
console.log("vendored:", Object.keys(bundles).join(", "));
