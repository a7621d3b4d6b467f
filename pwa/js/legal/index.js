// The legal service (issue 7): referral of reports to legal supporters with the delegate's
// signed consent, the custody log of each case as signed sp.custody records, case review with
// its integrity lines, working copies with blurred areas, and the evidence bundle.
// Contract: docs/legal-contract.md §0 and §7.1. The screens import only this module. Every
// function needs an unlocked, enrolled vault, throws AccountError (/js/sync/index.js) and only
// seals and queues: the next "Sync now" (account.syncNow) sends.
//
//   held.js          every record held (received or own) in one shape; the reports they form
//   cases.js         cases from custody records: heads, topological log, missing events, holders
//   custody.js       sealing custody events (prev = heads, inside the chain's queue); opened, notes
//   refer.js         the consent gate and the referral
//   withdraw.js      who holds a report through a referral; the author's withdrawal (sharing.revoke)
//   review.js        cases() and caseView()
//   files.js         attachments read back, plaintext SHA-256 checked and remembered
//   integrity.js     the per-record verdict lines; readCaseAttachment
//   working-copy.js  re-encoded, redacted copies of photos
//   bundle.js        the evidence bundle (ZIP, optionally sealed); bundle-text.js its report and README
export { referable, refer } from "./refer.js";
export { cases, caseView } from "./review.js";
export { addCaseNote, openReport } from "./custody.js";
export { integrity, readCaseAttachment } from "./integrity.js";
export { makeWorkingCopy } from "./working-copy.js";
export { exportBundle } from "./bundle.js";
