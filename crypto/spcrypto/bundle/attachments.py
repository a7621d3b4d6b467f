"""The "attachments" group: manifest.attachments against the signed headers and bodies, the
ciphertext against its header (keyless), and the original against what the ciphertext
decrypts to and against the SHA-256 recorded at capture."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any, BinaryIO, cast

from .._encoding import b64u_encode
from ..errors import CryptoError, FormatError
from ..record import Header
from ..stream import CT_CHUNK, AttachmentRef, chunk_hash, decrypt_attachment
from .archive import EntryError, Reader, Zip
from .fields import LAYOUT, MANIFEST, as_hex, as_id, as_int, as_obj, as_str
from .state import Rec, Verification


def original_name(name: str) -> str:
    """The file name of ``originals/<aid>/<name>`` for an attachment's body name (contract 0.4).

    NFC; ``/ \\ : * ? " < > |`` and control characters (Unicode Cc: C0, DEL, C1) become "_";
    leading dots are stripped; at most 100 UTF-8 bytes, cut at a character boundary; "file"
    when nothing is left.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join(
        "_" if ch in '/\\:*?"<>|' or unicodedata.category(ch) == "Cc" else ch for ch in text
    )
    text = text.lstrip(".")
    raw = text.encode("utf-8", "surrogatepass")[:100]
    text = raw.decode("utf-8", "ignore")  # drops a character cut in half
    return text or "file"


def body_att(body: Mapping[str, Any], aid: Any) -> dict[str, Any] | None:
    """The entry of a record body's ``att`` list for ``aid``, if it has one."""
    for item in body.get("att") or []:
        if isinstance(item, dict) and item.get("aid") == aid:
            return item
    return None


def _aids(header: Header) -> set[str]:
    return {b64u_encode(a.aid) for a in header.att}


class _CompareWriter:
    """A sink for decrypt_attachment that compares the plaintext with another entry as it comes."""

    def __init__(self, other: Reader) -> None:
        self._other = other
        self.equal = True

    def write(self, data: bytes) -> int:
        if self.equal:
            theirs = b""
            while len(theirs) < len(data):
                more = self._other.read(len(data) - len(theirs))
                if not more:
                    break
                theirs += more
            self.equal = theirs == data
        return len(data)

    def at_end(self) -> bool:
        return self.equal and self._other.read(1) == b""


def check_attachments(v: Verification) -> None:
    members = {"aid", "rid", "name", "mime", "size", "sha256", "ciphertext", "original"}
    first: dict[str, tuple[dict[str, Any], Rec]] = {}
    for i, item in enumerate(v.m.attachments):
        try:
            item = as_obj(item, f"attachments[{i}]", members)
            aid = as_id(item["aid"], f"attachments[{i}].aid")
            rid = as_id(item["rid"], f"attachments[{i}].rid")
            as_str(item["name"], f"attachments[{i}].name")
            as_str(item["mime"], f"attachments[{i}].mime")
            as_int(item["size"], f"attachments[{i}].size")
            as_hex(item["sha256"], f"attachments[{i}].sha256")
            rec = v.records.get(f"records/{rid}.json")
            if rec is None:
                raise FormatError(f"attachments[{i}] names record {rid}, not in the bundle")
        except FormatError as e:
            v.fail("attachments", MANIFEST, "attachments", str(e))
            continue
        if aid in first:
            # One entry per (record, attachment) is fine; the copy in the ZIP is one.
            earlier = first[aid][0]
            same = all(item[k] == earlier[k] for k in members - {"rid"})
            carries = rec.header is not None and aid in _aids(rec.header)
            if rid == earlier["rid"] or not same or not carries:
                v.fail("attachments", MANIFEST, "attachments", f"{aid} is listed twice")
            continue
        first[aid] = (item, rec)
        _check_attachment(v, item, rec)
    # Every attachment of every record is in the bundle (a new version carries its
    # predecessor's attachments: same key, same header entry, one copy in the bundle).
    for rec in v.records.values():
        if rec.header is None:
            continue
        for ref in rec.header.att:
            aid = b64u_encode(ref.aid)
            if aid not in first:
                v.fail("attachments", rec.path, "attachment", f"{aid} is not listed")
                continue
            _, holder = first[aid]
            if holder is rec:
                continue
            v.expect(
                _same_attachment(rec, holder, ref), "attachments", rec.path, "attachment",
                f"{aid}: the same attachment as {holder.path}",
                f"{aid}: differs from the copy in the bundle, which is {holder.path}'s",
            )
    for info in v.z.infos:
        name = info.filename
        for kind in ("ciphertext", "original"):
            match = LAYOUT[kind].fullmatch(name)
            listed = first.get(match.group(1)) if match else None
            if match and (listed is None or listed[0][kind] != name):
                v.fail("attachments", name, "attachment", "no attachment in manifest.json")


