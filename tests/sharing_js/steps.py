"""What the people of a sharing scenario do, as page-side steps: a delegate and focal points,
each on a phone of their own (a browser context), using the vault, account and sharing services
from the page (``window.t``: ``v`` vault, ``a`` account, ``s`` sharing, ``sp`` crypto)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, Route

from crypto import spcrypto

from tests.sync_client_js.steps import PASSPHRASE, create_and_enrol, open_app, sign_in

SHARING_HELPERS = """
async () => {
  t.s = await import('/js/sharing/index.js');
  t.port = await import('/js/vault/sync-port.js');
  /** Every IndexedDB value as text or base64 of bytes (CryptoKeys as their algorithm name). */
  t.dumpIdb = async () => {
    const out = [];
    const b64 = (u8) => { let s = ""; for (const b of u8) s += String.fromCharCode(b); return "B:" + btoa(s); };
    const visit = (v) => {
      if (v === null || v === undefined) return;
      if (typeof v === "string") { out.push("S:" + v); return; }
      if (v instanceof CryptoKey) { out.push("K:" + v.algorithm.name + ":" + v.extractable); return; }
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        out.push(b64(v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
        return;
      }
      if (Array.isArray(v)) { v.forEach(visit); return; }
      if (typeof v === "object") { for (const [k, x] of Object.entries(v)) { out.push("S:" + k); visit(x); } return; }
      out.push("S:" + String(v));
    };
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      for (const store of db.objectStoreNames) {
        const tx = db.transaction(store);
        const [ks, vs] = await Promise.all([
          new Promise((res) => { const r = tx.objectStore(store).getAllKeys(); r.onsuccess = () => res(r.result); }),
          new Promise((res) => { const r = tx.objectStore(store).getAll(); r.onsuccess = () => res(r.result); }),
        ]);
        ks.forEach((k, i) => { visit(k); visit(vs[i]); });
      }
      db.close();
    }
    return out;
  };
}
"""


@dataclass
class Person:
    """One person's phone: the page, and who they are on the server."""

    page: Page
    uid: str
    role: str
    username: str
    secret_key: str

    def run(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def attempt(self, call: str, arg: Any = None) -> dict[str, Any]:
        """`call` is an expression over `t` and `arg`; errors come back as data {ok, code}."""
        return self.page.evaluate(f"async (arg) => t.attempt(async () => {call})", arg)

    def sync(self) -> dict[str, Any]:
        return self.attempt("t.a.syncNow()")


def install(page: Page) -> None:
    page.evaluate(SHARING_HELPERS)


def reopen(person: Person, passphrase: str = PASSPHRASE) -> None:
    """Reloads the app on this phone and unlocks the vault (Argon2id runs again)."""
    open_app(person.page)
    install(person.page)
    person.run("async (pass) => t.v.unlock(pass)", passphrase)


def enrol(page: Page, invite: str, display_name: str, *, card: str | None = None) -> Person:
    """A new vault enrolled with the invite; a focal point also publishes her card and syncs
    once (the profile record must be on the server for a later sign-in)."""
    out = create_and_enrol(page, invite, display_name=display_name)
    install(page)
    role = out["status"]["role"]
    uid = page.evaluate("async () => (await (await import('/js/sync/auth.js')).context()).account.id")
    person = Person(page, uid, role, out["username"], out["secretKeyText"])
    if card is not None:
        person.run("async (name) => t.s.publishCard({ name })", card)
    assert person.sync()["ok"]
    return person


def another_phone(person: Person, page: Page) -> Person:
    """The same person signs in on another phone (Argon2id runs once more); her records come
    down with the sign-in, her contacts do not (they are pinned on each phone)."""
    out = sign_in(page, {"username": person.username, "secretKeyText": person.secret_key})
    assert out["state"] == "unlocked", out
    install(page)
    return Person(page, person.uid, person.role, person.username, person.secret_key)


def incident(person: Person, title: str, *, text: str = "", where: str = "Border post K",
             files: list[tuple[str, str, bytes]] = ()) -> dict[str, Any]:
    """The delegate logs an incident (files: (name, mime, bytes)); returns the Incident."""
    return person.run(
        """async ({ title, text, where, files }) => t.v.saveIncident(
              { title, type: "device-search", when: "2026-11-02T08:15", where, what: text,
                consent: { contact: true, statistics: true, legal: false } },
              { files: files.map((f) => new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.mime })) })""",
        {"title": title, "text": text, "where": where,
         "files": [{"name": n, "mime": m, "b64": base64.b64encode(b).decode()} for n, m, b in files]},
    )


def kinds_in_order(person: Person) -> list[tuple[str, str, int]]:
    """(rid, kind, seq) of this phone's own records, in chain order (the test reads its own keys)."""
    return [tuple(x) for x in person.run(
        """async () => [...t.port.unlocked().records.values()]
              .map((r) => [r.rid, r.kind, r.header.seq]).sort((a, b) => a[2] - b[2])""")]


def idb_bytes(person: Person) -> bytes:
    """Every IndexedDB value of the phone as bytes (strings as UTF-8, binary as itself), for
    tests/e2e/leaks.py's search in every encoding."""
    parts = []
    for value in person.run("async () => t.dumpIdb()"):
        kind, text = value[:2], value[2:]
        parts.append(base64.b64decode(text) if kind == "B:" else text.encode())
    return b"\n".join(parts)


def header_rid(item: dict[str, Any]) -> str:
    return str(json.loads(item["envelope"]["hdr"])["rid"])


def inbox_rows(person: Person) -> list[list[Any]]:
    """[cursor, kind, rid, n, flags, rejected] of every row the phone kept from its inbox, in
    cursor order (what a failed order check is explained by)."""
    return person.run(
        """async () => {
            const { sharingState } = await import('/js/sharing/state.js');
            const st = await sharingState(t.port.unlocked());
            return [...st.inbox.values()].sort((x, y) => x.cursor - y.cursor).map((it) => [
              it.cursor, it.kind || null, it.rid || null, it.body ? it.body.n ?? null : null, it.flags || [], it.rejected || null]);
        }""")


def swapped_directory(a: Person):  # type: ignore[no-untyped-def]
    """A route handler that answers the directory with another key for A (same uid, role, name)."""
    mallory = spcrypto.generate_identity()
    forged = {"account": a.uid, "role": "focal-point", "bundle": spcrypto.make_bundle(mallory, uid=a.uid, role="focal-point"),
              "card": spcrypto.make_card(mallory, "Maria")}

    def swap(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["contacts"] = [forged if c["account"] == a.uid else c for c in body["contacts"]]
        route.fulfill(response=answer, body=json.dumps(body))

    return swap


def delegate_and_verified_focal_point(new_device, make_invite):  # type: ignore[no-untyped-def]
    """A delegate (Amal) and a focal point (Maria, card published) on phones of their own; the
    delegate has fetched the directory and marked Maria verified."""
    delegate = enrol(new_device(), make_invite("delegate"), "Amal")
    a = enrol(new_device(), make_invite("focal-point"), "Maria", card="Maria")
    delegate.run("async () => t.s.refreshDirectory()")
    delegate.run("async (uid) => t.s.markVerified(uid)", a.uid)
    return delegate, a
