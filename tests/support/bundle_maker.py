"""Evidence bundles built in Python with spcrypto, exactly as docs/legal-contract.md §0.4 lays
them out, for the verifier's tests (tests/verify/).

The story, with real keys, signatures, HPKE wraps and receipts:

1. Amal, a delegate, logs an incident with a photo and a scanned police report (PDF), then
   edits it (version 2 keeps both attachments: same record key, same header entries).
2. She shares both versions with Maria, a focal point, consenting to legal support
   (`sp.share`, consent.legal true).
3. Maria refers the case to Sami, a legal supporter: the `referred` custody record names
   Amal's share as its consent and as its `prev`. Maria wraps (HPKE) every version, the share
   and the referral to Sami, so Sami holds them "shared by Maria".
4. Sami opens the report (`opened`), adds a note (`note`) and exports the bundle: the
   `exported` record names the heads of the log and the SHA-256 of manifest.json.

The server signs a receipt for every record it received (not the export, sealed while the
bundle is built). Knobs build subtly wrong variants that are still signed by the right keys, so
that a test sees the one failure it is about. ``zip_entries`` and ``unzip_entries`` let tests
tamper with the ZIP like someone without any key would.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import spcrypto as S
from spcrypto.bundle import original_name

T0 = 1_795_000_000_000  # 2026-11-17, Unix ms
CASE = S.b64u_encode(bytes(range(16)))
OTHER_CASE = S.b64u_encode(bytes(range(16, 32)))
TITLE = "Pushback at the Ceuta fence, 12 November"

PHOTO = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + random.Random(7).randbytes(70_000)  # more than one 64 KiB chunk
    + b"\xff\xd9"
)
PHOTO_NAME = "صورة السياج 12:40.jpg"  # Arabic, and a ':' the originals/ path replaces
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    + b"% police report, scanned\n" * 40
    + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PDF_NAME = "police-report.pdf"
COPY = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + random.Random(8).randbytes(5_000) + b"\xff\xd9"


def _json(obj: Any) -> bytes:
    """What the browser writes: JSON.stringify without indentation, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")  # JavaScript's default string order


@dataclass
class Person:
    name: str
    role: str
    uid: str
    org: str = ""
    card: bool = True
    identity: S.Identity = field(default_factory=S.generate_identity)
    dev: bytes = field(default_factory=lambda: os.urandom(16))
    seq: int = 0
    head: bytes = bytes(32)

    @property
    def kid(self) -> str:
        return S.b64u_encode(self.identity.kid)

    @property
    def signed_bundle(self) -> dict[str, str]:
        return S.make_bundle(self.identity, self.uid, self.role)

    @property
    def bundle(self) -> S.Bundle:
        return S.verify_bundle(self.signed_bundle)


@dataclass
class Sealed:
    label: str
    author: Person
    envelope: S.Envelope
    cek: bytes
    body_json: bytes
    ts: int
    shared_by: Person | None = None

    @property
    def rid(self) -> str:
        return S.b64u_encode(S.parse_header(self.envelope.hdr).rid)

    @property
    def entry(self) -> str:
        return S.b64u_encode(self.envelope.entry_hash)

    @property
    def kind(self) -> str:
        return str(json.loads(self.body_json)["kind"])

    def item(self) -> dict[str, str]:
        return {"rid": self.rid, "entry": self.entry, "author": self.author.kid}


@dataclass
class MadeBundle:
    """A built bundle: its ZIP bytes, the entries in ZIP order, and who and what is in it."""

    entries: list[tuple[str, bytes]]
    records: dict[str, Sealed]  # by label, including records left out of the bundle
    people: dict[str, Person]
    attachments: dict[str, str]  # "photo", "pdf" (and "copy") -> aid
    server_key: Ed25519PrivateKey

    @property
    def zip(self) -> bytes:
        return zip_entries(self.entries)

    @property
    def files(self) -> dict[str, bytes]:
        return dict(self.entries)

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(self.files["manifest.json"])

    def path(self, label: str) -> str:
        return f"records/{self.records[label].rid}.json"

    def ciphertext(self, name: str) -> str:
        return f"attachments/{self.attachments[name]}.sp1"

    def original(self, name: str) -> str:
        aid = self.attachments[name]
        return next(p for p, _ in self.entries if p.startswith(f"originals/{aid}/"))


