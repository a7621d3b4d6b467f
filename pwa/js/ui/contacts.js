// "Contacts": the focal points and legal supporters a report can go to (and senders who shared
// with this account), each with role and whether their key was checked in person. "Verify"
// opens the safety number. A contact whose key changed is an alert that blocks sharing with
// them until "Accept new key" — then they must be verified again. The list is kept on this
// phone (sealed); "Update contacts" fetches the directory, only when tapped.
import * as sharing from "../sharing/index.js";
import * as account from "../sync/index.js";
import { t } from "../i18n.js";
import { knownOffline, OFFLINE, plural } from "./account-text.js";
import { button, el, field, liveRegion, onLanguageChange, own, ownLine, say, setText, uid } from "./dom.js";
import { contactName, contactStateKey, roleKey, sharingErrorKey } from "./sharing-text.js";

/** The alert shown for a contact whose key changed, with "Accept new key" (shared with the
 *  verify view). `onAccepted` runs after the new key is pinned. */
export function changedKeyBanner(contact, { onAccepted, onError }) {
  const name = own(contactName(contact));
  const text = el("p", {});
  setText(text, "contacts.changed", { name });
  const accept = button("contacts.accept", async () => {
    accept.disabled = true;
    try {
      await sharing.acceptNewKey(contact.uid);
      await onAccepted();
    } catch (e) {
      accept.disabled = false;
      onError(e);
    }
  }, "button danger");
  return el("div", { className: "message error serious", role: "alert" }, [
    text,
    // Her own records (from another of her phones) name another key than this phone was given.
    contact.conflict ? setText(el("p", {}), "contacts.changed.device", { name }) : null,
    setText(el("p", {}), "contacts.changed.advice", { name }),
    el("div", { className: "actions" }, [accept]),
  ]);
}

/** Focal points and legal supporters: the name (and organisation) delegates pick them by,
 *  signed with their identity key and published to the directory. */
function cardSection() {
  const name = el("input", { type: "text", name: "card-name", autocomplete: "name", maxlength: "128" });
  const org = el("input", { type: "text", name: "card-org", autocomplete: "organization", maxlength: "128" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  const publish = button("contacts.card.publish", async () => {
    say(error, null);
    if (!name.value.trim()) { say(error, "contacts.card.empty"); name.focus(); return; }
    if (knownOffline()) { say(error, sharingErrorKey(OFFLINE)); return; }
    publish.disabled = true;
    say(status, "contacts.card.working");
    try {
      await sharing.publishCard({ name: name.value.trim(), org: org.value.trim() });
      say(status, "contacts.card.done");
    } catch (e) {
      say(status, null);
      say(error, e && e.code === "invalid" ? "contacts.card.invalid" : sharingErrorKey(e));
    } finally {
      publish.disabled = false;
    }
  });
  const node = el("div", { className: "card-form", hidden: true }, [
    el("h3", { i18n: "contacts.card.title" }),
    el("p", { i18n: "contacts.card.intro" }),
    field("contacts.card.name", name),
    field("contacts.card.org", org),
    el("div", { className: "actions" }, [publish]),
    status,
    error,
  ]);
  Promise.resolve().then(() => account.status()).then((s) => {
    if (!s || !s.enrolled || !["focal-point", "legal"].includes(s.role)) return;
    name.value = String(s.displayName || "");
    node.hidden = false;
  }).catch(() => {});
  return node;
}

export function contactsScreen(ctx, { notice = null } = {}) {
  const list = el("ul", { className: "contacts", "aria-labelledby": "contacts-title" });
  const status = liveRegion("status");
  const error = liveRegion("alert");
  let contacts = [];
  let loaded = false;

  function showError(e) {
    say(error, sharingErrorKey(e));
  }

  function item(contact) {
    const nameId = uid("contact");
    const children = [
      el("div", { className: "contact-head" }, [
        ownLine("contact-name", contactName(contact), { id: nameId }),
        el("span", { className: `tag state-${contact.state === "verified" || contact.state === "changed" ? contact.state : "unverified"}`, i18n: contactStateKey(contact.state) }),
      ]),
      el("p", { className: "incident-meta" }, [
        el("span", { i18n: roleKey(contact.role) }),
        contact.org ? el("span", { text: " · " }) : null,
        contact.org ? el("bdi", { text: String(contact.org) }) : null,
      ]),
    ];
    if (contact.state === "changed") {
      children.push(changedKeyBanner(contact, { onAccepted: () => load(), onError: showError }));
    } else {
      // The accessible name stays "Verify"; the description says who.
      children.push(el("div", { className: "actions" }, [
        el("button", {
          type: "button", className: contact.state === "verified" ? "button" : "button primary",
          i18n: "contacts.verify", "aria-describedby": nameId,
          onclick: () => ctx.go("contact", { uid: contact.uid }),
        }),
      ]));
    }
    return el("li", { className: `contact state-${contact.state}`, "data-contact": String(contact.uid || "") }, children);
  }

  function render() {
    list.replaceChildren(...contacts.map(item));
    if (!loaded) return;
    if (!contacts.length) say(status, "contacts.empty");
    else status.textContent = plural("count.contacts", contacts.length);
  }

  async function load() {
    try {
      contacts = await sharing.contacts();
      loaded = true;
      render();
    } catch (e) {
      showError(e);
    }
  }

  const update = button("contacts.update", async () => {
    say(error, null);
    if (knownOffline()) { showError(OFFLINE); return; }
    update.disabled = true;
    say(status, "contacts.updating");
    try {
      await sharing.refreshDirectory();
      await load();
      const changed = contacts.filter((c) => c.state === "changed").length;
      status.textContent = changed
        ? `${t("contacts.updated")} ${plural("count.changed", changed)}`
        : `${t("contacts.updated")} ${plural("count.contacts", contacts.length)}`;
    } catch (e) {
      say(status, null);
      showError(e);
    } finally {
      update.disabled = false;
    }
  }, "button block");

  const node = el("section", { className: "card", "aria-labelledby": "contacts-title" }, [
    el("h2", { id: "contacts-title", i18n: "contacts.title" }),
    notice ? el("p", { className: "message success", role: "status", i18n: notice }) : null,
    el("p", { i18n: "contacts.intro" }),
    update,
    status,
    error,
    list,
    cardSection(),
  ]);
  load();
  const stop = onLanguageChange(render);
  return { node, dispose: stop };
}
