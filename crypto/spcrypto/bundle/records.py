"""The disclosed records: the "identities" group (public bundles and cards), the "records" group
(signature, key commitment, body, content file), "receipts", "shares", and the exporter's
signed export record ("export")."""

from __future__ import annotations

import hashlib

from .._encoding import b64u_decode, b64u_encode
from ..errors import CryptoError, FormatError
from ..identity import Bundle, verify_card
from ..identity import verify_bundle as verify_key_bundle
from ..receipt import verify_receipt
from ..record import _commit, open_record, verify_record, verify_share
from .archive import EntryError
from .custody import check_prev
from .fields import CUSTODY_KIND, EXPORT, HEX64, LAYOUT, MANIFEST, as_id, as_obj, as_str
from .report import format_utc
from .state import Rec, Verification, parse_envelope


def _who(bundle: Bundle) -> str:
    return f"{bundle.role} {bundle.uid}"


# identities: bundles and cards


def check_identities(v: Verification) -> None:
    for name in v.z.by_name:
        match = LAYOUT["bundle"].fullmatch(name)
        if match:
            _check_identity(v, name, match.group(1))


def _check_identity(v: Verification, path: str, kid: str) -> None:
    try:
        obj = as_obj(v.z.read_json(path), path, {"bundle", "card"})
        bundle = verify_key_bundle(obj["bundle"])
        if b64u_encode(bundle.kid) != kid:
            raise FormatError(f"the bundle is {b64u_encode(bundle.kid)}'s, not {kid}'s")
    except (CryptoError, EntryError) as e:
        v.fail("identities", path, "bundle", str(e))
        return
    v.bundles[kid] = bundle
    v.ok("identities", path, "bundle", f"signed bundle of {kid} ({_who(bundle)})")
    if obj["card"] is None:
        return
    try:
        card = verify_card(obj["card"], bundle)
    except CryptoError as e:
        v.fail("identities", path, "card", str(e))
        return
    v.cards[kid] = card
    org = f" ({card.org})" if card.org else ""
    v.ok("identities", path, "card", f"signed card: {card.name}{org}")


def check_needed_bundles(v: Verification) -> None:
    """Run last: every author or sharer that a check needed has its bundle in the ZIP."""
    for kid, needed_by in v.needed.items():
        path = f"bundles/{kid}.json"
        if not v.z.has(path):
            v.fail("identities", path, "bundle", f"missing; {needed_by} needs it")


# records: load the files, then each record's checks


def load_records(v: Verification) -> None:
    for i, item in enumerate(v.m.records):
        try:
            item = as_obj(item, f"records[{i}]", {"rid", "kind", "author", "path"})
            rid = as_id(item["rid"], f"records[{i}].rid")
            kind = as_str(item["kind"], f"records[{i}].kind")
            author = as_id(item["author"], f"records[{i}].author")
            if item["path"] != f"records/{rid}.json":
                raise FormatError(f"records[{i}].path is not records/{rid}.json")
        except FormatError as e:
            v.fail("records", MANIFEST, "records", str(e))
            continue
        path = f"records/{rid}.json"
        if path in v.records:
            v.fail("records", path, "listed", "listed twice in manifest.json records")
            continue
        v.records[path] = Rec(path, rid, author=author, listed_kind=kind)
    for name in v.z.by_name:
        match = LAYOUT["record"].fullmatch(name)
        if match and name not in v.records:
            v.fail("records", name, "listed", "not in manifest.json records")
            v.records[name] = Rec(name, match.group(1))
        match = LAYOUT["content"].fullmatch(name)
        if match and f"records/{match.group(1)}.json" not in v.records:
            v.fail("records", name, "content", "the content of no record in the bundle")
    for rec in v.records.values():
        _load_record(v, rec)


def _load_record(v: Verification, rec: Rec) -> None:
    members = {"envelope", "receipt", "cek", "author", "shared_by", "wrap"}
    try:
        obj = as_obj(v.z.read_json(rec.path), rec.path, members)
        author = as_id(obj["author"], "author")
        if rec.author is not None and author != rec.author:
            raise FormatError(f"author {author} is not manifest.json's {rec.author}")
        rec.author = author
        rec.raw = obj
        rec.envelope = parse_envelope(obj["envelope"])
        rec.cek = b64u_decode(obj["cek"], 32, what="cek")
    except (CryptoError, EntryError) as e:
        v.fail("records", rec.path, "record file", str(e))


def check_record(v: Verification, rec: Rec) -> None:
    if rec.envelope is None or rec.author is None or rec.cek is None:
        return  # _load_record failed and said why
    _open(v, rec, "records")
    if rec.header is not None and b64u_encode(rec.header.rid) != rec.rid:
        rid = b64u_encode(rec.header.rid)
        v.fail("records", rec.path, "rid", f"the header's rid is {rid}")
    if rec.opened is None:
        return
    kind = rec.opened.body.get("kind")
    if rec.listed_kind is not None and kind != rec.listed_kind:
        listed = f"{rec.path} is {kind}, listed as {rec.listed_kind}"
        v.fail("records", MANIFEST, "records", listed)
    content = f"content/{rec.rid}.json"
    try:
        same = v.z.read_json_bytes(content) == rec.opened.body_json
    except EntryError as e:
        v.fail("records", content, "content", str(e))
        return
    v.expect(
        same, "records", content, "content",
        "the record's decrypted body, byte for byte",
        f"differs from the decrypted body of {rec.path}",
    )


