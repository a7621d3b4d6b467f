"""How much of the app shell a phone downloads, and when (issue 9, docs/PERFORMANCE.md).

Reads the built release manifest (pwa/release.js, from tools/build_release.py) and splits its
files as the service worker does (pwa/sw/deferred.js's DEFERRED patterns, read from that file so
there is one list): the *core*, precached at install, and the *deferred* files, fetched after
activation. Prints each part's size raw and as server/shell.py sends it (gzip -9 for the types it
compresses, as they are for the others), against the core's budget.

    .venv/bin/python tools/shell_size.py [PWA_DIR [CRYPTO_JS_DIR]]

Exits 1 if the core's compressed size is over the budget. tests/test_shell_budget.py runs the
same figures and also checks that no core module statically imports a deferred one (that module
would then be needed at start, before the background fill has fetched it).
"""
from __future__ import annotations

import gzip
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.shell import COMPRESSIBLE  # noqa: E402  (after the path fix above)

# The core's size on the wire (bytes, gzip as the server sends it): what a first visit must
# download before the app works offline. About 15 % above the size measured when it was set
# (2026-11-27: 332,069 bytes); raise it only with a line in docs/PERFORMANCE.md saying why.
CORE_GZIP_BUDGET = 382_000

# `export const DEFERRED = [` … `];` in deferred.js, one /regex/ literal per line.
_DEFERRED_BLOCK = re.compile(r"export const DEFERRED = \[(.*?)\];", re.S)
_REGEX_LITERAL = re.compile(r"^\s*/(.+)/,?\s*$", re.M)
# Static module dependencies: `import … from "x"`, `import "x"`, `export … from "x"` (also in
# minified code). A dynamic import("x") is not one: it runs when needed, as deferred files are.
_STATIC_IMPORT = re.compile(
    r"""(?:^|[;\s}])(?:import\s*(?:[\w$*{}\s,]+?\s*from\s*)?|export\s*(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s*)?from\s*)["']([^"']+)["']""",
    re.M,
)
# Comments that may mention an import: whole-line // comments and /* … */ blocks.
_COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.S | re.M)


@dataclass(frozen=True)
class Part:
    files: int
    raw: int
    gzip: int


def deferred_patterns(pwa_dir: Path = ROOT / "pwa") -> list[re.Pattern[str]]:
    """The service worker's DEFERRED patterns (JS regex literals that Python reads alike)."""
    text = (pwa_dir / "sw" / "deferred.js").read_text(encoding="utf-8")
    block = _DEFERRED_BLOCK.search(text)
    if block is None:
        raise SystemExit("pwa/sw/deferred.js: no `export const DEFERRED = [...]` list")
    patterns = [re.compile(p.replace(r"\/", "/")) for p in _REGEX_LITERAL.findall(block.group(1))]
    if not patterns:
        raise SystemExit("pwa/sw/deferred.js: DEFERRED lists no pattern")
    return patterns


def manifest_files(pwa_dir: Path = ROOT / "pwa") -> dict[str, str]:
    """URL path -> SHA-256 of every file of the built release (release.js's signed manifest)."""
    text = (pwa_dir / "release.js").read_text(encoding="ascii")
    release = json.loads(text.split("self.SP_RELEASE = ", 1)[1].rstrip().removesuffix(";"))
    files: dict[str, str] = json.loads(release["manifest"])["files"]
    return files


def source(url: str, pwa_dir: Path, crypto_js_dir: Path) -> Path:
    if url.startswith("/crypto/"):
        return crypto_js_dir / url.removeprefix("/crypto/")
    return pwa_dir / url.lstrip("/")


def split(files: dict[str, str], patterns: list[re.Pattern[str]]) -> tuple[list[str], list[str]]:
    """(core paths, deferred paths), as pwa/sw/deferred.js splitRelease does."""
    deferred = [p for p in files if any(pattern.search(p) for pattern in patterns)]
    return [p for p in files if p not in deferred], deferred


def sent_size(path: Path) -> int:
    """Bytes on the wire: gzip -9 as server/shell.py compresses, else the file as it is."""
    data = path.read_bytes()
    if path.suffix in COMPRESSIBLE:
        return len(gzip.compress(data, compresslevel=9, mtime=0))
    return len(data)


def measure(pwa_dir: Path = ROOT / "pwa", crypto_js_dir: Path = ROOT / "crypto" / "js") -> dict[str, Part]:
    files = manifest_files(pwa_dir)
    core, deferred = split(files, deferred_patterns(pwa_dir))
    parts = {}
    for name, paths in (("core", core), ("deferred", deferred), ("total", list(files))):
        sources = [source(p, pwa_dir, crypto_js_dir) for p in paths]
        parts[name] = Part(len(paths), sum(s.stat().st_size for s in sources),
                           sum(sent_size(s) for s in sources))
    return parts


def static_imports(url: str, text: str) -> set[str]:
    """The URL paths module `url` imports statically (relative and absolute specifiers)."""
    found = set()
    for spec in _STATIC_IMPORT.findall(_COMMENT.sub("", text)):
        if spec.startswith("/"):
            found.add(posixpath.normpath(spec))
        elif spec.startswith("."):
            found.add(posixpath.normpath(posixpath.join(posixpath.dirname(url), spec)))
    return found


def core_imports_of_deferred(pwa_dir: Path = ROOT / "pwa",
                             crypto_js_dir: Path = ROOT / "crypto" / "js") -> list[tuple[str, str]]:
    """(core module, deferred file) for every static import from the core of a deferred file."""
    files = manifest_files(pwa_dir)
    core, deferred = split(files, deferred_patterns(pwa_dir))
    wrong = []
    for url in core:
        if url.endswith((".js", ".mjs")):
            text = source(url, pwa_dir, crypto_js_dir).read_text(encoding="utf-8")
            wrong += [(url, dep) for dep in sorted(static_imports(url, text)) if dep in deferred]
    return wrong


def main(argv: list[str]) -> int:
    pwa_dir = Path(argv[0]) if argv else ROOT / "pwa"
    crypto_js_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "crypto" / "js"
    parts = measure(pwa_dir, crypto_js_dir)
    print(f"{'':<10}{'files':>6}{'raw bytes':>12}{'gzip -9':>12}")
    for name, part in parts.items():
        print(f"{name:<10}{part.files:>6}{part.raw:>12,}{part.gzip:>12,}")
    core = parts["core"].gzip
    verdict = "within" if core <= CORE_GZIP_BUDGET else "OVER"
    print(f"core on the wire: {core:,} bytes, {verdict} the budget of {CORE_GZIP_BUDGET:,} "
          f"({core / CORE_GZIP_BUDGET:.0%})")
    for module, dep in core_imports_of_deferred(pwa_dir, crypto_js_dir):
        print(f"warning: {module} statically imports the deferred {dep}")
    return 0 if core <= CORE_GZIP_BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
