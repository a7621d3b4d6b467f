// The sharing service (issue 6): contacts and safety numbers, sharing reports and revoking
// them, the inbox of received reports with what their checks found, triage statuses and notes,
// statistics, the check-in timer and the duress passphrase. Contract: docs/sharing-contract.md
// §2 and §4 (and its "Implementation notes → PWA services"). Errors are AccountError
// (/js/sync/index.js). "Sync now" (account.syncNow) sends what these functions queue and pulls
// the inbox.
//
//   state.js     contacts and inbox opened in memory per unlock; sealed storage helpers
//   contacts.js  directory, pinning (TOFU by account id), safety numbers, verification (also
//                sealed as sp.contact records, so the account's other devices know it)
//   messages.js  sealing sp.share/unshare/status/note with per-recipient numbering
//   shares.js    share, revoke, sharesOf (the delegate's side)
//   forward.js   a new version of a shared report follows it to those who hold it
//   receive.js   pulling and checking the inbox (called by the sync engine)
//   reports.js   received items grouped into reports (pure)
//   inbox.js     inbox list, report, attachments
//   triage.js    statuses and notes
//   stats.js     statistics and CSV
//   alerts.js, checkins.js, duress.js   held alerts
export {
  acceptNewKey, contacts, markVerified, publishCard, qrText, refreshDirectory, safetyNumber, verifyScanned,
} from "./contacts.js";
export { revoke, share, sharesOf } from "./shares.js";
export { inbox, readAttachment, rejectedCount, report } from "./inbox.js";
export { acknowledge, addNote, setStatus } from "./triage.js";
export { statistics, statisticsCsv } from "./stats.js";
export { checkIn, checkins, setCheckin } from "./checkins.js";
export { clearDuress, duressState, setDuress } from "./duress.js";