def _open(v: Verification, rec: Rec, group: str) -> None:
    """Signature, key commitment, body: fills rec.header and rec.opened as each passes."""
    # Narrowing for mypy: under -O the next use fails closed; no check is skipped.
    assert rec.envelope is not None and rec.author is not None  # nosec B101  # see above
    assert rec.cek is not None  # nosec B101  # see above
    try:
        bundle = v.bundle_for(rec.author, rec.path)
        header = verify_record(rec.envelope, bundle)
    except CryptoError as e:
        v.fail(group, rec.path, "signature", str(e))
        return
    rec.header = header
    v.ok(group, rec.path, "signature", f"signed by {rec.author} ({_who(bundle)})")
    if not v.expect(
        _commit(rec.cek) == header.commit, group, rec.path, "commitment",
        "the disclosed key is the one the author committed to",
        "the disclosed key is not the one the author committed to",
    ):
        return
    try:
        rec.opened = open_record(rec.envelope, bundle, cek=rec.cek)
    except CryptoError as e:
        v.fail(group, rec.path, "body", str(e))
        return
    kind = rec.opened.body.get("kind")
    v.ok(group, rec.path, "body", f"decrypts and is a well-formed {kind}")


# receipts and shares


def check_receipt(v: Verification, rec: Rec) -> None:
    if rec.envelope is None:
        return
    receipt = rec.raw.get("receipt")
    if receipt is None:
        v.note("receipts", rec.path, "receipt", "not yet received by the server")
        return
    try:
        entry, ts = verify_receipt(receipt, v.m.server_key)
    except CryptoError as e:
        v.fail("receipts", rec.path, "receipt", str(e))
        return
    v.expect(
        entry == rec.entry, "receipts", rec.path, "receipt",
        f"received by the server at {format_utc(ts)}",
        "the receipt is for another entry",
    )


def check_share(v: Verification, rec: Rec) -> None:
    if rec.envelope is None or rec.author is None:
        return
    wrap, shared_by = rec.raw.get("wrap"), rec.raw.get("shared_by")
    exporter = v.m.exporter
    try:
        if wrap is None:
            if shared_by is not None:
                raise FormatError("shared_by without a wrap")
            if rec.author != exporter:
                raise FormatError("no wrap, but the record is not the exporter's own")
            v.ok("shares", rec.path, "share", "the exporter's own record")
            return
        sharer = as_id(shared_by, "shared_by")
        wrap = as_obj(wrap, "wrap")
        verify_share(rec.envelope.hdr, wrap, v.bundle_for(sharer, rec.path))
        if wrap.get("kid") != exporter:
            raise FormatError(f"the wrap is addressed to {wrap.get('kid')}, not the exporter")
    except CryptoError as e:
        v.fail("shares", rec.path, "share", str(e))
        return
    v.ok("shares", rec.path, "share", f"shared with {exporter} by {sharer}")


# export


def check_export(v: Verification) -> None:
    m = v.m
    try:
        obj = as_obj(v.z.read_json(EXPORT), EXPORT, {"envelope", "cek", "author"})
        author = as_id(obj["author"], "author")
        if author != m.exporter:
            raise FormatError(f"author {author} is not manifest.json's exporter {m.exporter}")
        rec = Rec(EXPORT, "", author=author)
        rec.envelope = parse_envelope(obj["envelope"])
        rec.cek = b64u_decode(obj["cek"], 32, what="cek")
    except (CryptoError, EntryError) as e:
        v.fail("export", EXPORT, "record file", str(e))
        return
    _open(v, rec, "export")
    if rec.header is not None:
        rec.rid = b64u_encode(rec.header.rid)
        v.export = rec
    if rec.opened is None:
        return
    body = rec.opened.body
    v.expect(
        body.get("kind") == CUSTODY_KIND and body.get("event") == "exported",
        "export", EXPORT, "event", "an sp.custody \"exported\" event",
        f"a {body.get('kind')} {body.get('event')!r}, not an sp.custody \"exported\" event",
    )
    v.expect(
        body.get("case") == m.case, "export", EXPORT, "case",
        f"case {m.case}", f"case {body.get('case')!r} is not manifest.json's {m.case}",
    )
    detail = body.get("detail")
    claimed = detail.get("manifest") if isinstance(detail, dict) else None
    if not isinstance(claimed, str) or not HEX64.fullmatch(claimed):
        v.fail("export", EXPORT, "manifest hash", "detail.manifest is not a hex SHA-256")
    else:
        actual = hashlib.sha256(m.raw).hexdigest()
        # The export record is signed and the manifest is not: a difference names the manifest.
        v.expect(
            claimed == actual, "export", MANIFEST, "manifest hash",
            "SHA-256 is the one the signed export record names",
            "SHA-256 is not the one the signed export record (export.json) names",
        )
    if f"records/{rec.rid}.json" in v.records:
        v.fail("export", EXPORT, "record", "the export record is also in records/")
    check_prev(v, rec, "export")
