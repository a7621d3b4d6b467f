"""Reading the hostile ZIP: limits, the pre-check before the central directory is parsed, entry
names, and entries read only through size limits. Nothing is ever extracted to disk.

The limits are module constants so that tests can lower them; they are read here, at call
time, so a test patches them on this module (``spcrypto.bundle.archive``).
"""

from __future__ import annotations

import hashlib
import os
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from .._encoding import strict_json_loads
from .report import ZIP_ITSELF, BundleCheck, BundleUnreadable, Checks

# Contract 0.4's ZIP limits.
MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 8 * 1024**3  # uncompressed, as the central directory declares it
# Limits for the entries read whole into memory. A record body is a few kilobytes (a note is
# at most 10 000 characters); the manifest lists up to 100 000 files.
MAX_JSON_BYTES = 16 * 1024**2
MAX_MANIFEST_BYTES = 64 * 1024**2
_BLOCK = 1024**2

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


class EntryError(Exception):
    """An entry that cannot be read: missing, over its limit, damaged or encrypted."""


def _zip_error(e: BaseException) -> EntryError:
    return EntryError(f"cannot read this entry ({type(e).__name__}: {e})")


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


def check_declared_entries(fp: IO[bytes]) -> BundleCheck | None:
    """The failed check of an archive that declares more than MAX_ENTRIES entries, or None.

    Raises BundleUnreadable when there is no end-of-central-directory record: not a ZIP.
    """
    try:
        declared = _declared_entries(fp)
    except _ZIP_ERRORS:
        declared = None
    if declared is None:
        raise BundleUnreadable("not a ZIP file")
    if declared > MAX_ENTRIES:
        return BundleCheck(
            "zip", ZIP_ITSELF, "entries", False,
            f"{declared} entries, over the limit of {MAX_ENTRIES}; nothing else was read",
        )
    return None


def open_zip(fp: IO[bytes]) -> zipfile.ZipFile:
    """zipfile's view of ``fp``; raises BundleUnreadable when the central directory is damaged."""
    try:
        return zipfile.ZipFile(fp)
    except _ZIP_ERRORS:
        raise BundleUnreadable("not a ZIP file (damaged central directory)") from None


class Reader:
    """A ZIP entry as a binary stream whose read errors are EntryError."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        try:
            return self._f.read(n)
        except _ZIP_ERRORS as e:
            raise _zip_error(e) from None


class Zip:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.by_name.setdefault(info.filename, info)

    def has(self, name: str) -> bool:
        return name in self.by_name

    @contextmanager
    def open(self, name: str) -> Iterator[Reader]:
        info = self.by_name.get(name)
        if info is None:
            raise EntryError("missing from the ZIP")
        try:
            f = self.zf.open(info)
        except _ZIP_ERRORS as e:
            raise _zip_error(e) from None
        try:
            yield Reader(f)
        finally:
            f.close()

    def read(self, name: str, limit: int) -> bytes:
        """The whole entry, refusing one over ``limit`` bytes (declared or actual)."""
        info = self.by_name.get(name)
        if info is None:
            raise EntryError("missing from the ZIP")
        if info.file_size > limit:
            raise EntryError(f"{info.file_size} bytes, over the {limit}-byte limit for this file")
        with self.open(name) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise EntryError(f"over the {limit}-byte limit for this file")
        return data

    def read_manifest_bytes(self, name: str) -> bytes:
        """The manifest, whole, within MAX_MANIFEST_BYTES; raises EntryError."""
        return self.read(name, MAX_MANIFEST_BYTES)

    def read_json_bytes(self, name: str) -> bytes:
        """A record, bundle or content file, whole, within MAX_JSON_BYTES; raises EntryError."""
        return self.read(name, MAX_JSON_BYTES)

    def read_json(self, name: str) -> Any:
        """An entry parsed as strict JSON; raises EntryError or FormatError."""
        return strict_json_loads(self.read_json_bytes(name), ascii_only=False)

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


def check_zip(z: Zip, out: Checks) -> bool:
    """The "zip" group: limits and entry names, duplicates, encryption and compression.

    False when the ZIP is over a limit and must not be read.
    """
    infos = z.infos
    if not out.expect(
        len(infos) <= MAX_ENTRIES, "zip", ZIP_ITSELF, "entries",
        f"{len(infos)} entries (limit {MAX_ENTRIES})",
        f"{len(infos)} entries, over the limit of {MAX_ENTRIES}; nothing else was read",
    ):
        return False
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            out.fail(
                "zip", info.filename, "size",
                f"{info.file_size} bytes uncompressed takes the bundle over the "
                f"{MAX_TOTAL_BYTES}-byte limit; nothing else was read",
            )
            return False
    out.ok("zip", ZIP_ITSELF, "size", f"{total} bytes uncompressed (limit {MAX_TOTAL_BYTES})")
    seen: dict[str, int] = {}
    for info in infos:
        seen[info.filename] = seen.get(info.filename, 0) + 1
    bad = 0
    for name, count in seen.items():
        if count > 1:
            bad += 1
            out.fail("zip", name, "duplicate", f"{count} entries have this name")
    for info in infos:
        why = _safe_name(info.filename)
        if why:
            bad += 1
            out.fail("zip", info.filename, "name", why)
        if info.flag_bits & 0x1:
            bad += 1
            out.fail("zip", info.filename, "encrypted", "ZIP encryption is not allowed")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            bad += 1
            out.fail("zip", info.filename, "compression", "neither stored nor deflated")
    if not bad:
        out.ok("zip", ZIP_ITSELF, "names", f"{len(seen)} entry names, unique and safe")
    return True
