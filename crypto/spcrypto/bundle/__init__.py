"""Offline verification of an evidence bundle (docs/legal-contract.md §0.4 and §6).

A legal supporter's browser exports a case as a ZIP: the disclosed records with their CEKs, the
decrypted bodies and attachments beside them, the public bundles of everyone involved, a
manifest of every file, and the exporter's signed ``exported`` custody record, whose body holds
the SHA-256 of the manifest. ``verify_bundle`` checks all of it without a server or a network
and returns a ``BundleReport``: every check with its group, the file it is about and a verdict.

The ZIP is hostile input. Nothing is extracted to disk; every entry is read through size
limits; manifest paths are only ever used to look entries up in the ZIP; a malformed value is a
failed check naming its file, never an exception. Only a file that is not a readable bundle at
all (not a ZIP, no or unparseable ``manifest.json``) raises ``BundleUnreadable`` — the CLI's
exit code 2.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, cast

from ._encoding import MAX_INT, b64u_decode, b64u_encode, strict_json_loads
from .errors import CryptoError, FormatError
from .identity import Bundle, Card, verify_card
from .identity import verify_bundle as verify_key_bundle
from .receipt import verify_receipt
from .record import (
    ChainHead,
    Envelope,
    Header,
    OpenedRecord,
    _commit,
    check_chain_link,
    open_record,
    verify_record,
    verify_share,
)
from .stream import CT_CHUNK, AttachmentRef, chunk_hash, decrypt_attachment

__all__ = [
    "GROUPS",
    "MAX_ENTRIES",
    "MAX_JSON_BYTES",
    "MAX_MANIFEST_BYTES",
    "MAX_TOTAL_BYTES",
    "BundleCheck",
    "BundleFacts",
    "BundleReport",
    "BundleUnreadable",
    "format_utc",
    "original_name",
    "verify_bundle",
]

# Contract 0.4's ZIP limits. Module constants so that tests can lower them.
MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 8 * 1024**3  # uncompressed, as the central directory declares it
# Limits for the entries read whole into memory. A record body is a few kilobytes (a note is
# at most 10 000 characters); the manifest lists up to 100 000 files.
MAX_JSON_BYTES = 16 * 1024**2
MAX_MANIFEST_BYTES = 64 * 1024**2
_BLOCK = 1024**2

# The check groups, in the order they are reported.
GROUPS = (
    "zip",
    "files",
    "identities",
    "export",
    "records",
    "receipts",
    "shares",
    "attachments",
    "chains",
    "custody",
)
ZIP_ITSELF = "(zip)"  # the "file" of a check about the archive as a whole

MANIFEST = "manifest.json"
EXPORT = "export.json"
CUSTODY_KIND = "sp.custody"
CUSTODY_EVENTS = frozenset({"referred", "opened", "note", "working-copy", "exported", "revoked"})

_ID = r"[A-Za-z0-9_-]{22}"  # base64url of 16 bytes: rid, aid, kid
_LAYOUT = {
    "record": re.compile(rf"records/({_ID})\.json"),
    "content": re.compile(rf"content/({_ID})\.json"),
    "ciphertext": re.compile(rf"attachments/({_ID})\.sp1"),
    "original": re.compile(rf"originals/({_ID})/([^/]+)"),
    "bundle": re.compile(rf"bundles/({_ID})\.json"),
}
_FIXED_FILES = ("README.txt", "report.html")
_HEX64 = re.compile(r"[0-9a-f]{64}")

# What zipfile and zlib raise on a damaged, truncated, encrypted or exotic archive or entry.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    OverflowError,
)


class BundleUnreadable(FormatError):
    """The file is not a readable evidence bundle: not a ZIP, or no parseable manifest.json."""


@dataclass(frozen=True)
class BundleCheck:
    """One verdict: ``check`` (e.g. "signature") of ``file`` (a path in the ZIP) in ``group``."""

    group: str
    file: str
    check: str
    ok: bool
    message: str

    @property
    def line(self) -> str:
        return f"{self.file}  {self.check}: {self.message}"


@dataclass(frozen=True)
class BundleFacts:
    """What the report header shows, from the manifest (which the export record signs)."""

    case: str = ""
    title: str = ""
    created: int | None = None  # Unix ms
    lang: str = ""
    exporter: str = ""  # kid, base64url
    exporter_name: str = ""  # from the exporter's verified card, if any
    server_key: str = ""  # base64url Ed25519 public key the receipts verify under
    records: int = 0
    attachments: int = 0
    custody_events: int = 0  # custody records in records/ plus the export record


@dataclass(frozen=True)
class BundleReport:
    """Every check run on one bundle, in GROUPS order; ``failures`` are those that did not pass."""

    facts: BundleFacts
    checks: tuple[BundleCheck, ...]
    # Remarks that are not failures: a record "not yet received by the server".
    notes: tuple[BundleCheck, ...] = ()

    @property
    def failures(self) -> tuple[BundleCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and not self.failures

    def group_results(self) -> list[tuple[str, bool, int]]:
        """(group, passed, number of checks) for every group that ran, in GROUPS order."""
        out = []
        for group in GROUPS:
            mine = [c for c in self.checks if c.group == group]
            if mine:
                out.append((group, all(c.ok for c in mine), len(mine)))
        return out

    def summary(self) -> str:
        if self.failures:
            return f"{len(self.failures)} checks FAILED"
        f = self.facts
        return (
            f"{len(self.checks)} checks passed for {f.records} records, "
            f"{f.attachments} attachments, {f.custody_events} custody events"
        )


def format_utc(ms: int | None) -> str:
    """A Unix-ms time as "YYYY-MM-DD HH:MM:SS UTC" (the raw number if it is out of range)."""
    if ms is None:
        return "unknown"
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ms} (Unix ms)"


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


# -- reading the hostile ZIP ------------------------------------------------------------------


class _EntryError(Exception):
    """An entry that cannot be read: missing, over its limit, damaged or encrypted."""


def _zip_error(e: BaseException) -> _EntryError:
    return _EntryError(f"cannot read this entry ({type(e).__name__}: {e})")


def _declared_entries(fp: IO[bytes]) -> int | None:
    """The entry count of the end-of-central-directory record, before zipfile parses the central
    directory (which costs memory per entry). None when there is no such record: not a ZIP."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    (count,) = struct.unpack("<H", tail[pos + 10 : pos + 12])
    if count == 0xFFFF and pos >= 20 and tail[pos - 20 : pos - 16] == b"PK\x06\x07":
        # ZIP64: the locator names the ZIP64 end record, which has the 64-bit count.
        (offset,) = struct.unpack("<Q", tail[pos - 12 : pos - 4])
        if offset < size:
            fp.seek(offset)
            rec = fp.read(56)
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                (count,) = struct.unpack("<Q", rec[32:40])
    return int(count)


