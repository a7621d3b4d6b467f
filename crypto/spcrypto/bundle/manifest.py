"""manifest.json: its top level, which must parse for the bundle to be readable at all, and the
"files" group: every listed file with its hash and size, nothing unlisted, the layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._encoding import b64u_decode, strict_json_loads
from ..errors import FormatError
from .archive import EntryError, Zip
from .fields import (
    EXPORT,
    FIXED_FILES,
    LAYOUT,
    MANIFEST,
    as_hex,
    as_id,
    as_int,
    as_list,
    as_obj,
    as_str,
    utf16_key,
)
from .report import BundleUnreadable, Checks


@dataclass
class Manifest:
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

    def attachments_by_aid(self) -> dict[str, dict[str, Any]]:
        """manifest.attachments by aid: the first well-formed entry of each."""
        out: dict[str, dict[str, Any]] = {}
        for item in self.attachments:
            if isinstance(item, dict) and isinstance(item.get("aid"), str):
                out.setdefault(item["aid"], item)
        return out


def read_manifest(z: Zip) -> Manifest:
    """The manifest of the ZIP; raises BundleUnreadable when it is missing or malformed."""
    try:
        raw = z.read_manifest_bytes(MANIFEST)
    except EntryError as e:
        raise BundleUnreadable(f"{MANIFEST}: {e}") from None
    return parse_manifest(raw)


def parse_manifest(raw: bytes) -> Manifest:
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
        return Manifest(
            raw=raw,
            case=as_id(obj.get("case"), "case"),
            title=as_str(obj.get("title"), "title"),
            created=as_int(obj.get("created"), "created"),
            lang=as_str(obj.get("lang"), "lang"),
            exporter=as_id(obj.get("exporter"), "exporter"),
            server_key=b64u_decode(obj.get("server_key"), 32, what="server_key"),
            files=as_list(obj.get("files"), "files"),
            records=as_list(obj.get("records"), "records"),
            attachments=as_list(obj.get("attachments"), "attachments"),
            custody=as_list(obj.get("custody"), "custody"),
        )
    except FormatError as e:
        raise BundleUnreadable(f"{MANIFEST}: {e}") from None


def check_files(z: Zip, m: Manifest, out: Checks) -> None:
    """The "files" group: every listed file with its hash and size, nothing unlisted."""
    listed: set[str] = set()
    paths: list[str] = []
    for i, item in enumerate(m.files):
        try:
            item = as_obj(item, f"files[{i}]", {"path", "sha256", "size"})
            path, sha, size = item["path"], item["sha256"], item["size"]
            as_str(path, f"files[{i}].path")
            as_hex(sha, f"files[{i}].sha256")
            as_int(size, f"files[{i}].size")
        except FormatError as e:
            out.fail("files", MANIFEST, "files", str(e))
            continue
        paths.append(path)
        if path in listed:
            out.fail("files", path, "listed", "listed twice in manifest.json")
            continue
        listed.add(path)
        if path in (MANIFEST, EXPORT):
            out.fail("files", path, "listed", "must not be listed in manifest.json files")
            continue
        _check_file(z, out, path, sha, size)
    if paths != sorted(paths, key=utf16_key):
        out.fail("files", MANIFEST, "files", "files are not sorted by path")
    for info in z.infos:
        name = info.filename
        if name in (MANIFEST, EXPORT) or name in listed:
            continue
        if info.is_dir() and info.file_size == 0:
            continue  # directory entries are allowed, not needed (contract 0.4)
        out.fail("files", name, "listed", "in the ZIP but not listed in manifest.json")
    for path in FIXED_FILES:
        if path not in listed:
            out.fail("files", path, "layout", "missing (every bundle has one)")


def _check_file(z: Zip, out: Checks, path: str, sha: str, size: int) -> None:
    if not any(p.fullmatch(path) for p in LAYOUT.values()) and path not in FIXED_FILES:
        out.fail("files", path, "layout", "not a path of the bundle layout")
    if not z.has(path):
        out.fail("files", path, "present", "listed in manifest.json but missing from the ZIP")
        return
    try:
        got_sha, got_size = z.digest(path)
    except EntryError as e:
        out.fail("files", path, "readable", str(e))
        return
    if got_size != size:
        out.fail("files", path, "size", f"{got_size} bytes, manifest.json says {size}")
    elif got_sha != sha:
        out.fail("files", path, "sha256", "SHA-256 differs from manifest.json")
    else:
        out.ok("files", path, "sha256", f"SHA-256 and size ({size} bytes) as listed")
