// "New incident" (and Edit): the fields of issue 4, autosaved as an encrypted draft while the
// delegate types (a lock or a crash never loses what was written), sealed by "Save incident".
// Editing seals a new version that supersedes the old one; the old one stays in the history.
import * as vault from "../vault/index.js";
import { attachmentsInput } from "./attachments-input.js";
import { button, el, errorCode, field, liveRegion, progressBar, say, uid } from "./dom.js";
import { INCIDENT_TYPES } from "./incident-types.js";

const DRAFT_DELAY_MS = 600;
const TEXT_FIELDS = ["title", "where", "officials", "what", "questions", "impact", "witnesses", "help"];
const CONSENTS = [
  { name: "contact", i18n: "form.consent.contact" },
  { name: "statistics", i18n: "form.consent.statistics" },
  { name: "legal", i18n: "form.consent.legal" },
];
const ANSWERS = [
  { value: "unknown", i18n: "form.answer.unknown" },
  { value: "yes", i18n: "form.answer.yes" },
  { value: "no", i18n: "form.answer.no" },
];

/** "now" as the value of a datetime-local input (local time, minutes). */
export function localNow(date = new Date()) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

function textarea(name) {
  return el("textarea", { name, rows: "4" });
}

function select(name, options) {
  return el("select", { name }, options.map((o) => el("option", { value: o.value, i18n: o.i18n })));
}