class _Reader:
    """A ZIP entry as a binary stream whose read errors are _EntryError."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        try:
            return self._f.read(n)
        except _ZIP_ERRORS as e:
            raise _zip_error(e) from None


class _Zip:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.by_name.setdefault(info.filename, info)

    def has(self, name: str) -> bool:
        return name in self.by_name

    @contextmanager
    def open(self, name: str) -> Iterator[_Reader]:
        info = self.by_name.get(name)
        if info is None:
            raise _EntryError("missing from the ZIP")
        try:
            f = self.zf.open(info)
        except _ZIP_ERRORS as e:
            raise _zip_error(e) from None
        try:
            yield _Reader(f)
        finally:
            f.close()

    def read(self, name: str, limit: int) -> bytes:
        """The whole entry, refusing one over ``limit`` bytes (declared or actual)."""
        info = self.by_name.get(name)
        if info is None:
            raise _EntryError("missing from the ZIP")
        if info.file_size > limit:
            raise _EntryError(f"{info.file_size} bytes, over the {limit}-byte limit for this file")
        with self.open(name) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise _EntryError(f"over the {limit}-byte limit for this file")
        return data

    def digest(self, name: str) -> tuple[str, int]:
        """(hex SHA-256, size) of an entry, streamed."""
        h = hashlib.sha256()
        n = 0
        with self.open(name) as f:
            while block := f.read(_BLOCK):
                h.update(block)
                n += len(block)
        return h.hexdigest(), n


def _safe_name(name: str) -> str | None:
    """Why an entry name is unsafe for whoever unzips the bundle, or None when it is fine."""
    if not name or name.startswith("/") or "\\" in name or ":" in name:
        return "absolute path, backslash or drive letter"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "control character in the name"
    parts = name.split("/")
    if parts[-1] == "":
        parts = parts[:-1]  # a directory entry
    if any(p in ("", ".", "..") for p in parts):
        return "empty, '.' or '..' path segment"
    return None


# -- small validators (raise FormatError, which becomes a failed check) -----------------------


def _id(value: Any, what: str) -> str:
    """A base64url 16-byte id (rid, aid, kid) as its text."""
    b64u_decode(value, 16, what=what)
    return cast(str, value)


def _entry(value: Any, what: str) -> bytes:
    return b64u_decode(value, 32, what=what)


def _obj(value: Any, what: str, members: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{what}: not a JSON object")
    if members is not None and set(value) != members:
        missing, extra = sorted(members - set(value)), sorted(set(value) - members)
        raise FormatError(f"{what}: wrong members (missing {missing}, unexpected {extra})")
    return value


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise FormatError(f"{what}: not a non-negative integer")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise FormatError(f"{what}: not a string")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{what}: not a list")
    return value


def _hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise FormatError(f"{what}: not a lowercase hex SHA-256")
    return value


def _utf16_key(s: str) -> bytes:
    # JavaScript sorts strings by UTF-16 code unit; the manifest is sorted in the browser.
    return s.encode("utf-16-be", "surrogatepass")


# -- the verifier -----------------------------------------------------------------------------


@dataclass
class _Rec:
    """One disclosed record, filled in as its checks pass."""

    path: str
    rid: str
    author: str | None = None
    listed_kind: str | None = None  # manifest.records kind
    envelope: Envelope | None = None
    header: Header | None = None  # set only once the signature verified
    cek: bytes | None = None
    opened: OpenedRecord | None = None  # set only once commitment and body verified
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        return self.opened.body.get("kind") if self.opened else self.listed_kind

    @property
    def entry(self) -> bytes | None:
        return _entry_hash(self.envelope) if self.envelope else None


@functools.lru_cache(maxsize=4096)
def _entry_hash(envelope: Envelope) -> bytes:
    # Envelopes are frozen and hashable; the entry hash is looked up for every link and prev.
    return envelope.entry_hash


def _envelope(value: Any) -> Envelope:
    """An envelope whose entry hash can be computed (ASCII header); raises FormatError."""
    envelope = Envelope.from_json(_obj(value, "envelope"))
    _entry_hash(envelope)
    return envelope


@dataclass
class _Manifest:
    raw: bytes
    case: str
    title: str
    created: int
    lang: str
    exporter: str
    server_key: bytes
    files: list[Any]
    records: list[Any]
    attachments: list[Any]
    custody: list[Any]


def _parse_manifest(raw: bytes) -> _Manifest:
    """The manifest's top level; anything wrong here makes the bundle unreadable (exit 2)."""
    try:
        obj = strict_json_loads(raw, ascii_only=False)
    except FormatError as e:
        raise BundleUnreadable(f"{MANIFEST}: {e}") from None
    if not isinstance(obj, dict):
        raise BundleUnreadable(f"{MANIFEST}: not a JSON object")
    if obj.get("format") != "sp-evidence-bundle":
        raise BundleUnreadable(f"{MANIFEST}: not an SP1 evidence bundle (format)")
    if obj.get("v") != 1 or obj.get("suite") != "SP1":
        raise BundleUnreadable(f"{MANIFEST}: unsupported bundle version or suite")
    try:
        return _Manifest(
            raw=raw,
            case=_id(obj.get("case"), "case"),
            title=_str(obj.get("title"), "title"),
            created=_int(obj.get("created"), "created"),
            lang=_str(obj.get("lang"), "lang"),
            exporter=_id(obj.get("exporter"), "exporter"),
            server_key=b64u_decode(obj.get("server_key"), 32, what="server_key"),
            files=_list(obj.get("files"), "files"),
            records=_list(obj.get("records"), "records"),
            attachments=_list(obj.get("attachments"), "attachments"),
            custody=_list(obj.get("custody"), "custody"),
        )
    except FormatError as e:
        raise BundleUnreadable(f"{MANIFEST}: {e}") from None


