"""Issue 9, cheap phones: the core of the app shell — what a first visit downloads before the app
works offline — stays within the size budget recorded in docs/PERFORMANCE.md, compressed as the
server sends it. A size, not a timing: the same on every machine. The deferred files (pdf.js,
the QR scanner, the other languages' catalogs) are measured too, and no core module may import
one of them statically (it would be needed at start, before the background fill)."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("shell_size", ROOT / "tools" / "shell_size.py")
assert SPEC is not None and SPEC.loader is not None
shell_size = importlib.util.module_from_spec(SPEC)
sys.modules["shell_size"] = shell_size  # dataclasses look their module up there
SPEC.loader.exec_module(shell_size)


def test_the_core_stays_within_its_compressed_budget() -> None:
    parts = shell_size.measure()
    core = parts["core"]
    assert core.gzip <= shell_size.CORE_GZIP_BUDGET, (
        f"the core of the app shell is {core.gzip:,} bytes compressed, over its budget of "
        f"{shell_size.CORE_GZIP_BUDGET:,} (docs/PERFORMANCE.md, issue 9): defer what only some "
        "people need (pwa/sw/deferred.js), or raise the budget there with a reason")
    # The split is real: pdf.js alone is most of the deferred bytes, and the core is compressed.
    assert parts["deferred"].gzip > core.gzip
    assert core.gzip < core.raw / 2


def test_the_budget_is_the_one_docs_performance_records() -> None:
    doc = (ROOT / "docs" / "PERFORMANCE.md").read_text(encoding="utf-8")
    section = doc.split("## Issue 9", 1)[1].split("\n## ", 1)[0]
    assert f"{shell_size.CORE_GZIP_BUDGET:,}" in section


def test_the_deferred_files_are_the_ones_only_some_people_need() -> None:
    files = shell_size.manifest_files()
    core, deferred = shell_size.split(files, shell_size.deferred_patterns())
    assert "/vendor/pdfjs/pdf.worker.js" in deferred and "/vendor/jsqr.js" in deferred
    assert "/i18n/ar.json" in deferred
    # English is the fallback every screen reads first, and the worker and the start page are
    # needed to start at all.
    for needed in ("/i18n/en.json", "/index.html", "/js/main.js", "/sw/router.js",
                   "/sw/deferred.js", "/crypto/sp1.js", "/vendor/argon2.js"):
        assert needed in core


def test_no_core_module_imports_a_deferred_file_statically() -> None:
    assert shell_size.core_imports_of_deferred() == []


def test_the_import_check_sees_static_imports_and_ignores_dynamic_ones() -> None:
    # What the check above relies on, on the forms the shell's modules use.
    found = shell_size.static_imports("/js/ui/x.js", "\n".join([
        'import { jsQR } from "../../vendor/jsqr.js";',
        'import {\n  a,\n  b,\n} from "./dom.js";',
        'import "/release.js";',
        'export * from "../../crypto/x.js";',
        'const m=1;import{q as r}from"./min.js";',
        'const lib = await import("../../vendor/pdfjs/pdf.js");',
        '// import "./commented.js" is only text, but a comment at line start is skipped',
    ]))
    assert found == {"/vendor/jsqr.js", "/js/ui/dom.js", "/release.js", "/crypto/x.js",
                     "/js/ui/min.js"}
    assert not re.search("pdfjs", " ".join(found))