export function incidentFormScreen(ctx, { edit = null, draft = null, merges = null } = {}) {
  const inputs = {
    title: el("input", { type: "text", name: "title", required: true, autocomplete: "off" }),
    type: select("type", [{ value: "", i18n: "form.type.choose" }, ...INCIDENT_TYPES]),
    when: el("input", { type: "datetime-local", name: "when" }),
    where: el("input", { type: "text", name: "where", autocomplete: "off" }),
    officials: el("input", { type: "text", name: "officials", autocomplete: "off" }),
    what: textarea("what"),
    questions: textarea("questions"),
    impact: textarea("impact"),
    witnesses: textarea("witnesses"),
    help: textarea("help"),
  };
  const unlocked = select("unlocked", ANSWERS);
  const copied = select("copied", ANSWERS);
  const consent = Object.fromEntries(CONSENTS.map((c) => [c.name, el("input", { type: "checkbox", name: c.name, id: uid("consent") })]));
  const coarse = el("input", { type: "checkbox", name: "coarse", id: uid("coarse"), checked: true });
  const locationStatus = liveRegion("status");
  let location = null;

  const attachments = attachmentsInput();
  const draftStatus = liveRegion("status");
  const error = liveRegion("alert");
  const progress = progressBar("form.progress");
  progress.bar.hidden = true;
  const supersedes = edit ? edit.rid : (draft && draft.supersedes) || null;
  // Editing one of two conflicting versions: the new version also resolves the other(s).
  const resolves = merges || (draft && Array.isArray(draft.merges) ? draft.merges : null);

  function content() {
    const c = {};
    for (const name of TEXT_FIELDS) c[name] = inputs[name].value;
    c.type = inputs.type.value;
    c.when = inputs.when.value;
    c.location = location;
    c.consent = Object.fromEntries(CONSENTS.map((x) => [x.name, consent[x.name].checked]));
    if (c.type === "device-search") c.device = { unlocked: unlocked.value, copied: copied.value };
    return c;
  }

  function fill(c) {
    for (const name of TEXT_FIELDS) inputs[name].value = typeof c[name] === "string" ? c[name] : "";
    inputs.type.value = INCIDENT_TYPES.some((x) => x.value === c.type) ? c.type : "";
    inputs.when.value = typeof c.when === "string" && c.when ? c.when.slice(0, 16) : localNow();
    location = c.location || null;
    for (const x of CONSENTS) consent[x.name].checked = Boolean(c.consent && c.consent[x.name]);
    if (c.device) {
      unlocked.value = c.device.unlocked || "unknown";
      copied.value = c.device.copied || "unknown";
    }
    if (location) say(locationStatus, "form.location.added");
  }

  const source = draft ? draft.content : edit ? edit.content : null;
  if (source) fill(source);
  else inputs.when.value = localNow();

  // --- the encrypted draft ----------------------------------------------------------------------
  let timer = null;
  let dirty = false;
  let inflight = Promise.resolve();
  // Returns a promise for every draft write started so far (Lock and Quick exit wait on it).
  function saveDraftNow() {
    clearTimeout(timer);
    timer = null;
    if (dirty) {
      dirty = false;
      const draftContent = { content: content(), supersedes, ...(resolves ? { merges: resolves } : {}) };
      inflight = inflight
        .then(() => vault.saveDraft(draftContent))
        .then(() => say(draftStatus, "form.draft.saved"), () => say(draftStatus, "form.draft.failed"));
    }
    return inflight;
  }
  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(saveDraftNow, DRAFT_DELAY_MS);
  }

  // --- device-search questions, location ----------------------------------------------------
  const device = el("fieldset", { className: "sub" }, [
    el("legend", { i18n: "form.device.legend" }),
    field("form.device.unlocked", unlocked),
    field("form.device.copied", copied),
  ]);
  const syncDevice = () => { device.hidden = inputs.type.value !== "device-search"; };
  inputs.type.addEventListener("change", syncDevice);
  syncDevice();

  const locate = button("form.location.add", () => {
    if (!navigator.geolocation) return say(locationStatus, "form.location.unavailable");
    say(locationStatus, "form.location.finding");
    navigator.geolocation.getCurrentPosition((pos) => {
      const round = coarse.checked ? 100 : 100000; // about 1 km, or the device's precision
      location = {
        lat: Math.round(pos.coords.latitude * round) / round,
        lon: Math.round(pos.coords.longitude * round) / round,
        accuracy: coarse.checked ? Math.max(1000, pos.coords.accuracy) : pos.coords.accuracy,
        coarse: coarse.checked,
      };
      say(locationStatus, "form.location.added");
      changed();
    }, () => say(locationStatus, "form.location.unavailable"), { enableHighAccuracy: !coarse.checked, timeout: 20000 });
  });

  const submit = el("button", { type: "submit", className: "button primary", i18n: "form.save" });
  const form = el("form", { className: "stack", novalidate: true }, [
    field("form.title", inputs.title),
    field("form.type", inputs.type),
    device,
    field("form.when", inputs.when),
    field("form.where", inputs.where),
    el("div", { className: "location" }, [
      el("div", { className: "check" }, [coarse, el("label", { for: coarse.id, i18n: "form.location.coarse" })]),
      locate,
      locationStatus,
    ]),
    field("form.officials", inputs.officials),
    field("form.what", inputs.what),
    field("form.questions", inputs.questions),
    field("form.impact", inputs.impact),
    field("form.witnesses", inputs.witnesses),
    field("form.help", inputs.help),
    el("fieldset", { className: "consent" }, [
      el("legend", { i18n: "form.consent.legend" }),
      ...CONSENTS.map((x) => el("div", { className: "check" }, [consent[x.name], el("label", { for: consent[x.name].id, i18n: x.i18n })])),
    ]),
    attachments.node,
    draftStatus,
    error,
    submit,
    progress.bar,
  ]);
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, null);
    const c = content();
    if (!c.title.trim()) {
      say(error, "form.error.title");
      inputs.title.focus();
      return;
    }
    if (!c.type) {
      say(error, "form.error.type");
      inputs.type.focus();
      return;
    }
    clearTimeout(timer);
    dirty = false;
    submit.disabled = true;
    progress.bar.hidden = false;
    progress.update(null);
    say(draftStatus, "form.saving");
    try {
      const options = { files: attachments.files(), supersedes, onProgress: progress.update };
      if (resolves && resolves.length) options.merges = resolves;
      await vault.saveIncident(c, options);
      await vault.clearDraft().catch(() => {});
      ctx.go("list", { notice: edit || supersedes ? "form.saved.version" : "form.saved" });
    } catch (e) {
      submit.disabled = false;
      progress.bar.hidden = true;
      say(draftStatus, null);
      say(error, `error.${errorCode(e)}`);
    }
  });

  ctx.setFlush(saveDraftNow);
  const node = el("section", { className: "card", "aria-labelledby": "form-title" }, [
    el("h2", { id: "form-title", i18n: supersedes ? "form.title.edit" : "form.title.new" }),
    draft ? el("div", { className: "restored" }, [
      el("p", { className: "message", role: "status", i18n: "form.draft.restored" }),
      button("form.draft.discard", async () => {
        clearTimeout(timer);
        dirty = false;
        await inflight;
        await vault.clearDraft().catch(() => {});
        ctx.go("list");
      }),
    ]) : null,
    el("p", { className: "hint", i18n: "form.intro" }),
    form,
  ]);
  return {
    node,
    dispose() {
      ctx.setFlush(null);
      if (dirty) saveDraftNow();
      attachments.dispose();
    },
  };
}
