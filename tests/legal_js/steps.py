"""What the people of a referral do, as page-side steps over the legal service (``window.t.l``,
pwa/js/legal/index.js) next to the sharing (``t.s``), vault (``t.v``) and account (``t.a``)
services of tests/sharing_js."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crypto import spcrypto

from tests.sharing_js.steps import Person, delegate_and_verified_focal_point, enrol, incident

# The verifier's console script (crypto/spcrypto/cli.py): when installed, bundles must pass it.
SAFEPASSAGE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "safepassage"

LEGAL_HELPERS = """
async () => {
  t.l = await import('/js/legal/index.js');
  /** A Blob's bytes as base64 (to hand a bundle or an image to the test). */
  t.b64 = async (blob) => {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  t.bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
"""


@dataclass
class Trio:
    """Amal (a delegate who verified Maria), Maria (a focal point who verified Layla) and
    Layla (a legal supporter who verified Maria)."""

    delegate: Person
    maria: Person
    layla: Person


def install_legal(person: Person) -> None:
    person.run(LEGAL_HELPERS)


def the_three_of_a_referral(new_device, make_invite) -> Trio:  # type: ignore[no-untyped-def]
    """A delegate who verified focal point Maria; a legal supporter Layla (card published),
    whom Maria has verified and who has verified Maria (safety numbers compared in person)."""
    delegate, maria = delegate_and_verified_focal_point(new_device, make_invite)
    layla = enrol(new_device(), make_invite("legal"), "Layla", card="Layla")
    maria.run("async () => t.s.refreshDirectory()")
    maria.run("async (uid) => t.s.markVerified(uid)", layla.uid)
    layla.run("async () => t.s.refreshDirectory()")
    layla.run("async (uid) => t.s.markVerified(uid)", maria.uid)
    for person in (delegate, maria, layla):
        install_legal(person)
    return Trio(delegate, maria, layla)


def share(delegate: Person, rids: list[str], to: Person, *, legal: bool) -> None:
    """The delegate shares reports with a focal point, saying whether legal support may see them."""
    done = delegate.attempt(
        "t.s.share(arg.rids, { to: [arg.to], consent: { contact: true, statistics: true, legal: arg.legal } })",
        {"rids": rids, "to": to.uid, "legal": legal})
    assert done["ok"], done


def refer(maria: Person, rids: list[str], to: Person, title: str) -> str:
    out = maria.attempt("t.l.refer(arg.rids, { to: [arg.to], title: arg.title })", {"rids": rids, "to": to.uid, "title": title})
    assert out["ok"], out
    return str(out["value"]["case"])


def referred_case(trio: Trio, title: str, *, files: list[tuple[str, str, bytes]] = ()) -> tuple[str, str]:
    """Amal logs a report and shares it with Maria (legal support allowed), Maria refers it to
    Layla, and everyone syncs; Layla has compared Amal's safety number. Returns (rid, case)."""
    rid = str(incident(trio.delegate, title, files=files)["rid"])
    share(trio.delegate, [rid], trio.maria, legal=True)
    assert trio.delegate.sync()["ok"] and trio.maria.sync()["ok"]
    case = refer(trio.maria, [rid], trio.layla, title)
    assert trio.maria.sync()["ok"] and trio.layla.sync()["ok"]
    trio.layla.run("async (uid) => t.s.markVerified(uid)", trio.delegate.uid)
    return rid, case


def own_kid(person: Person) -> str:
    """The person's key id (b64u), read from her unlocked vault."""
    return str(person.run("async () => t.sp.b64uEncode(t.port.unlocked().identity.kid)"))


def case_view(person: Person, case: str) -> dict[str, Any]:
    return person.run("async (c) => t.l.caseView(c)", case)


def integrity(person: Person, case: str, rid: str) -> list[dict[str, Any]]:
    return person.run("async ({ c, r }) => t.l.integrity(c, r)", {"c": case, "r": rid})


def read_attachment(person: Person, case: str, rid: str, aid: str) -> bytes:
    b64 = person.run("async ({ c, r, a }) => t.b64(await t.l.readCaseAttachment(c, r, a))", {"c": case, "r": rid, "a": aid})
    return base64.b64decode(b64)


def export(person: Person, case: str, **options: Any) -> dict[str, Any]:
    """exportBundle() with the file's bytes: {data, filename, manifestSha256, phases}."""
    out = person.run(
        """async ({ c, options }) => {
              const phases = [];
              const { blob, filename, manifestSha256 } = await t.l.exportBundle(c, { ...options, onProgress: (p) => phases.push(p.phase) });
              return { b64: await t.b64(blob), filename, manifestSha256, phases: [...new Set(phases)] };
           }""",
        {"c": case, "options": options})
    return {**out, "data": base64.b64decode(out.pop("b64"))}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading a bundle the way a verifier would, with the Python implementation of SP1.

@dataclass
class Bundle:
    files: dict[str, bytes]
    names: list[str]

    @property
    def manifest(self) -> dict[str, Any]:
        return dict(json.loads(self.files["manifest.json"]))

    def json(self, path: str) -> Any:
        return json.loads(self.files[path])

    def party(self, kid: str) -> spcrypto.Bundle:
        return spcrypto.verify_bundle(self.json(f"bundles/{kid}.json")["bundle"])

    def opened(self, doc: dict[str, Any]) -> spcrypto.OpenedRecord:
        """A record of the bundle opened with its disclosed CEK under its author's bundle."""
        return spcrypto.open_record(spcrypto.Envelope.from_json(doc["envelope"]), self.party(doc["author"]),
                                    cek=spcrypto.b64u_decode(doc["cek"], 32))


def unzip(data: bytes) -> Bundle:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [info.filename for info in z.infolist()]
        return Bundle({name: z.read(name) for name in names}, names)


def assert_bundle_layout(bundle: Bundle, *, case: str, exporter: str, manifest_sha256: str) -> None:
    """The layout of docs/legal-contract.md §0.4, checked file by file."""
    names = bundle.names
    assert len(names) == len(set(names)) and {"manifest.json", "export.json", "report.html", "README.txt"} <= set(names)
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)
    manifest = bundle.manifest
    assert (manifest["format"], manifest["v"], manifest["suite"], manifest["case"], manifest["exporter"]) == (
        "sp-evidence-bundle", 1, "SP1", case, exporter)
    listed = [f["path"] for f in manifest["files"]]
    assert listed == sorted(listed, key=lambda p: p.encode("utf-16-be"))
    assert set(listed) == set(names) - {"manifest.json", "export.json"}
    for f in manifest["files"]:
        assert (sha(bundle.files[f["path"]]), len(bundle.files[f["path"]])) == (f["sha256"], f["size"]), f["path"]
    assert sha(bundle.files["manifest.json"]) == manifest_sha256
    # Every record: its signature under its author's bundle, its body exactly as sealed.
    for rec in manifest["records"]:
        doc = bundle.json(rec["path"])
        assert doc["author"] == rec["author"] and set(doc) == {"envelope", "receipt", "cek", "author", "shared_by", "wrap"}
        opened = bundle.opened(doc)
        assert opened.body_json == bundle.files[f"content/{rec['rid']}.json"]
        assert opened.body["kind"] == rec["kind"]
        if doc["wrap"] is not None:
            spcrypto.verify_share(doc["envelope"]["hdr"], doc["wrap"], bundle.party(doc["shared_by"]))
    # Every attachment: ciphertext opens under its record's CEK into the original file.
    for att in manifest["attachments"]:
        doc = bundle.json(f"records/{att['rid']}.json")
        header = spcrypto.parse_header(doc["envelope"]["hdr"])
        ref = next(a for a in header.att if spcrypto.b64u_encode(a.aid) == att["aid"])
        plain = io.BytesIO()
        spcrypto.decrypt_attachment(io.BytesIO(bundle.files[att["ciphertext"]]), plain, spcrypto.b64u_decode(doc["cek"], 32), ref, att["size"])
        assert plain.getvalue() == bundle.files[att["original"]] and sha(plain.getvalue()) == att["sha256"]
    # The export record signs the manifest's hash and names the heads of what the bundle holds.
    export = bundle.json("export.json")
    assert export["author"] == exporter
    body = bundle.opened(export).body
    assert (body["kind"], body["event"], body["case"]) == ("sp.custody", "exported", case)
    assert body["detail"]["manifest"] == manifest_sha256 and body["detail"]["files"] == len(listed)
    held = {bundle.opened(bundle.json(r["path"])).entry_hash for r in manifest["records"]}
    assert {spcrypto.b64u_decode(p, 32) for p in body["prev"]} <= held


def verifier_passes(path: Path, *options: str) -> None:
    """`safepassage verify` exits 0 on the file — once the verifier is installed (until then the
    checks of assert_bundle_layout stand alone; the contract judges any disagreement)."""
    if not SAFEPASSAGE.exists():
        return
    run = subprocess.run([str(SAFEPASSAGE), "verify", str(path), *options], capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
