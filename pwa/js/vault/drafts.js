// The one draft being typed, sealed under the account key (never plaintext at rest).
import * as sp from "../../crypto/sp1.js";
import { guarded } from "./errors.js";
import { requireSession } from "./session.js";
import { storageOf } from "./storage.js";

export async function saveDraft(content) {
  return guarded(async () => {
    const s = requireSession();
    const sealed = await sp.sealLocal(s.ak, new TextEncoder().encode(JSON.stringify(content)), "draft");
    await storageOf(s).putDraft(sealed);
  });
}

export async function loadDraft() {
  return guarded(async () => {
    const s = requireSession();
    const sealed = await storageOf(s).getDraft();
    if (!sealed) return null;
    return JSON.parse(new TextDecoder().decode(await sp.openLocal(s.ak, sealed, "draft")));
  });
}

export async function clearDraft() {
  await storageOf(requireSession()).deleteDraft();
}
