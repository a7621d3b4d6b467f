"""``safepassage``: the offline verifier a lawyer runs on an exported evidence bundle.

    safepassage verify BUNDLE [--passphrase-file F]    BUNDLE: .zip, or .sp1sealed (contract 0.5)
    safepassage unseal IN OUT [--passphrase-file F]    writes the ZIP inside a sealed bundle

Exit codes (docs/legal-contract.md §0.4): 0 every check passed (or the file was unsealed),
1 a check failed, 2 the file cannot be read (not a ZIP, no or unparseable manifest.json, a
sealed bundle that does not open) or the command line is wrong.

Everything printed that comes from the bundle (paths, titles, messages that quote them) is
escaped first: a hostile ZIP must not be able to send control sequences to the terminal or
reorder a line with bidirectional controls.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import os
import sys
import unicodedata
from collections.abc import Sequence

from .bundle import GROUPS, BundleReport, BundleUnreadable, format_utc, verify_bundle
from .errors import AuthError, CryptoError

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2
SEALED_MAGIC = b"SP1-SEALED\n"  # contract 0.5; checked here so a ZIP never needs sealed.py
# A sealed bundle is opened into memory for `verify` (never to a temporary file: the point of
# sealing is that the plaintext does not lie around). Larger ones are unsealed to a chosen file.
MAX_SEALED_IN_MEMORY = 2 * 1024**3

GROUP_TITLES = {
    "zip": "ZIP limits and entry names",
    "files": "every file listed in manifest.json with its SHA-256 and size, nothing unlisted",
    "identities": "signed public bundles and contact cards",
    "export": "the exporter's signed export record and the manifest hash",
    "records": "record signatures, key commitments, bodies and content files",
    "receipts": "server receipts under manifest.json's server key",
    "shares": "share attestations: who shared each record with the exporter",
    "attachments": "attachments: ciphertext against the header, decryption, originals, SHA-256",
    "chains": "device chains: no fork, consecutive records linked",
    "custody": "custody log: case, links to earlier events, consent, manifest list",
}
_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class _Unreadable(Exception):
    """Exit 2 with this message."""


def _safe(text: str) -> str:
    """``text`` with every control, format (bidi) or unassigned character shown as an escape."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _UNSAFE else ch for ch in text
    )


def _say(line: str = "", *, err: bool = False) -> None:
    out = sys.stderr if err else sys.stdout
    line = _safe(line)
    try:
        print(line, file=out)
    except UnicodeEncodeError:  # a terminal that is not UTF-8
        enc = out.encoding or "ascii"
        print(line.encode(enc, "backslashreplace").decode(enc), file=out)


def _render(report: BundleReport, name: str) -> None:
    f = report.facts
    exporter = f.exporter + (f"  {f.exporter_name} (from the exporter's signed card)"
                             if f.exporter_name else "")
    _say(f"Safe Passage evidence bundle  {name}")
    _say(f"  Case        {f.case or 'unknown'}")
    _say(f"  Title       {f.title}")
    _say(f"  Created     {format_utc(f.created)}")
    _say(f"  Exporter    {exporter or 'unknown'}")
    _say(f"  Server key  {f.server_key or 'unknown'}")
    _say("              (receipts prove a time only if this is the key your Safe Passage server")
    _say("               publishes: compare them)")
    _say()
    results = {g: (ok, n) for g, ok, n in report.group_results()}
    for group in GROUPS:
        if group in results:
            ok, n = results[group]
            _say(f"{'PASS' if ok else 'FAIL'}  {group:<12}{n:>4} checks  {GROUP_TITLES[group]}")
        else:
            _say(f"----  {group:<12}   not checked  {GROUP_TITLES[group]}")
    if report.notes or report.failures:
        _say()
    for note in report.notes:
        _say(f"NOTE  {note.line}")
    for failure in report.failures:
        _say(f"FAIL  {failure.line}")
    _say()
    _say(report.summary())


def _passphrase(path: str | None) -> str:
    if path is None:
        try:
            return getpass.getpass("Passphrase of the sealed bundle: ")
        except (EOFError, KeyboardInterrupt):
            raise _Unreadable("no passphrase given") from None
    try:
        with open(path, "rb") as fh:
            raw = fh.read(64 * 1024)
    except OSError as e:
        raise _Unreadable(f"cannot read the passphrase file ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unreadable("the passphrase file is not UTF-8 text") from None
    # One trailing line break is how editors end a file; it is not part of the passphrase.
    return text.removesuffix("\n").removesuffix("\r") if text.endswith("\n") else text


def _is_sealed(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SEALED_MAGIC)) == SEALED_MAGIC
    except OSError as e:
        raise _Unreadable(f"cannot open {path} ({e.strerror or e})") from None


