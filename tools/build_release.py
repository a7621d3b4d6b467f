"""Builds a signed release of the app shell (crypto/SPEC.md §19, docs/RELEASES.md).

1. Rewrites index.html so its module script and stylesheet carry ``integrity="sha384-…"``
   (before anything is hashed: the manifest lists the rewritten index.html).
2. Lists every file the shell ships with its SHA-256, and a version hashed from that list.
3. Signs the manifest with the release key and writes ``pwa/release.js``:
   ``self.SP_RELEASE = {"manifest": "<canonical JSON>", "sig": "<base64url>"};``
   The service worker imports it and installs a new version only if the signature verifies
   under the keys of the release it trusts and every file matches its hash.
4. Rewrites ``pwa/service-worker.js``, the worker's entry script (tracked, like index.html's
   SRI attributes: commit it with the files that changed it): it imports release.js and the
   router (pwa/sw/router.js) and names the version — the hash of the file list — so its own
   bytes change whenever a shipped file does. A release that changes only its keys or date
   must also change a shipped file (docs/RELEASES.md). Chromium does compare imported modules
   on an update check, but an update where only an imported module changed fails to start ("ServiceWorker cannot be started") when the
   worker's module graph has an ``export *`` cycle, as crypto/js's does (sp1.js re-exports
   record.js, which imports sp1.js). A changed entry script is always installed afresh.

The signing key is a raw 32-byte Ed25519 seed. Production releases are signed on the offline
release machine with ``--key FILE``; without it, a development key is used (and created on first
use, mode 0600) at ``instance/release-dev.key``, which is gitignored and differs per machine.

    .venv/bin/python tools/build_release.py [--key FILE] [--next-key B64U ...] [PWA_DIR [CRYPTO_JS_DIR]]

Prints the version, the manifest hash (publish it: users compare it with "About this app") and
the release key's fingerprint.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "crypto"))  # spcrypto, also when the package is not installed

from spcrypto import (  # noqa: E402  (after the path fix above)
    b64u_decode,
    b64u_encode,
    release_key_id,
    release_manifest_hash,
    release_public_key,
    sign_release,
    verify_release,
)

INSTANCE = Path(os.environ.get("SAFEPASSAGE_INSTANCE", ROOT / "instance"))
DEV_KEY = INSTANCE / "release-dev.key"
SHIPPED_SUFFIXES = {".html", ".js", ".css", ".json", ".webmanifest", ".png", ".svg", ".wasm"}
# release.js cannot list itself, nor the entry script that names its hash; the paused page and the retiring worker are served only while
# the kill switch is on (server/killswitch.py) and never belong to an installed version.
NOT_SHIPPED = {"release.js", "service-worker.js", "paused.html", "retiring-worker.js"}
# The tags of index.html that get Subresource Integrity. Modules they import are covered by the
# service worker's hash check instead (an import map with integrity would be inline script).
SRI_TAG = re.compile(r"""<(script|link)\b([^>]*?)\s*(/?)>""")
ATTR = re.compile(r"""\s([a-z-]+)="([^"]*)\"""")


@dataclass(frozen=True)
class Release:
    version: str
    manifest_hash: str
    key_id: str
    manifest: bytes
    sig: bytes


def group4(hex_text: str) -> str:
    """Hex in groups of four, as "About this app" shows it."""
    return " ".join(hex_text[i:i + 4] for i in range(0, len(hex_text), 4))


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers (a live server, a parallel test session) never see a half-written file."""
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _source(url: str, pwa_dir: Path, crypto_js_dir: Path) -> Path:
    if url.startswith("/crypto/"):
        return crypto_js_dir / url.removeprefix("/crypto/")
    return pwa_dir / url.lstrip("/")


def add_sri(pwa_dir: Path, crypto_js_dir: Path) -> None:
    """Give index.html's module script and stylesheet an integrity attribute for their bytes."""
    index = pwa_dir / "index.html"

    def rewrite(m: re.Match[str]) -> str:
        tag, attrs = m.group(1), dict(ATTR.findall(" " + m.group(2)))
        if ATTR.sub("", " " + m.group(2)).strip():
            raise SystemExit(f"index.html: write every attribute of <{tag}> as name=\"value\"")
        url = attrs.get("src") if tag == "script" else attrs.get("href")
        if not url or not url.startswith("/") or (tag == "link" and attrs.get("rel") != "stylesheet"):
            return m.group(0)
        digest = hashlib.sha384(_source(url, pwa_dir, crypto_js_dir).read_bytes()).digest()
        attrs["integrity"] = "sha384-" + base64.b64encode(digest).decode("ascii")
        return f"<{tag}" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + ">"

    _write_atomically(index, SRI_TAG.sub(rewrite, index.read_text(encoding="utf-8")).encode())


