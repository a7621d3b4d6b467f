// The vault service (issues 4 and 5): the delegate's encrypted incident log on this device.
// Contract: docs/vault-contract.md. Crypto: /crypto/sp1.js only. Storage: js/store/ only.
//
//   session.js      keys in memory while unlocked, idle/hidden lock, unlock policy, wipe
//   keys.js         create and unlock (passphrase -> KEK, auth key, AK, identity)
//   records.js      opening and sealing records; incident list, detail, save; the profile
//   lineage.js      versions, heads and conflicts of an incident (pure)
//   attachments.js  files encrypted into IndexedDB chunks and read back
//   drafts.js       the draft being typed, sealed under the AK
//   backup.js       export and import of one encrypted file
//   sync-port.js    what the sync service (pwa/js/sync/) needs; not for the screens
export { VaultError } from "./errors.js";
export {
  lock, onLock, requestPersistence, setUnlockPolicy, state, touch, unlockPolicy, wipe,
} from "./session.js";
export { createVault, prepareToDerive, unlock } from "./keys.js";
export { getIncident, integrity, listIncidents, saveIncident } from "./records.js";
export { readAttachment } from "./attachments.js";
export { clearDraft, loadDraft, saveDraft } from "./drafts.js";
export { exportBackup, importBackup } from "./backup.js";
