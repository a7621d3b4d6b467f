// Held alerts (docs/sharing-contract.md §3.4): an sp.alert record alone in a FRESH device chain
// (a random dev never used, seq 1, prev zero), with an owner wrap for this account's devices and
// an HPKE wrap per recipient, handed to the server, which holds it undelivered until its
// condition (a missed check-in deadline, a duress release). It is not written into the local
// chain: once released, the server stores it as a record of the account and every device of the
// delegate pulls it like any other.
import * as sp from "../../crypto/sp1.js";
import { authed } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { B, me, partyOf } from "./state.js";

export const TEXT_MAX = 2000;
const MAX_RECIPIENTS = 16; // the server's bound on an alert's shares

/** The server's own code for a refused alert call mapped onto the contract's codes. */
export function alertError(err) {
  if (!(err instanceof AccountError)) return err;
  if (err.serverCode === "alert-released") return new AccountError("alert-released", "the alert already went out");
  if (err.serverCode === "not-found") return new AccountError("not-found", "no such alert");
  if (["invalid-alert", "invalid-wrap", "invalid-request"].includes(err.serverCode)) {
    return new AccountError("invalid", "the server refused the alert");
  }
  return err;
}

export function checkText(text) {
  const value = typeof text === "string" ? text.normalize("NFC").trim() : "";
  if (value.length > TEXT_MAX) throw new AccountError("invalid", "alert text too long");
  return value;
}

/**
 * Seals and registers a held alert. `fields` = {alert: "checkin"|"duress", text, deadline?};
 * `request` the extra members of POST /api/alerts (deadline or token). Returns the answer {id, ...}.
 */
export async function sendAlert(ctx, { fields, recipients, request }) {
  if (recipients.length > MAX_RECIPIENTS) throw new AccountError("invalid", "an alert goes to at most 16 people");
  ctx.check();
  const { s } = ctx;
  const body = { ts: Date.now(), kind: "sp.alert", from: me(ctx).name, ...fields };
  const sealed = await sp.sealRecord({
    identity: s.identity, dev: sp.randomBytes(16), seq: 1,
    rcpt: recipients.map((c) => sp.b64uDecode(c.kid, 16)), content: body,
  });
  const { hdr } = sealed.envelope;
  const shares = [];
  for (const c of recipients) shares.push(await sp.wrapForRecipient(s.identity, hdr, sealed.cek, partyOf(c)));
  const wrap = await sp.wrapForOwner(s.ak, hdr, sealed.cek);
  let answer;
  try {
    answer = await authed(ctx, "POST", "/api/alerts", { json: { kind: fields.alert, envelope: sealed.envelope, wrap, shares, ...request } });
  } catch (err) {
    throw alertError(err);
  }
  if (!answer || answer.id !== B(sealed.rid)) throw new AccountError("server-error", "unexpected alert answer");
  return answer;
}
