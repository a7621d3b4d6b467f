"""What a lawyer does with a bundle, as test steps: run `safepassage` on a file and read what it
printed. ``main()`` runs in-process (fast enough for Hypothesis); the console-script test runs
the installed `.venv/bin/safepassage` once to prove the entry point exists."""

from __future__ import annotations

import contextlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spcrypto.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str  # stdout and stderr together, as a terminal shows them

    def failure_lines_naming(self, path: str) -> list[str]:
        """The `FAIL  <path>  <check>: ...` lines about ``path`` (or quoting it)."""
        return [
            line for line in self.out.splitlines() if line.startswith("FAIL  ") and path in line
        ]


def safepassage(*args: str) -> Run:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return Run(code, out.getvalue())


def verify(data: bytes, name: str = "case-00010203-2026-11-18.zip") -> Run:
    """`safepassage verify` on a file holding ``data``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return safepassage("verify", str(path))
