// "Devices": every phone or computer signed in to the account, with "This device", when it was
// added and when it last synced (to the day: the server keeps no finer time). "Revoke" cuts off
// a lost or seized one — confirmed first, in the page itself. Revoking this device signs it out.
import * as account from "../sync/index.js";
import { t } from "../i18n.js";
import { SERIOUS, accountErrorCode, accountErrorKey, formatDay, plural } from "./account-text.js";
import { button, el, liveRegion, onLanguageChange, say, setText, uid } from "./dom.js";

export function devicesScreen(ctx) {
  const list = el("ul", { className: "devices", "aria-labelledby": "devices-title" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  let devices = [];
  let revokedName = null;
  let confirming = null; // the device whose "Revoke" confirmation is open (kept across a re-render)

  function showError(e) {
    say(error, accountErrorKey(e));
    error.classList.toggle("serious", SERIOUS.has(accountErrorCode(e)));
  }

  function item(device) {
    const nameId = uid("device");
    const name = el("span", { className: "device-name", id: nameId, dir: "ltr", text: String(device.name || "") });
    const facts = el("dl", { className: "facts device-facts" }, [
      el("dt", { i18n: "devices.created" }),
      el("dd", { text: formatDay(device.created) }),
      el("dt", { i18n: "devices.lastsync" }),
      el("dd", { text: device.lastSync ? formatDay(device.lastSync) : t("devices.never") }),
    ]);
    const marks = el("span", { className: "device-marks" }, [
      device.current ? el("span", { className: "tag", i18n: "devices.this" }) : null,
      device.revoked ? el("span", { className: "tag revoked", i18n: "devices.revoked" }) : null,
    ]);
    const children = [el("div", { className: "device-head" }, [name, marks]), facts];
    if (!device.revoked) {
      const warningId = uid("revoke-warning");
      const warning = el("p", { className: "warning", id: warningId });
      setText(warning, device.current ? "devices.confirm.self" : "devices.confirm.other", { name: String(device.name || "") });
      const confirm = el("div", { className: "confirm", hidden: confirming !== device.id }, [
        warning,
        el("div", { className: "actions" }, [
          el("button", {
            type: "button", className: "button danger", i18n: "devices.confirm.yes",
            "aria-describedby": warningId, onclick: () => revoke(device, confirm),
          }),
          button("devices.confirm.cancel", () => {
            confirming = null;
            confirm.hidden = true;
            open.setAttribute("aria-expanded", "false");
            open.focus();
          }),
        ]),
      ]);
      // The accessible name stays "Revoke"; the description says which device.
      const open = el("button", {
        type: "button", className: "button danger", i18n: "devices.revoke", "aria-describedby": nameId,
        "aria-expanded": String(confirming === device.id),
        onclick: () => {
          confirming = device.id;
          confirm.hidden = false;
          open.setAttribute("aria-expanded", "true");
          confirm.querySelector("button").focus();
        },
      });
      children.push(el("div", { className: "actions" }, [open]), confirm);
    }
    return el("li", { className: device.current ? "device current" : "device", "data-device": String(device.id || "") }, children);
  }

  function render() {
    list.replaceChildren(...devices.map(item));
    const count = plural("count.devices", devices.length);
    status.textContent = revokedName === null ? count : `${t("devices.revoked.done", { name: revokedName })} ${count}`;
  }

  async function load() {
    try {
      devices = await account.listDevices();
      render();
    } catch (e) {
      showError(e);
    }
  }

  async function revoke(device, confirm) {
    say(error, null);
    for (const b of confirm.querySelectorAll("button")) b.disabled = true;
    try {
      await account.revokeDevice(device.id);
      confirming = null;
      if (device.current) {
        ctx.go("sync", { notice: "devices.revoked.self" });
        return;
      }
      revokedName = String(device.name || "");
      await load();
      list.focus();
    } catch (e) {
      for (const b of confirm.querySelectorAll("button")) b.disabled = false;
      showError(e);
    }
  }

  list.tabIndex = -1;
  const node = el("section", { className: "card", "aria-labelledby": "devices-title" }, [
    el("h2", { id: "devices-title", i18n: "devices.title" }),
    el("p", { i18n: "devices.intro" }),
    status,
    error,
    list,
    el("div", { className: "actions" }, [button("devices.back", () => ctx.go("sync"))]),
  ]);
  load();
  const stop = onLanguageChange(render);
  return { node, dispose: stop };
}
