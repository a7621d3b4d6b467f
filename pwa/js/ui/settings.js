// Settings: when to lock, wipe after N failed unlocks, backup export, the duress passphrase
// (delegates with an account, ui/duress.js), and "Wipe this device"
// (confirmed in the page itself: a browser dialog can be dismissed by accident or by others).
import * as vault from "../vault/index.js";
import { t } from "../i18n.js";
import { APPEARANCES, chooseAppearance, currentAppearance } from "./appearance.js";
import { duressSection } from "./duress.js";
import { button, counted, el, errorCode, field, liveRegion, num, progressBar, say, setText, uid } from "./dom.js";

const IDLE_CHOICES = [1, 2, 5, 10, 15, 30];
const WIPE_CHOICES = [0, 3, 5, 10, 20];

function numberSelect(name, values, labelFor) {
  return el("select", { name }, values.map((v) => {
    const option = el("option", { value: String(v) });
    const [key, vars] = labelFor(v);
    if (vars) setText(option, key, vars);
    else { option.dataset.i18n = key; option.textContent = t(key); }
    return option;
  }));
}

export function settingsScreen(ctx) {
  const idle = numberSelect("idle", IDLE_CHOICES, (v) => ["settings.idle.minutes", { n: counted("count.minutes", v) }]);
  const wipeAfter = numberSelect("wipeAfter", WIPE_CHOICES, (v) => (v ? ["settings.wipe.after.n", { n: num(v) }] : ["settings.wipe.after.never"]));
  const hidden = el("input", { type: "checkbox", name: "lockWhenHidden", id: uid("hidden") });
  const saved = liveRegion("status");

  vault.unlockPolicy().then((policy) => {
    idle.value = String(policy.idleMinutes || 5);
    if (![...idle.options].some((o) => o.value === idle.value)) idle.value = "5";
    wipeAfter.value = String(policy.wipeAfter || 0);
    if (![...wipeAfter.options].some((o) => o.value === wipeAfter.value)) wipeAfter.value = "0";
    hidden.checked = Boolean(policy.lockWhenHidden);
  }).catch(() => {});

  const policyForm = el("form", { className: "stack", novalidate: true }, [
    field("settings.idle", idle),
    el("div", { className: "check" }, [hidden, el("label", { for: hidden.id, i18n: "settings.hidden" })]),
    field("settings.wipe.after", wipeAfter, "settings.wipe.after.hint"),
    el("button", { type: "submit", className: "button primary", i18n: "settings.save" }),
    saved,
  ]);
  policyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await vault.setUnlockPolicy({
        idleMinutes: Number(idle.value), wipeAfter: Number(wipeAfter.value), lockWhenHidden: hidden.checked,
      });
      ctx.policyChanged();
      say(saved, "settings.saved");
    } catch (e) {
      say(saved, `error.${errorCode(e)}`);
    }
  });

  // --- name and icon ---------------------------------------------------------------------------
  const appearanceStatus = liveRegion("status");
  const appearance = el("select", { name: "appearance" }, Object.keys(APPEARANCES).map((name) =>
    el("option", { value: name, i18n: `appearance.${name}` })));
  appearance.value = currentAppearance();
  appearance.addEventListener("change", async () => {
    await chooseAppearance(appearance.value);
    say(appearanceStatus, "appearance.saved");
  });

  // --- backup -----------------------------------------------------------------------------------
  const backupStatus = liveRegion("status");
  const backupProgress = progressBar("backup.progress");
  backupProgress.bar.hidden = true;
  const exportButton = button("backup.export", async () => {
    exportButton.disabled = true;
    backupProgress.bar.hidden = false;
    say(backupStatus, "backup.working");
    try {
      const blob = await vault.exportBackup({ onProgress: backupProgress.update });
      const url = URL.createObjectURL(blob);
      const link = el("a", { href: url, download: `safe-passage-${new Date().toISOString().slice(0, 10)}.spbackup` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      say(backupStatus, "backup.done");
    } catch (e) {
      say(backupStatus, `error.${errorCode(e)}`);
    } finally {
      exportButton.disabled = false;
      backupProgress.bar.hidden = true;
    }
  });

  // --- wipe ------------------------------------------------------------------------------------
  const confirmBox = el("div", { className: "confirm", hidden: true }, [
    el("p", { className: "warning", id: "wipe-warning", i18n: "wipe.confirm.text" }),
    el("div", { className: "actions" }, [
      button("wipe.confirm", async () => {
        await ctx.wipe();
      }, "button danger"),
      button("wipe.cancel", () => { confirmBox.hidden = true; wipeButton.focus(); }),
    ]),
  ]);
  const wipeButton = button("wipe.open", () => {
    confirmBox.hidden = false;
    confirmBox.querySelector("button").focus();
  }, "button danger");

  const node = el("section", { className: "card", "aria-labelledby": "settings-title" }, [
    el("h2", { id: "settings-title", i18n: "settings.title" }),
    policyForm,
    el("h3", { i18n: "appearance.title" }),
    field("appearance.label", appearance, "appearance.hint"),
    appearanceStatus,
    el("h3", { i18n: "backup.title" }),
    el("p", { i18n: "backup.intro" }),
    exportButton,
    backupProgress.bar,
    backupStatus,
    duressSection().node,
    el("h3", { i18n: "wipe.title" }),
    el("p", { i18n: "wipe.intro" }),
    wipeButton,
    confirmBox,
  ]);
  return { node };
}
