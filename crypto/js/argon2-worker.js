// Module Web Worker that runs Argon2id (hash-wasm) off the main thread, so the page stays
// responsive during the unlock. One derivation per worker: sp1.js terminates the worker
// afterwards, which frees the WebAssembly memory that held Argon2's passphrase-derived state.
//
// Protocol (plain objects):
//   out: {type: "ready"} once the module is loaded and the WebAssembly compiled (a tiny warm-up
//        derivation on a constant input), so a worker started while the user types the
//        passphrase ("prewarmed") spends the unlock on Argon2 alone;
//   in : {password: Uint8Array (UTF-8 of the NFC passphrase, transferred), salt: Uint8Array,
//         t, m (KiB), p, length};
//   out: {type: "started"} when the request arrives, {type: "progress", phase: "deriving"} just
//        before the memory-hard part, then {type: "done", key: Uint8Array (transferred), ms} or
//        {type: "error", name} (the error's class name only; never any input).
// hash-wasm has no progress callback inside a derivation, so "progress" is coarse.

import { argon2id } from "../vendor/argon2.js";

const warm = argon2id({
  password: new Uint8Array(1), salt: new Uint8Array(16), iterations: 1, memorySize: 8, parallelism: 1,
  hashLength: 32, outputType: "binary",
}).then(() => self.postMessage({ type: "ready" }), () => self.postMessage({ type: "ready" }));

self.onmessage = async (event) => {
  const { password, salt, t, m, p, length } = event.data;
  self.postMessage({ type: "started" });
  try {
    await warm;
    self.postMessage({ type: "progress", phase: "deriving" });
    const t0 = performance.now();
    const key = await argon2id({
      password, salt, iterations: t, memorySize: m, parallelism: p, hashLength: length,
      outputType: "binary",
    });
    const ms = performance.now() - t0;
    password.fill(0);
    self.postMessage({ type: "done", key, ms }, [key.buffer]);
  } catch (err) {
    password.fill(0);
    self.postMessage({ type: "error", name: err && err.name ? String(err.name) : "Error" });
  }
};