class _CompareWriter:
    """A sink for decrypt_attachment that compares the plaintext with another entry as it comes."""

    def __init__(self, other: _Reader) -> None:
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


class _Verifier:
    def __init__(self, z: _Zip) -> None:
        self.z = z
        self.checks: list[BundleCheck] = []
        self.notes: list[BundleCheck] = []
        self.m: _Manifest | None = None
        self.bundles: dict[str, Bundle] = {}
        self.cards: dict[str, Card] = {}
        self.needed: dict[str, str] = {}  # kid -> the file that needs its bundle
        self.records: dict[str, _Rec] = {}
        self.export: _Rec | None = None
        self.listed: set[str] = set()  # paths in manifest.files
        self._by_entry: dict[bytes, _Rec] | None = None  # filled once the records are loaded

    # reporting

    def ok(self, group: str, file: str, check: str, message: str) -> None:
        self.checks.append(BundleCheck(group, file, check, True, message))

    def fail(self, group: str, file: str, check: str, message: str) -> None:
        self.checks.append(BundleCheck(group, file, check, False, message))

    def expect(self, cond: bool, group: str, file: str, check: str, good: str, bad: str) -> bool:
        (self.ok if cond else self.fail)(group, file, check, good if cond else bad)
        return cond

    def guarded(self, group: str, step: Callable[[], None]) -> None:
        """Run one group's checks; an unforeseen error fails the group instead of escaping.

        Every malformed input is meant to be a named failed check already; this is the last
        line, so that a verifier bug can only ever make a bundle fail, never pass or crash.
        """
        try:
            step()
        except Exception as e:  # deliberately broad: fail closed on anything unforeseen
            self.fail(group, ZIP_ITSELF, "verifier", f"could not complete ({type(e).__name__})")

    # the run

    def run(self) -> BundleReport:
        readable: list[bool] = []
        self.guarded("zip", lambda: readable.append(self.check_zip()))
        if readable != [True]:
            return self.report()
        try:
            raw = self.z.read(MANIFEST, MAX_MANIFEST_BYTES)
        except _EntryError as e:
            raise BundleUnreadable(f"{MANIFEST}: {e}") from None
        self.m = _parse_manifest(raw)
        self.guarded("files", self.check_files)
        self.guarded("identities", self.check_identities)
        self.guarded("records", self.load_records)
        self.guarded("export", self.check_export)
        for rec in self.records.values():
            self.guarded("records", functools.partial(self.check_record, rec))
            self.guarded("receipts", functools.partial(self.check_receipt, rec))
            self.guarded("shares", functools.partial(self.check_share, rec))
        self.guarded("attachments", self.check_attachments)
        self.guarded("chains", self.check_chains)
        self.guarded("custody", self.check_custody)
        self.guarded("identities", self.check_needed_bundles)
        return self.report()

    def report(self) -> BundleReport:
        order = {g: i for i, g in enumerate(GROUPS)}
        checks = sorted(self.checks, key=lambda c: order[c.group])  # stable: keeps file order
        m = self.m
        custody = sum(1 for r in self.records.values() if r.kind == CUSTODY_KIND)
        card = self.cards.get(m.exporter) if m else None
        facts = BundleFacts(
            case=m.case if m else "",
            title=m.title if m else "",
            created=m.created if m else None,
            lang=m.lang if m else "",
            exporter=m.exporter if m else "",
            exporter_name=(card.name + (f" ({card.org})" if card.org else "")) if card else "",
            server_key=b64u_encode(m.server_key) if m else "",
            records=len(self.records),
            attachments=len(self._attachment_entries()) if m else 0,
            custody_events=custody + (1 if self.export else 0),
        )
        return BundleReport(facts, tuple(checks), tuple(self.notes))

    # zip: limits, names, duplicates

    def check_zip(self) -> bool:
        """Limits and entry names; False when the ZIP is over a limit and must not be read."""
        infos = self.z.infos
        if not self.expect(
            len(infos) <= MAX_ENTRIES, "zip", ZIP_ITSELF, "entries",
            f"{len(infos)} entries (limit {MAX_ENTRIES})",
            f"{len(infos)} entries, over the limit of {MAX_ENTRIES}; nothing else was read",
        ):
            return False
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                self.fail(
                    "zip", info.filename, "size",
                    f"{info.file_size} bytes uncompressed takes the bundle over the "
                    f"{MAX_TOTAL_BYTES}-byte limit; nothing else was read",
                )
                return False
        self.ok("zip", ZIP_ITSELF, "size", f"{total} bytes uncompressed (limit {MAX_TOTAL_BYTES})")
        seen: dict[str, int] = {}
        for info in infos:
            seen[info.filename] = seen.get(info.filename, 0) + 1
        bad = 0
        for name, count in seen.items():
            if count > 1:
                bad += 1
                self.fail("zip", name, "duplicate", f"{count} entries have this name")
        for info in infos:
            why = _safe_name(info.filename)
            if why:
                bad += 1
                self.fail("zip", info.filename, "name", why)
            if info.flag_bits & 0x1:
                bad += 1
                self.fail("zip", info.filename, "encrypted", "ZIP encryption is not allowed")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                bad += 1
                self.fail("zip", info.filename, "compression", "neither stored nor deflated")
        if not bad:
            self.ok("zip", ZIP_ITSELF, "names", f"{len(seen)} entry names, unique and safe")
        return True

    # files: every listed file with its hash and size, nothing unlisted, the layout

    def check_files(self) -> None:
        m = self._m()
        paths: list[str] = []
        for i, item in enumerate(m.files):
            try:
                item = _obj(item, f"files[{i}]", {"path", "sha256", "size"})
                path, sha, size = item["path"], item["sha256"], item["size"]
                _str(path, f"files[{i}].path")
                _hex(sha, f"files[{i}].sha256")
                _int(size, f"files[{i}].size")
            except FormatError as e:
                self.fail("files", MANIFEST, "files", str(e))
                continue
            paths.append(path)
            if path in self.listed:
                self.fail("files", path, "listed", "listed twice in manifest.json")
                continue
            self.listed.add(path)
            if path in (MANIFEST, EXPORT):
                self.fail("files", path, "listed", "must not be listed in manifest.json files")
                continue
            self.check_file(path, sha, size)
        if paths != sorted(paths, key=_utf16_key):
            self.fail("files", MANIFEST, "files", "files are not sorted by path")
        for info in self.z.infos:
            name = info.filename
            if name in (MANIFEST, EXPORT) or name in self.listed:
                continue
            if info.is_dir() and info.file_size == 0:
                continue  # directory entries are allowed, not needed (contract 0.4)
            self.fail("files", name, "listed", "in the ZIP but not listed in manifest.json")
        for path in _FIXED_FILES:
            if path not in self.listed:
                self.fail("files", path, "layout", "missing (every bundle has one)")

    def check_file(self, path: str, sha: str, size: int) -> None:
        if not any(p.fullmatch(path) for p in _LAYOUT.values()) and path not in _FIXED_FILES:
            self.fail("files", path, "layout", "not a path of the bundle layout")
        if not self.z.has(path):
            self.fail("files", path, "present", "listed in manifest.json but missing from the ZIP")
            return
        try:
            got_sha, got_size = self.z.digest(path)
        except _EntryError as e:
            self.fail("files", path, "readable", str(e))
            return
        if got_size != size:
            self.fail("files", path, "size", f"{got_size} bytes, manifest.json says {size}")
        elif got_sha != sha:
            self.fail("files", path, "sha256", "SHA-256 differs from manifest.json")
        else:
            self.ok("files", path, "sha256", f"SHA-256 and size ({size} bytes) as listed")

    # identities: bundles and cards

    def check_identities(self) -> None:
        for name in self.z.by_name:
            match = _LAYOUT["bundle"].fullmatch(name)
            if match:
                self.check_identity(name, match.group(1))

    def check_identity(self, path: str, kid: str) -> None:
        try:
            obj = _obj(self._json(path), path, {"bundle", "card"})
            bundle = verify_key_bundle(obj["bundle"])
            if b64u_encode(bundle.kid) != kid:
                raise FormatError(f"the bundle is {b64u_encode(bundle.kid)}'s, not {kid}'s")
        except (CryptoError, _EntryError) as e:
            self.fail("identities", path, "bundle", str(e))
            return
        self.bundles[kid] = bundle
        self.ok("identities", path, "bundle", f"signed bundle of {kid} ({_who(bundle)})")
        if obj["card"] is None:
            return
        try:
            card = verify_card(obj["card"], bundle)
        except CryptoError as e:
            self.fail("identities", path, "card", str(e))
            return
        self.cards[kid] = card
        org = f" ({card.org})" if card.org else ""
        self.ok("identities", path, "card", f"signed card: {card.name}{org}")

    def bundle_for(self, kid: str, needed_by: str) -> Bundle:
        self.needed.setdefault(kid, needed_by)
        bundle = self.bundles.get(kid)
        if bundle is None:
            raise FormatError(f"no verified bundle for {kid} (bundles/{kid}.json)")
        return bundle

    def check_needed_bundles(self) -> None:
        for kid, needed_by in self.needed.items():
            path = f"bundles/{kid}.json"
            if not self.z.has(path):
                self.fail("identities", path, "bundle", f"missing; {needed_by} needs it")

    # records: load the files, then each record's checks

    def load_records(self) -> None:
        m = self._m()
        for i, item in enumerate(m.records):
            try:
                item = _obj(item, f"records[{i}]", {"rid", "kind", "author", "path"})
                rid = _id(item["rid"], f"records[{i}].rid")
                kind = _str(item["kind"], f"records[{i}].kind")
                author = _id(item["author"], f"records[{i}].author")
                if item["path"] != f"records/{rid}.json":
                    raise FormatError(f"records[{i}].path is not records/{rid}.json")
            except FormatError as e:
                self.fail("records", MANIFEST, "records", str(e))
                continue
            path = f"records/{rid}.json"
            if path in self.records:
                self.fail("records", path, "listed", "listed twice in manifest.json records")
                continue
            self.records[path] = _Rec(path, rid, author=author, listed_kind=kind)
        for name in self.z.by_name:
            match = _LAYOUT["record"].fullmatch(name)
            if match and name not in self.records:
                self.fail("records", name, "listed", "not in manifest.json records")
                self.records[name] = _Rec(name, match.group(1))
            match = _LAYOUT["content"].fullmatch(name)
            if match and f"records/{match.group(1)}.json" not in self.records:
                self.fail("records", name, "content", "the content of no record in the bundle")
        for rec in self.records.values():
            self.load_record(rec)

    def load_record(self, rec: _Rec) -> None:
        members = {"envelope", "receipt", "cek", "author", "shared_by", "wrap"}
        try:
            obj = _obj(self._json(rec.path), rec.path, members)
            author = _id(obj["author"], "author")
            if rec.author is not None and author != rec.author:
                raise FormatError(f"author {author} is not manifest.json's {rec.author}")
            rec.author = author
            rec.raw = obj
            rec.envelope = _envelope(obj["envelope"])
            rec.cek = b64u_decode(obj["cek"], 32, what="cek")
        except (CryptoError, _EntryError) as e:
            self.fail("records", rec.path, "record file", str(e))

    def check_record(self, rec: _Rec) -> None:
        if rec.envelope is None or rec.author is None or rec.cek is None:
            return  # load_record failed and said why
        self.open(rec, "records")
        if rec.header is not None and b64u_encode(rec.header.rid) != rec.rid:
            rid = b64u_encode(rec.header.rid)
            self.fail("records", rec.path, "rid", f"the header's rid is {rid}")
        if rec.opened is None:
            return
        kind = rec.opened.body.get("kind")
        if rec.listed_kind is not None and kind != rec.listed_kind:
            listed = f"{rec.path} is {kind}, listed as {rec.listed_kind}"
            self.fail("records", MANIFEST, "records", listed)
        content = f"content/{rec.rid}.json"
        try:
            same = self.z.read(content, MAX_JSON_BYTES) == rec.opened.body_json
        except _EntryError as e:
            self.fail("records", content, "content", str(e))
            return
        self.expect(
            same, "records", content, "content",
            "the record's decrypted body, byte for byte",
            f"differs from the decrypted body of {rec.path}",
        )

    def open(self, rec: _Rec, group: str) -> None:
        """Signature, key commitment, body: fills rec.header and rec.opened as each passes."""
        assert rec.envelope is not None and rec.author is not None and rec.cek is not None
        try:
            bundle = self.bundle_for(rec.author, rec.path)
            header = verify_record(rec.envelope, bundle)
        except CryptoError as e:
            self.fail(group, rec.path, "signature", str(e))
            return
        rec.header = header
        self.ok(group, rec.path, "signature", f"signed by {rec.author} ({_who(bundle)})")
        if not self.expect(
            _commit(rec.cek) == header.commit, group, rec.path, "commitment",
            "the disclosed key is the one the author committed to",
            "the disclosed key is not the one the author committed to",
        ):
            return
        try:
            rec.opened = open_record(rec.envelope, bundle, cek=rec.cek)
        except CryptoError as e:
            self.fail(group, rec.path, "body", str(e))
            return
        kind = rec.opened.body.get("kind")
        self.ok(group, rec.path, "body", f"decrypts and is a well-formed {kind}")

    # receipts and shares

    def check_receipt(self, rec: _Rec) -> None:
        if rec.envelope is None:
            return
        receipt = rec.raw.get("receipt")
        if receipt is None:
            self.notes.append(
                BundleCheck("receipts", rec.path, "receipt", True, "not yet received by the server")
            )
            return
        try:
            entry, ts = verify_receipt(receipt, self._m().server_key)
        except CryptoError as e:
            self.fail("receipts", rec.path, "receipt", str(e))
            return
        self.expect(
            entry == rec.entry, "receipts", rec.path, "receipt",
            f"received by the server at {format_utc(ts)}",
            "the receipt is for another entry",
        )

    def check_share(self, rec: _Rec) -> None:
        if rec.envelope is None or rec.author is None:
            return
        wrap, shared_by = rec.raw.get("wrap"), rec.raw.get("shared_by")
        exporter = self._m().exporter
        try:
            if wrap is None:
                if shared_by is not None:
                    raise FormatError("shared_by without a wrap")
                if rec.author != exporter:
                    raise FormatError("no wrap, but the record is not the exporter's own")
                self.ok("shares", rec.path, "share", "the exporter's own record")
                return
            sharer = _id(shared_by, "shared_by")
            wrap = _obj(wrap, "wrap")
            verify_share(rec.envelope.hdr, wrap, self.bundle_for(sharer, rec.path))
            if wrap.get("kid") != exporter:
                raise FormatError(f"the wrap is addressed to {wrap.get('kid')}, not the exporter")
        except CryptoError as e:
            self.fail("shares", rec.path, "share", str(e))
            return
        self.ok("shares", rec.path, "share", f"shared with {exporter} by {sharer}")

    # export

    def check_export(self) -> None:
        m = self._m()
        try:
            obj = _obj(self._json(EXPORT), EXPORT, {"envelope", "cek", "author"})
            author = _id(obj["author"], "author")
            if author != m.exporter:
                raise FormatError(f"author {author} is not manifest.json's exporter {m.exporter}")
            rec = _Rec(EXPORT, "", author=author)
            rec.envelope = _envelope(obj["envelope"])
            rec.cek = b64u_decode(obj["cek"], 32, what="cek")
        except (CryptoError, _EntryError) as e:
            self.fail("export", EXPORT, "record file", str(e))
            return
        self.open(rec, "export")
        if rec.header is not None:
            rec.rid = b64u_encode(rec.header.rid)
            self.export = rec
        if rec.opened is None:
            return
        body = rec.opened.body
        self.expect(
            body.get("kind") == CUSTODY_KIND and body.get("event") == "exported",
            "export", EXPORT, "event", "an sp.custody \"exported\" event",
            f"a {body.get('kind')} {body.get('event')!r}, not an sp.custody \"exported\" event",
        )
        self.expect(
            body.get("case") == m.case, "export", EXPORT, "case",
            f"case {m.case}", f"case {body.get('case')!r} is not manifest.json's {m.case}",
        )
        detail = body.get("detail")
        claimed = detail.get("manifest") if isinstance(detail, dict) else None
        if not isinstance(claimed, str) or not _HEX64.fullmatch(claimed):
            self.fail("export", EXPORT, "manifest hash", "detail.manifest is not a hex SHA-256")
        else:
            actual = hashlib.sha256(m.raw).hexdigest()
            # The export record is signed and the manifest is not: a difference names the manifest.
            self.expect(
                claimed == actual, "export", MANIFEST, "manifest hash",
                "SHA-256 is the one the signed export record names",
                "SHA-256 is not the one the signed export record (export.json) names",
            )
        if f"records/{rec.rid}.json" in self.records:
            self.fail("export", EXPORT, "record", "the export record is also in records/")
        self.check_prev(rec, "export")

    # attachments

    def _attachment_entries(self) -> dict[str, dict[str, Any]]:
        """manifest.attachments by aid: the first well-formed entry of each."""
        out: dict[str, dict[str, Any]] = {}
        for item in self._m().attachments:
            if isinstance(item, dict) and isinstance(item.get("aid"), str):
                out.setdefault(item["aid"], item)
        return out

    def check_attachments(self) -> None:
        m = self._m()
        members = {"aid", "rid", "name", "mime", "size", "sha256", "ciphertext", "original"}
        first: dict[str, tuple[dict[str, Any], _Rec]] = {}
        for i, item in enumerate(m.attachments):
            try:
                item = _obj(item, f"attachments[{i}]", members)
                aid = _id(item["aid"], f"attachments[{i}].aid")
                rid = _id(item["rid"], f"attachments[{i}].rid")
                _str(item["name"], f"attachments[{i}].name")
                _str(item["mime"], f"attachments[{i}].mime")
                _int(item["size"], f"attachments[{i}].size")
                _hex(item["sha256"], f"attachments[{i}].sha256")
                rec = self.records.get(f"records/{rid}.json")
                if rec is None:
                    raise FormatError(f"attachments[{i}] names record {rid}, not in the bundle")
            except FormatError as e:
                self.fail("attachments", MANIFEST, "attachments", str(e))
                continue
            if aid in first:
                # One entry per (record, attachment) is fine; the copy in the ZIP is one.
                earlier = first[aid][0]
                same = all(item[k] == earlier[k] for k in members - {"rid"})
                carries = rec.header is not None and aid in _aids(rec.header)
                if rid == earlier["rid"] or not same or not carries:
                    self.fail("attachments", MANIFEST, "attachments", f"{aid} is listed twice")
                continue
            first[aid] = (item, rec)
            self.check_attachment(item, rec)
        # Every attachment of every record is in the bundle (a new version carries its
        # predecessor's attachments: same key, same header entry, one copy in the bundle).
        for rec in self.records.values():
            if rec.header is None:
                continue
            for ref in rec.header.att:
                aid = b64u_encode(ref.aid)
                if aid not in first:
                    self.fail("attachments", rec.path, "attachment", f"{aid} is not listed")
                    continue
                _, holder = first[aid]
                if holder is rec:
                    continue
                self.expect(
                    self._same_attachment(rec, holder, ref), "attachments", rec.path, "attachment",
                    f"{aid}: the same attachment as {holder.path}",
                    f"{aid}: differs from the copy in the bundle, which is {holder.path}'s",
                )
        for info in self.z.infos:
            name = info.filename
            for kind in ("ciphertext", "original"):
                match = _LAYOUT[kind].fullmatch(name)
                listed = first.get(match.group(1)) if match else None
                if match and (listed is None or listed[0][kind] != name):
                    self.fail("attachments", name, "attachment", "no attachment in manifest.json")

    @staticmethod
    def _same_attachment(rec: _Rec, holder: _Rec, ref: AttachmentRef) -> bool:
        if holder.header is None or rec.opened is None or holder.opened is None:
            return False
        theirs = [a for a in holder.header.att if a.aid == ref.aid]
        meta = _body_att(rec.opened.body, b64u_encode(ref.aid))
        return (
            theirs == [ref]
            and rec.cek == holder.cek
            and meta is not None
            and meta == _body_att(holder.opened.body, b64u_encode(ref.aid))
        )

    def check_attachment(self, item: dict[str, Any], rec: _Rec) -> None:
        aid = item["aid"]
        ct_path, orig_path = item["ciphertext"], item["original"]
        if rec.header is None or rec.opened is None:
            self.fail("attachments", rec.path, "attachment", f"{aid}: its record did not verify")
            return
        refs = [a for a in rec.header.att if b64u_encode(a.aid) == aid]
        meta = _body_att(rec.opened.body, aid)
        if not refs or meta is None:
            self.fail("attachments", MANIFEST, "attachments", f"{aid} is not {rec.path}'s")
            return
        ref = refs[0]
        expected_orig = f"originals/{aid}/{original_name(str(meta.get('name', '')))}"
        good_paths = ct_path == f"attachments/{aid}.sp1" and orig_path == expected_orig
        self.expect(
            good_paths, "attachments", MANIFEST, "paths", f"{aid}: paths as the layout names them",
            f"{aid}: expected attachments/{aid}.sp1 and {expected_orig}",
        )
        if not good_paths:
            return
        listed = {k: item[k] for k in ("name", "mime", "size", "sha256")}
        body = {k: meta.get(k) for k in listed}
        self.expect(
            listed == body, "attachments", MANIFEST, "metadata",
            f"{aid}: name, type, size and SHA-256 as in {rec.path}'s signed body",
            f"{aid}: name, type, size or SHA-256 differ from {rec.path}'s signed body",
        )
        # Keyless: the original against what the author recorded at capture, and the ciphertext
        # against the signed header (length and chunk hash, as the server checks it).
        try:
            orig_sha, orig_size = self.z.digest(orig_path)
            self.expect(
                orig_sha == meta.get("sha256") == item["sha256"] and orig_size == meta.get("size"),
                "attachments", orig_path, "sha256",
                "SHA-256 and size as recorded at capture (signed body and manifest.json)",
                "SHA-256 or size differ from what was recorded at capture",
            )
        except _EntryError as e:
            self.fail("attachments", orig_path, "sha256", str(e))
        try:
            length, digest = self._chunk_hash(ct_path)
        except _EntryError as e:
            self.fail("attachments", ct_path, "ciphertext", str(e))
            return
        if not self.expect(
            length == ref.ct_len and digest == ref.hash, "attachments", ct_path, "ciphertext",
            f"length and chunk hash as {rec.path}'s signed header",
            f"length {length} or chunk hash differ from {rec.path}'s signed header "
            f"(ct_len {ref.ct_len})",
        ):
            return
        size = meta.get("size")
        if not isinstance(size, int) or isinstance(size, bool):
            return
        assert rec.cek is not None
        try:
            with self.z.open(ct_path) as ct, self.z.open(orig_path) as orig:
                sink = _CompareWriter(orig)
                decrypt_attachment(cast(BinaryIO, ct), cast(BinaryIO, sink), rec.cek, ref, size)
                same = sink.at_end()
        except CryptoError as e:
            self.fail("attachments", ct_path, "decrypt", str(e))
            return
        except _EntryError as e:
            self.fail("attachments", orig_path, "decrypt", str(e))
            return
        self.expect(
            same, "attachments", orig_path, "decrypt",
            f"exactly what {ct_path} decrypts to under {rec.path}'s key",
            f"differs from what {ct_path} decrypts to",
        )

    def _chunk_hash(self, path: str) -> tuple[int, bytes]:
        digests = []
        length = 0
        with self.z.open(path) as f:
            while True:
                chunk = f.read(CT_CHUNK)
                if not chunk:
                    break
                length += len(chunk)
                digests.append(hashlib.sha256(chunk).digest())
        return length, chunk_hash(digests)

    # chains

    def check_chains(self) -> None:
        signed = [r for r in self.records.values() if r.header is not None]
        if self.export is not None and self.export.header is not None:
            signed.append(self.export)
        chains: dict[tuple[bytes, bytes], dict[int, _Rec]] = {}
        for rec in signed:
            assert rec.header is not None and rec.envelope is not None
            by_seq = chains.setdefault((rec.header.author, rec.header.dev), {})
            other = by_seq.get(rec.header.seq)
            if other is None:
                by_seq[rec.header.seq] = rec
            elif other.entry != rec.entry:
                self.fail(
                    "chains", rec.path, "fork",
                    f"seq {rec.header.seq} of the same device chain is also {other.path}",
                )
        for (author, dev), by_seq in chains.items():
            seqs = sorted(by_seq)
            links = 0
            broken = False
            for a, b in itertools.pairwise(seqs):
                if b != a + 1:
                    continue  # a bundle holds part of a chain: gaps are expected
                earlier, later = by_seq[a], by_seq[b]
                assert earlier.header is not None and earlier.entry is not None
                assert later.envelope is not None
                head = ChainHead(author, dev, a, earlier.entry)
                try:
                    check_chain_link(head, later.envelope)
                    links += 1
                except CryptoError as e:
                    broken = True
                    self.fail("chains", later.path, "link", f"{e} ({earlier.path}, seq {a})")
            if not broken:
                last = by_seq[seqs[-1]]
                self.ok(
                    "chains", last.path, "chain",
                    f"device {b64u_encode(dev)} of {b64u_encode(author)}: seq "
                    f"{', '.join(map(str, seqs))}, {links} consecutive links verified, no fork",
                )

    # custody

    def check_prev(self, rec: _Rec, group: str) -> None:
        """Every entry a custody record names in prev is a record in the bundle (contract 0.2)."""
        if rec.opened is None:
            return
        entries = self._entries()
        try:
            prev = [_entry(e, "prev") for e in _list(rec.opened.body.get("prev"), "prev")]
            texts = [b64u_encode(e) for e in prev]
            if texts != sorted(set(texts)):
                raise FormatError("prev is not sorted and unique")
        except FormatError as e:
            self.fail(group, rec.path, "prev", str(e))
            return
        missing = [b64u_encode(e) for e in prev if e not in entries]
        for entry in missing:
            why = f"names entry {entry}, which is not in the bundle (a missing event)"
            self.fail(group, rec.path, "prev", why)
        if not missing:
            self.ok(group, rec.path, "prev", f"the {len(prev)} entries it names are in the bundle")

    def _entries(self) -> dict[bytes, _Rec]:
        """The records in the bundle by entry hash (the export record is not one of them)."""
        if self._by_entry is None:
            self._by_entry = {r.entry: r for r in self.records.values() if r.entry is not None}
        return self._by_entry

    def check_custody(self) -> None:
        m = self._m()
        entries = self._entries()
        custody = [r for r in self.records.values() if r.kind == CUSTODY_KIND]
        for rec in custody:
            if rec.opened is not None:
                self.check_custody_record(rec, entries)
        # manifest.custody: exactly the custody records, each after the entries it names.
        want = {b64u_encode(r.entry): r for r in custody if r.entry is not None}
        listed = [e for e in m.custody if isinstance(e, str)]
        problems = []
        if len(listed) != len(m.custody) or len(set(listed)) != len(listed):
            problems.append("custody has non-string or repeated entries")
        for e in listed:
            if e not in want:
                problems.append(f"custody lists {e}, which is not a custody record in the bundle")
        for e, rec in want.items():
            if e not in listed:
                problems.append(f"custody does not list {rec.path}")
        position = {e: i for i, e in enumerate(listed)}
        for e, rec in want.items():
            if rec.opened is None or e not in position:
                continue
            prev = rec.opened.body.get("prev")
            for p in prev if isinstance(prev, list) else []:
                if isinstance(p, str) and position.get(p, -1) > position[e]:
                    problems.append(f"custody lists {rec.path} before an entry it names")
        for problem in problems:
            self.fail("custody", MANIFEST, "custody list", problem)
        if not problems:
            good = f"lists the {len(want)} custody records in log order"
            self.ok("custody", MANIFEST, "custody list", good)
        self.check_ancestry(custody)

    def check_ancestry(self, custody: list[_Rec]) -> None:
        """Every custody record is an ancestor of the export record (contract 0.2: the export
        names the heads), so none can be added to a bundle without breaking a signed link."""
        if self.export is None or self.export.opened is None:
            return
        entries = self._entries()
        reached: set[bytes] = set()
        missing = False
        todo = [self.export]
        while todo:
            rec = todo.pop()
            prev = rec.opened.body.get("prev") if rec.opened else None
            for p in prev if isinstance(prev, list) else []:
                try:
                    e = _entry(p, "prev")
                except FormatError:
                    continue
                missing = missing or e not in entries
                if e not in reached and e in entries:
                    reached.add(e)
                    todo.append(entries[e])
        why = "a missing event cuts it off" if missing else "not in the log the exporter signed"
        for rec in custody:
            self.expect(
                rec.entry in reached, "custody", rec.path, "in the log",
                "an ancestor of the export record",
                f"not an ancestor of the export record ({why})",
            )

    def check_custody_record(self, rec: _Rec, entries: dict[bytes, _Rec]) -> None:
        assert rec.opened is not None
        body, case = rec.opened.body, self._m().case
        event = body.get("event")
        if not self.expect(
            event in CUSTODY_EVENTS, "custody", rec.path, "event", f"{event}",
            f"unknown event {event!r}",
        ):
            return
        self.expect(
            body.get("case") == case, "custody", rec.path, "case",
            f"{event} event of case {case}",
            f"belongs to case {body.get('case')!r}, not manifest.json's {case}",
        )
        self.check_prev(rec, "custody")
        try:
            self._check_references(body, str(event), entries)
        except FormatError as e:
            self.fail("custody", rec.path, "references", str(e))
            return
        good = "the reports, consents and originals it names are in the bundle"
        self.ok("custody", rec.path, "references", good)

    def _check_references(
        self, body: dict[str, Any], event: str, entries: dict[bytes, _Rec]
    ) -> None:
        """The records an event names are in the bundle: its items, a referral's consent (the
        author's sp.share with consent.legal true), a working copy's original. FormatError."""
        for i, item in enumerate(_list(body.get("items"), "items")):
            _resolve(entries, _obj(item, f"items[{i}]"), f"items[{i}]")
        detail = _obj(body.get("detail"), "detail")
        if event == "referred":
            for i, ref in enumerate(_list(detail.get("consent"), "detail.consent")):
                what = f"detail.consent[{i}]"
                share = _resolve(entries, _obj(ref, what), what)
                consent = share.opened.body.get("consent") if share.opened else None
                legal = isinstance(consent, dict) and consent.get("legal") is True
                if share.kind != "sp.share" or not legal:
                    raise FormatError(f"{what}: {share.path} is no sp.share with legal consent")
        if event == "working-copy":
            of = _obj(detail.get("of"), "detail.of")
            target = self.records.get(f"records/{of.get('rid')}.json")
            opened = target.opened if target else None
            meta = _body_att(opened.body, of.get("aid")) if opened else None
            if meta is None or meta.get("sha256") != of.get("sha256"):
                raise FormatError("detail.of does not name an original in the bundle")

    # helpers

    def _m(self) -> _Manifest:
        assert self.m is not None
        return self.m

    def _json(self, path: str) -> Any:
        """An entry parsed as strict JSON; raises _EntryError or FormatError."""
        return strict_json_loads(self.z.read(path, MAX_JSON_BYTES), ascii_only=False)


