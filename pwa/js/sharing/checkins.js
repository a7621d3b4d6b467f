// The check-in timer: an alert the server releases to the chosen focal points unless the
// delegate checks in before its deadline. Setting and checking in need the network.
import * as port from "../vault/sync-port.js";
import { authed, context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { alertError, checkText, sendAlert } from "./alerts.js";
import { recipients } from "./contacts.js";
import { loadLedger, saveLedger } from "./state.js";

const MIN_AHEAD_MS = 60 * 1000; // the server's bounds (docs/sharing-contract.md §3.4)
const MAX_AHEAD_MS = 90 * 24 * 3600 * 1000;

/** Registers a check-in alert for `deadline` (ms) to the contacts `to`. Returns {id}. */
export async function setCheckin({ deadline, text = "", to = [] } = {}) {
  const now = Date.now();
  if (!Number.isSafeInteger(deadline) || deadline < now + MIN_AHEAD_MS || deadline > now + MAX_AHEAD_MS) {
    throw new AccountError("invalid", "the deadline must be between one minute and 90 days from now");
  }
  const ctx = await context();
  const people = await recipients(ctx, to, { allowUnverified: true });
  const answer = await sendAlert(ctx, {
    fields: { alert: "checkin", text: checkText(text), deadline }, recipients: people, request: { deadline },
  });
  await port.serial(async () => {
    const ledger = await loadLedger(ctx.s);
    const entry = { id: answer.id, kind: "checkin", to: people.map((c) => c.uid), deadline };
    ledger.alerts = [...ledger.alerts.filter((a) => a.id !== answer.id), entry];
    await saveLedger(ctx.s, ledger);
  });
  return { id: answer.id };
}

/**
 * This account's check-in alerts from the server: [{id, deadline, state: "held"|"released",
 * released, to: [uid]}] (`to` is known on the device that set it).
 */
export async function checkins() {
  const ctx = await context();
  const answer = await authed(ctx, "GET", "/api/alerts");
  if (!answer || !Array.isArray(answer.alerts)) throw new AccountError("server-error", "unexpected alerts answer");
  const ledger = await loadLedger(ctx.s);
  return answer.alerts.filter((a) => a && a.kind === "checkin").map((a) => ({
    id: String(a.id), deadline: Number.isSafeInteger(a.deadline) ? a.deadline : null,
    state: a.state === "released" ? "released" : "held", released: Number.isSafeInteger(a.released) ? a.released : null,
    to: ledger.alerts.find((x) => x.id === a.id)?.to || [],
  }));
}

/** "I am fine": the held alert is deleted. "alert-released" if it already went out, "not-found". */
export async function checkIn(id) {
  const ctx = await context();
  const rid = String(id ?? "");
  if (!/^[A-Za-z0-9_-]{22}$/.test(rid)) throw new AccountError("not-found", "no such alert");
  try {
    await authed(ctx, "POST", `/api/alerts/${rid}/checkin`);
  } catch (err) {
    throw alertError(err);
  }
  await port.serial(async () => {
    const ledger = await loadLedger(ctx.s);
    ledger.alerts = ledger.alerts.filter((a) => a.id !== rid);
    await saveLedger(ctx.s, ledger);
  });
}
