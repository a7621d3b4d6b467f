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

The modules, one per responsibility, in the order a run uses them:

- ``report``: the verdicts (``BundleCheck``, ``BundleReport``) and the collector of a run;
- ``archive``: the hostile-ZIP reader, its limits and the "zip" group;
- ``fields``: the bundle layout and the validators of JSON values;
- ``manifest``: manifest.json and the "files" group;
- ``state``: what a run has verified so far (bundles, records, the export record);
- ``records``: the "identities", "records", "receipts", "shares" and "export" groups;
- ``attachments``: the "attachments" group;
- ``custody``: the "chains" and "custody" groups.

The limits (``MAX_ENTRIES`` and the others) are re-exported here for reading; they are read at
call time from ``spcrypto.bundle.archive``, so that is where a test lowers them.
"""

from __future__ import annotations

import functools
import io
import os
from typing import IO

from .archive import (
    MAX_ENTRIES,
    MAX_JSON_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_TOTAL_BYTES,
    Zip,
    check_declared_entries,
    check_zip,
    open_zip,
)
from .attachments import check_attachments, original_name
from .custody import check_chains, check_custody
from .manifest import check_files, read_manifest
from .records import (
    check_export,
    check_identities,
    check_needed_bundles,
    check_receipt,
    check_record,
    check_share,
    load_records,
)
from .report import (
    GROUPS,
    BundleCheck,
    BundleFacts,
    BundleReport,
    BundleUnreadable,
    Checks,
    format_utc,
)
from .state import Verification

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
        refused = check_declared_entries(fp)
        if refused is not None:
            return BundleReport(BundleFacts(), (refused,))
        with open_zip(fp) as zf:
            return _run(Zip(zf))
    finally:
        if close:
            fp.close()


def _run(z: Zip) -> BundleReport:
    """Every group in turn, each guarded; a later group uses what the earlier ones verified."""
    so_far = Checks()
    readable: list[bool] = []
    so_far.guarded("zip", lambda: readable.append(check_zip(z, so_far)))
    if readable != [True]:
        return so_far.report(BundleFacts())
    v = Verification(z, read_manifest(z), so_far)
    v.guarded("files", functools.partial(check_files, z, v.m, v))
    v.guarded("identities", functools.partial(check_identities, v))
    v.guarded("records", functools.partial(load_records, v))
    v.guarded("export", functools.partial(check_export, v))
    for rec in v.records.values():
        v.guarded("records", functools.partial(check_record, v, rec))
        v.guarded("receipts", functools.partial(check_receipt, v, rec))
        v.guarded("shares", functools.partial(check_share, v, rec))
    v.guarded("attachments", functools.partial(check_attachments, v))
    v.guarded("chains", functools.partial(check_chains, v))
    v.guarded("custody", functools.partial(check_custody, v))
    v.guarded("identities", functools.partial(check_needed_bundles, v))
    return v.report(v.facts())