def _resolve(entries: dict[bytes, _Rec], ref: dict[str, Any], what: str) -> _Rec:
    """The record ``{rid, entry[, author]}`` names; FormatError unless it is in the bundle."""
    found = entries.get(_entry(ref.get("entry"), f"{what}.entry"))
    rid, author = ref.get("rid"), ref.get("author")
    if found is None or found.rid != rid or ("author" in ref and found.author != author):
        raise FormatError(f"{what} names {rid!r}, which is not that record in the bundle")
    return found


def _who(bundle: Bundle) -> str:
    return f"{bundle.role} {bundle.uid}"


def _aids(header: Header) -> set[str]:
    return {b64u_encode(a.aid) for a in header.att}


def _body_att(body: Mapping[str, Any], aid: Any) -> dict[str, Any] | None:
    for item in body.get("att") or []:
        if isinstance(item, dict) and item.get("aid") == aid:
            return item
    return None


_Source = str | os.PathLike[str] | bytes | bytearray | IO[bytes]


def _open_source(source: _Source) -> tuple[IO[bytes], bool]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb"), True
        except OSError as e:
            why = e.strerror or type(e).__name__
            raise BundleUnreadable(f"cannot open the file ({why})") from None
    return source, False


def verify_bundle(source: _Source) -> BundleReport:
    """Verify an evidence bundle (a path, its bytes or a seekable binary file) offline.

    Returns the report of every check (contract §6 and 0.4); failed checks are in
    ``report.failures``, each naming the ZIP path and the check. Raises ``BundleUnreadable``
    when the file is not a ZIP or has no parseable ``manifest.json``.
    """
    fp, close = _open_source(source)
    try:
        try:
            declared = _declared_entries(fp)
        except _ZIP_ERRORS:
            declared = None
        if declared is None:
            raise BundleUnreadable("not a ZIP file")
        if declared > MAX_ENTRIES:
            check = BundleCheck(
                "zip", ZIP_ITSELF, "entries", False,
                f"{declared} entries, over the limit of {MAX_ENTRIES}; nothing else was read",
            )
            return BundleReport(BundleFacts(), (check,))
        try:
            zf = zipfile.ZipFile(fp)
        except _ZIP_ERRORS:
            raise BundleUnreadable("not a ZIP file (damaged central directory)") from None
        with zf:
            return _Verifier(_Zip(zf)).run()
    finally:
        if close:
            fp.close()