def _same_attachment(rec: Rec, holder: Rec, ref: AttachmentRef) -> bool:
    if holder.header is None or rec.opened is None or holder.opened is None:
        return False
    theirs = [a for a in holder.header.att if a.aid == ref.aid]
    meta = body_att(rec.opened.body, b64u_encode(ref.aid))
    return (
        theirs == [ref]
        and rec.cek == holder.cek
        and meta is not None
        and meta == body_att(holder.opened.body, b64u_encode(ref.aid))
    )


def _check_attachment(v: Verification, item: dict[str, Any], rec: Rec) -> None:
    aid = item["aid"]
    ct_path, orig_path = item["ciphertext"], item["original"]
    if rec.header is None or rec.opened is None:
        v.fail("attachments", rec.path, "attachment", f"{aid}: its record did not verify")
        return
    refs = [a for a in rec.header.att if b64u_encode(a.aid) == aid]
    meta = body_att(rec.opened.body, aid)
    if not refs or meta is None:
        v.fail("attachments", MANIFEST, "attachments", f"{aid} is not {rec.path}'s")
        return
    ref = refs[0]
    expected_orig = f"originals/{aid}/{original_name(str(meta.get('name', '')))}"
    good_paths = ct_path == f"attachments/{aid}.sp1" and orig_path == expected_orig
    v.expect(
        good_paths, "attachments", MANIFEST, "paths", f"{aid}: paths as the layout names them",
        f"{aid}: expected attachments/{aid}.sp1 and {expected_orig}",
    )
    if not good_paths:
        return
    listed = {k: item[k] for k in ("name", "mime", "size", "sha256")}
    body = {k: meta.get(k) for k in listed}
    v.expect(
        listed == body, "attachments", MANIFEST, "metadata",
        f"{aid}: name, type, size and SHA-256 as in {rec.path}'s signed body",
        f"{aid}: name, type, size or SHA-256 differ from {rec.path}'s signed body",
    )
    # Keyless: the original against what the author recorded at capture, and the ciphertext
    # against the signed header (length and chunk hash, as the server checks it).
    try:
        orig_sha, orig_size = v.z.digest(orig_path)
        v.expect(
            orig_sha == meta.get("sha256") == item["sha256"] and orig_size == meta.get("size"),
            "attachments", orig_path, "sha256",
            "SHA-256 and size as recorded at capture (signed body and manifest.json)",
            "SHA-256 or size differ from what was recorded at capture",
        )
    except EntryError as e:
        v.fail("attachments", orig_path, "sha256", str(e))
    try:
        length, digest = _chunk_hash(v.z, ct_path)
    except EntryError as e:
        v.fail("attachments", ct_path, "ciphertext", str(e))
        return
    if not v.expect(
        length == ref.ct_len and digest == ref.hash, "attachments", ct_path, "ciphertext",
        f"length and chunk hash as {rec.path}'s signed header",
        f"length {length} or chunk hash differ from {rec.path}'s signed header "
        f"(ct_len {ref.ct_len})",
    ):
        return
    size = meta.get("size")
    if not isinstance(size, int) or isinstance(size, bool):
        return
    assert rec.cek is not None  # nosec B101  # narrowing: under -O the next use fails closed
    try:
        with v.z.open(ct_path) as ct, v.z.open(orig_path) as orig:
            sink = _CompareWriter(orig)
            decrypt_attachment(cast(BinaryIO, ct), cast(BinaryIO, sink), rec.cek, ref, size)
            same = sink.at_end()
    except CryptoError as e:
        v.fail("attachments", ct_path, "decrypt", str(e))
        return
    except EntryError as e:
        v.fail("attachments", orig_path, "decrypt", str(e))
        return
    v.expect(
        same, "attachments", orig_path, "decrypt",
        f"exactly what {ct_path} decrypts to under {rec.path}'s key",
        f"differs from what {ct_path} decrypts to",
    )


def _chunk_hash(z: Zip, path: str) -> tuple[int, bytes]:
    digests = []
    length = 0
    with z.open(path) as f:
        while True:
            chunk = f.read(CT_CHUNK)
            if not chunk:
                break
            length += len(chunk)
            digests.append(hashlib.sha256(chunk).digest())
    return length, chunk_hash(digests)
