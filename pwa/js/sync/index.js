// The account and sync service (issue 5). Contract: docs/account-contract.md; wire protocol:
// docs/sync-api.md. Data flows ui -> this service -> the vault (pwa/js/vault/sync-port.js),
// /crypto/sp1.js, js/store/ and fetch; nothing here runs unless the delegate asks.
//
//   api.js       the fetch wrapper: same origin, CSRF, JSON errors, retry with backoff
//   auth.js      the account of the unlocked vault, its server session, silent sign-in
//   uploader.js  resumable attachment upload from IndexedDB chunks
//   engine.js    plan, upload, push, pull, download: "Sync now"
//   account.js   invite, enrolment, sign-in on a new device, devices, prepare for crossing
//   outbox.js    queued recipient wraps and revocations (sharing, issue 6)
//   download.js  streamed, verified attachment downloads into IndexedDB chunks
//   duress-release.js  sends a duress alert's release token after a duress unlock
import "./duress-release.js";

export { AccountError } from "./errors.js";
export {
  enrol, listDevices, pendingInvite, prepareForCrossing, revokeDevice, signIn, signOut, status, takeInviteFromUrl,
} from "./account.js";
export { plan, syncNow } from "./engine.js";