def _open_sealed(passphrase: str, fin: io.BufferedReader, fout: io.IOBase) -> None:
    """Open a sealed bundle; every failure to open is _Unreadable (exit 2)."""
    try:
        from .sealed import open_sealed_stream  # contract 0.5, loaded only for sealed files
    except ImportError:
        raise _Unreadable("this version of safepassage cannot open sealed bundles") from None
    try:
        open_sealed_stream(passphrase, fin, fout)  # type: ignore[arg-type]
    except AuthError:
        raise _Unreadable("the sealed bundle does not open: wrong passphrase, or the file was "
                          "changed or cut short") from None
    except CryptoError as e:
        raise _Unreadable(f"not a sealed bundle this version can open ({e})") from None


def _verify(path: str, passphrase_file: str | None) -> int:
    source: str | io.BytesIO = path
    if _is_sealed(path):
        if os.path.getsize(path) > MAX_SEALED_IN_MEMORY:
            raise _Unreadable("too large to verify in memory: run `safepassage unseal` first, "
                              "then verify the ZIP")
        passphrase = _passphrase(passphrase_file)
        buf = io.BytesIO()
        with open(path, "rb") as fin:
            _open_sealed(passphrase, fin, buf)
        buf.seek(0)
        source = buf
        _say("Opened the sealed bundle with the passphrase.")
    try:
        report = verify_bundle(source)
    except BundleUnreadable as e:
        raise _Unreadable(f"not a readable evidence bundle: {e}") from None
    code = EXIT_OK if report.ok else EXIT_FAILED
    try:
        _render(report, os.path.basename(path))
        sys.stdout.flush()
    except BrokenPipeError:
        # `safepassage verify X | head`: the reader left; the exit code still tells the verdict.
        _silence_stdout()
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _unseal(src: str, dst: str, passphrase_file: str | None) -> int:
    if os.path.lexists(dst):
        raise _Unreadable(f"{dst} already exists; choose a new file name")
    if not _is_sealed(src):
        raise _Unreadable(f"{src} is not a sealed bundle (it does not start with SP1-SEALED)")
    passphrase = _passphrase(passphrase_file)
    partial = dst + ".partial"
    # Plaintext is released before the end of the file is authenticated: it goes to a
    # private partial file that is deleted on failure and renamed only once all of it verified.
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise _Unreadable(f"cannot create {partial} ({e.strerror or e})") from None
    done = False
    try:
        with os.fdopen(fd, "wb") as fout, open(src, "rb") as fin:
            _open_sealed(passphrase, fin, fout)
        os.replace(partial, dst)
        done = True
    except OSError as e:
        raise _Unreadable(f"cannot write {dst} ({e.strerror or e})") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(partial)
    _say(f"Unsealed {src} to {dst}. Verify it with: safepassage verify {dst}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safepassage",
        description="Verify a Safe Passage evidence bundle offline (no server, no network).",
        epilog="Exit codes: 0 all checks passed, 1 a check failed, 2 the file cannot be read.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="verify an evidence bundle (.zip or .sp1sealed)")
    verify.add_argument("bundle", help="the bundle file")
    verify.add_argument("--passphrase-file", help="file holding the passphrase of a sealed bundle")
    unseal = sub.add_parser("unseal", help="write the ZIP inside a sealed bundle")
    unseal.add_argument("source", help="the .sp1sealed file")
    unseal.add_argument("target", help="where to write the ZIP (must not exist)")
    unseal.add_argument("--passphrase-file", help="file holding the passphrase")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for bad input)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on a usage error, 0 for --help
        return e.code if isinstance(e.code, int) else EXIT_UNREADABLE
    try:
        if args.command == "verify":
            return _verify(args.bundle, args.passphrase_file)
        return _unseal(args.source, args.target, args.passphrase_file)
    except _Unreadable as e:
        _say(f"safepassage: cannot read: {e}", err=True)
        return EXIT_UNREADABLE
    except Exception as e:  # deliberately broad: a bug must not print a traceback or pass
        _say(f"safepassage: internal error ({type(e).__name__}); nothing was verified", err=True)
        return EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())