ENTRY_TIME = (2026, 11, 27, 12, 0, 0)


def zip_entries(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A ZIP of the given (name, data) pairs in order; repeated names are written twice.

    Ciphertexts and originals (photos, PDFs: incompressible) are stored, everything else
    deflated, as a browser exporter would do it with fflate. The same entries always give the
    same bytes (a fixed entry time: zipfile would stamp the current one, and two calls a
    two-second tick apart would differ).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name; tests want one
        for name, data in entries:
            stored = name.startswith(("attachments/", "originals/"))
            info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # what writestr gives a name
            zf.writestr(info, data)
    return out.getvalue()


def unzip_entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


class _Builder:
    def __init__(self, server_key: Ed25519PrivateKey) -> None:
        self.server_key = server_key
        self.clock = T0
        self.records: dict[str, Sealed] = {}
        self.blobs: dict[str, tuple[bytes, dict[str, Any]]] = {}  # aid -> (plaintext, body meta)
        self.ciphertexts: dict[str, bytes] = {}

    def tick(self, ms: int = 60_000) -> int:
        self.clock += ms
        return self.clock

    def encrypt(
        self, cek: bytes, data: bytes, name: str, mime: str
    ) -> tuple[S.AttachmentRef, dict[str, Any]]:
        out = io.BytesIO()
        ref = S.encrypt_attachment(io.BytesIO(data), out, cek, len(data))
        aid = S.b64u_encode(ref.aid)
        meta = {"aid": aid, "name": name, "mime": mime, "size": len(data), "sha256": _hex(data)}
        self.ciphertexts[aid] = out.getvalue()
        self.blobs[aid] = (data, meta)
        return ref, meta

    def seal(
        self,
        label: str,
        author: Person,
        body: dict[str, Any],
        *,
        cek: bytes | None = None,
        rcpt: Sequence[Person] = (),
        attachments: Sequence[S.AttachmentRef] = (),
        supersedes: Sealed | None = None,
        seq: int | None = None,
        prev: bytes | None = None,
        advance: bool = True,
    ) -> Sealed:
        """Seal the next record of ``author``'s device chain (or an explicit seq and prev)."""
        cek = cek or S.new_cek()
        ts = body["ts"]
        envelope = S.seal_record(
            author.identity,
            cek,
            dev=author.dev,
            seq=author.seq + 1 if seq is None else seq,
            prev=author.head if prev is None else prev,
            body=body,
            rcpt=[p.identity.kid for p in rcpt],
            attachments=attachments,
            supersedes=S.parse_header(supersedes.envelope.hdr).rid if supersedes else None,
        )
        opened = S.open_record(envelope, author.bundle, cek=cek)
        if advance:
            author.seq += 1
            author.head = envelope.entry_hash
        sealed = Sealed(label, author, envelope, cek, opened.body_json, ts)
        self.records[label] = sealed
        return sealed

    def message(
        self,
        sender: Person,
        to: Sequence[Person],
        numbers: dict[str, int],
        kind: str,
        **fields: Any,
    ) -> dict[str, Any]:
        """A message body as pwa/js/sharing/messages.js seals it: {ts, kind, to, n, from, ...}."""
        return {
            "ts": self.tick(),
            "kind": kind,
            "to": [p.kid for p in to],
            "n": {p.kid: numbers[p.kid] for p in to},
            "from": sender.name,
            **fields,
        }


def build_evidence_bundle(
    *,
    skip: Iterable[str] = (),
    no_receipt: Iterable[str] = (),
    fork: bool = False,
    working_copy: bool = False,
    other_case: Iterable[str] = (),
    export_manifest_sha256: str | None = None,
    attachment_entry_per_record: bool = False,
    legal_consent: bool = True,
    lang: str = "en",
) -> MadeBundle:
    """Build the story's bundle. Knobs, each signed by the right keys:

    - ``skip``: labels of records left out of the bundle (ZIP and manifest), although the
      records after them still name them (e.g. "opened": the note's ``prev`` dangles);
    - ``no_receipt``: labels of records the server has not received yet (receipt null);
    - ``fork``: Amal's device also signed another version 2 at the same chain position;
    - ``working_copy``: Sami also makes a redacted working copy of the photo;
    - ``other_case``: labels of custody records sealed with another case id;
    - ``export_manifest_sha256``: what the export record claims instead of the real hash;
    - ``attachment_entry_per_record``: manifest.attachments gets one entry per record that
      carries an attachment (both versions), not one per attachment;
    - ``legal_consent``: False makes Amal's share withhold consent to legal support, which
      Maria's referral names as its consent all the same.

    Labels: incident-v1, incident-v2, share, status (Maria's, never in the bundle), referred,
    opened, note, working-copy, fork, export.
    """
    skip, no_receipt, other_case = set(skip), set(no_receipt), set(other_case)
    server_key = Ed25519PrivateKey.generate()
    b = _Builder(server_key)
    amal = Person("Amal", "delegate", "acct-17", card=False)
    maria = Person("María Haddad", "focal-point", "acct-3", org="Frontera Sur")
    sami = Person("Sami Benali", "legal", "acct-9", org="Abogadas por los Derechos")
    people = {"amal": amal, "maria": maria, "sami": sami}
    case_of = {
        label: OTHER_CASE if label in other_case else CASE
        for label in ("referred", "opened", "note", "working-copy", "export")
    }

    # 1. Amal's incident, two versions under one record key.
    cek = S.new_cek()
    photo_ref, photo_meta = b.encrypt(cek, PHOTO, PHOTO_NAME, "image/jpeg")
    pdf_ref, pdf_meta = b.encrypt(cek, PDF, PDF_NAME, "application/pdf")
    content = {
        "title": "Pushed back at the fence",
        "where": "Ceuta, border fence near Benzú",
        "what": "Guardia Civil officers took our phones and pushed 14 of us back through the gate.",
        "officials": "Four officers, one with the number 4471 on his vest",
        "type": "pushback",
        "when": "2026-11-12T05:40",
        "location": {"lat": 35.9, "lon": -5.37, "accuracy": 40.5},
        "consent": {"contact": True, "statistics": False, "legal": True},
    }
    att = [photo_meta, pdf_meta]
    v1 = b.seal(
        "incident-v1",
        amal,
        {
            "ts": b.tick(),
            "kind": "sp.incident",
            "ver": 1,
            "c": _json(content).decode(),
            "att": att,
        },
        cek=cek,
        attachments=[photo_ref, pdf_ref],
    )
    content2 = {**content, "what": content["what"] + " One man was hurt; he is in hospital now."}
    v2 = b.seal(
        "incident-v2",
        amal,
        {
            "ts": b.tick(),
            "kind": "sp.incident",
            "ver": 2,
            "c": _json(content2).decode(),
            "att": att,
        },
        cek=cek,
        attachments=[photo_ref, pdf_ref],
        supersedes=v1,
    )
    versions = [v1, v2]
    if fork:
        # Amal's device signs a second, different record at v2's chain position.
        content3 = {**content, "what": "A different account of the night."}
        versions.append(
            b.seal(
                "fork",
                amal,
                {
                    "ts": b.tick(),
                    "kind": "sp.incident",
                    "ver": 2,
                    "c": _json(content3).decode(),
                    "att": att,
                },
                cek=cek,
                attachments=[photo_ref, pdf_ref],
                supersedes=v1,
                seq=2,
                prev=v1.envelope.entry_hash,
                advance=False,
            )
        )

    # 2. Amal shares both versions with Maria, consenting to legal support.
    share = b.seal(
        "share",
        amal,
        b.message(
            amal,
            [maria],
            {maria.kid: 1},
            "sp.share",
            items=[v.item() for v in (v1, v2)],
            consent={"contact": True, "statistics": False, "legal": legal_consent},
        ),
        rcpt=[maria],
    )

    # 3. Maria (whose first record, a status to Amal, stays out of the bundle) refers the case.
    b.seal(
        "status",
        maria,
        b.message(
            maria, [amal], {amal.kid: 1}, "sp.status", about=[v2.item()], status="acknowledged"
        ),
        rcpt=[amal],
    )
    referred = b.seal(
        "referred",
        maria,
        b.message(
            maria,
            [sami, amal],
            {sami.kid: 1, amal.kid: 2},
            "sp.custody",
            case=case_of["referred"],
            event="referred",
            items=[v.item() for v in versions],
            prev=[share.entry],
            detail={
                "title": TITLE,
                "consent": [{"rid": share.rid, "entry": share.entry}],
                "legal": [sami.kid],
            },
        ),
        rcpt=[sami, amal],
    )
    for rec in [*versions, share, referred]:
        rec.shared_by = maria

    # 4. Sami opens the report, adds a note, maybe makes a working copy. Each names the heads
    # of the log as Sami holds it, skipped records included: they exist, the bundle lacks them.
    def heads() -> list[str]:
        """The entries of custody events (and the consent share) no other event names."""
        events = [r for r in b.records.values() if r.kind == "sp.custody"]
        named = {e for r in events for e in json.loads(r.body_json)["prev"]}
        nodes = [r.entry for r in events] + [share.entry]
        return sorted({e for e in nodes if e not in named})

    b.seal(
        "opened",
        sami,
        b.message(
            sami,
            [maria],
            {maria.kid: 1},
            "sp.custody",
            case=case_of["opened"],
            event="opened",
            items=[v2.item()],
            prev=heads(),
            detail={},
        ),
        rcpt=[maria],
    )
    b.seal(
        "note",
        sami,
        b.message(
            sami,
            [maria],
            {maria.kid: 2},
            "sp.custody",
            case=case_of["note"],
            event="note",
            items=[],
            prev=heads(),
            detail={"text": "Ask the hospital in Ceuta for the injury report before Friday."},
        ),
        rcpt=[maria],
    )
    next_n = 3  # Sami's next message number to Maria
    if working_copy:
        copy_cek = S.new_cek()
        copy_ref, copy_meta = b.encrypt(copy_cek, COPY, "working-copy.jpg", "image/jpeg")
        b.seal(
            "working-copy",
            sami,
            {
                **b.message(
                    sami,
                    [maria],
                    {maria.kid: next_n},
                    "sp.custody",
                    case=case_of["working-copy"],
                    event="working-copy",
                    items=[v2.item()],
                    prev=heads(),
                    detail={
                        "of": {
                            "rid": v2.rid,
                            "aid": photo_meta["aid"],
                            "sha256": photo_meta["sha256"],
                        },
                        "redactions": [{"x": 10, "y": 20, "w": 300, "h": 120}],
                        "name": "working-copy.jpg",
                        "mime": "image/jpeg",
                    },
                ),
                "att": [copy_meta],
            },
            cek=copy_cek,
            attachments=[copy_ref],
            rcpt=[maria],
        )
        next_n += 1

    # 5. The bundle's files, then the manifest, then the export record that signs its hash.
    in_bundle = [r for r in b.records.values() if r.label not in skip | {"status"}]
    files: dict[str, bytes] = {}
    records_list, attachments_list = [], []
    attachments: dict[str, str] = {"photo": photo_meta["aid"], "pdf": pdf_meta["aid"]}
    if working_copy:
        attachments["copy"] = json.loads(b.records["working-copy"].body_json)["att"][0]["aid"]
    listed_aids: set[str] = set()
    for rec in in_bundle:
        path = f"records/{rec.rid}.json"
        receipt = (
            None
            if rec.label in no_receipt
            else S.make_receipt(server_key, rec.envelope.entry_hash, rec.ts + 1500)
        )
        wrap = None
        if rec.shared_by is not None:
            wrap = S.wrap_for_recipient(
                rec.envelope.hdr, rec.cek, sami.bundle, rec.shared_by.identity
            )
        files[path] = _json(
            {
                "envelope": rec.envelope.to_json(),
                "receipt": receipt,
                "cek": S.b64u_encode(rec.cek),
                "author": rec.author.kid,
                "shared_by": rec.shared_by.kid if rec.shared_by else None,
                "wrap": wrap,
            }
        )
        files[f"content/{rec.rid}.json"] = rec.body_json
        records_list.append(
            {"rid": rec.rid, "kind": rec.kind, "author": rec.author.kid, "path": path}
        )
        for meta in json.loads(rec.body_json).get("att", []):
            aid = meta["aid"]
            if aid in listed_aids and not attachment_entry_per_record:
                continue
            listed_aids.add(aid)
            data, _ = b.blobs[aid]
            original = f"originals/{aid}/{original_name(meta['name'])}"
            files[f"attachments/{aid}.sp1"] = b.ciphertexts[aid]
            files[original] = data
            attachments_list.append(
                {
                    "aid": aid,
                    "rid": rec.rid,
                    "name": meta["name"],
                    "mime": meta["mime"],
                    "size": meta["size"],
                    "sha256": meta["sha256"],
                    "ciphertext": f"attachments/{aid}.sp1",
                    "original": original,
                }
            )
    for person in people.values():
        card = S.make_card(person.identity, person.name, person.org) if person.card else None
        files[f"bundles/{person.kid}.json"] = _json({"bundle": person.signed_bundle, "card": card})
    files["README.txt"] = (
        "Evidence bundle exported from Safe Passage.\n"
        "Verify it offline with: safepassage verify <this file>\n"
        f"Exporter: {sami.kid}\n"
    ).encode()
    files["report.html"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\"><title>Case report</title></head>"
        f"<body><h1>{TITLE}</h1></body></html>"
    ).encode()
    custody = [r.entry for r in in_bundle if r.kind == "sp.custody"]
    manifest = {
        "format": "sp-evidence-bundle",
        "v": 1,
        "suite": "SP1",
        "created": b.tick(),
        "lang": lang,
        "case": CASE,
        "title": TITLE,
        "exporter": sami.kid,
        "server_key": S.b64u_encode(server_key.public_key().public_bytes_raw()),
        "files": [
            {"path": p, "sha256": _hex(files[p]), "size": len(files[p])}
            for p in sorted(files, key=_utf16)
        ],
        "records": records_list,
        "attachments": attachments_list,
        "custody": custody,
    }
    manifest_bytes = _json(manifest)
    export = b.seal(
        "export",
        sami,
        b.message(
            sami,
            [maria],
            {maria.kid: next_n},
            "sp.custody",
            case=case_of["export"],
            event="exported",
            items=[v.item() for v in versions],
            prev=heads(),
            detail={
                "manifest": export_manifest_sha256 or _hex(manifest_bytes),
                "files": len(manifest["files"]),
                "encrypted": False,
            },
        ),
        rcpt=[maria],
    )
    export_json = _json(
        {
            "envelope": export.envelope.to_json(),
            "cek": S.b64u_encode(export.cek),
            "author": sami.kid,
        }
    )
    entries = [("manifest.json", manifest_bytes), ("export.json", export_json)]
    entries += [(p, files[p]) for p in sorted(files, key=_utf16)]
    return MadeBundle(entries, dict(b.records), people, attachments, server_key)