def shipped_files(pwa_dir: Path, crypto_js_dir: Path) -> dict[str, str]:
    """URL path -> SHA-256 hex of every file the shell serves."""
    files: dict[str, str] = {}
    for base, prefix in ((pwa_dir, "/"), (crypto_js_dir, "/crypto/")):
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base).as_posix()
            if not path.is_file() or path.suffix not in SHIPPED_SUFFIXES or rel in NOT_SHIPPED:
                continue
            if any(part.startswith(".") for part in path.relative_to(base).parts):
                continue
            files[prefix + rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def dev_key() -> bytes:
    """The development release key, created on first use (0600). Never for production."""
    if not DEV_KEY.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=INSTANCE, prefix=".release-dev.key.")  # mode 0600
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
        try:
            os.link(tmp, DEV_KEY)  # fails if a parallel build created it first: use that one
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return read_key(DEV_KEY)


def read_key(path: Path) -> bytes:
    seed = path.read_bytes()
    if len(seed) != 32:
        raise SystemExit(f"{path}: a release key file holds exactly 32 raw bytes (an Ed25519 seed)")
    return seed


def built_date() -> str:
    """Today (UTC), or SOURCE_DATE_EPOCH's day for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch
            else datetime.datetime.now(datetime.UTC))
    return when.strftime("%Y-%m-%d")


def build(pwa_dir: Path = ROOT / "pwa", crypto_js_dir: Path = ROOT / "crypto" / "js",
          key: bytes | None = None, next_keys: list[bytes] | None = None) -> Release:
    seed = key if key is not None else dev_key()
    public = release_public_key(seed)
    add_sri(pwa_dir, crypto_js_dir)
    files = shipped_files(pwa_dir, crypto_js_dir)
    listing = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    manifest = {
        "v": 1,
        "app": "safe-passage",
        "version": hashlib.sha256(listing).hexdigest()[:16],
        "built": built_date(),
        "files": files,
        # The keys the next release may be signed with: this one, unless rotating (RELEASES.md).
        "keys": [b64u_encode(k) for k in (next_keys or [public])],
    }
    text, sig = sign_release(seed, manifest)
    verify_release(text, sig, [public])  # never publish what the service worker would refuse
    release_js = (
        "// Generated by tools/build_release.py; do not edit. Imported by service-worker.js.\n"
        f"self.SP_RELEASE = {json.dumps({'manifest': text.decode('ascii'), 'sig': b64u_encode(sig)})};\n"
    )
    _write_atomically(pwa_dir / "release.js", release_js.encode("ascii"))
    manifest_hash = release_manifest_hash(text)
    entry = (
        "// Safe Passage service worker. Its code is the router, sw/router.js, which installs a\n"
        "// release only if release.js's signature and every file's hash verify (sw/release-check.js).\n"
        "// tools/build_release.py rewrites the release line below, so these bytes change whenever a\n"
        "// shipped file does and browsers always see the update (step 4 of build_release.py says why).\n"
        f"// Release {manifest['version']}\n"
        'import "/release.js";\n'
        'import "/sw/router.js";\n'
    )
    _write_atomically(pwa_dir / "service-worker.js", entry.encode("ascii"))
    return Release(manifest["version"], manifest_hash, release_key_id(public), text, sig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", type=Path, help="release key: a file of 32 raw bytes (Ed25519 seed); "
                    "default: the development key instance/release-dev.key")
    ap.add_argument("--next-key", action="append", default=[], metavar="B64U",
                    help="a public key (base64url) the next release may be signed with; repeat "
                    "for several (key rotation). Default: this release's own key")
    ap.add_argument("pwa_dir", nargs="?", type=Path, default=ROOT / "pwa")
    ap.add_argument("crypto_js_dir", nargs="?", type=Path, default=ROOT / "crypto" / "js")
    args = ap.parse_args(argv)
    key = read_key(args.key) if args.key else None
    next_keys = [b64u_decode(k, 32, what="--next-key") for k in args.next_key]
    release = build(args.pwa_dir, args.crypto_js_dir, key, next_keys)
    print("release", release.version)
    print("manifest", group4(release.manifest_hash))
    print("key", group4(release.key_id), "" if args.key else f"(development key {DEV_KEY})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
