"""tools/build_release.py makes a release the Python verifier (and so the service worker)
accepts, with Subresource Integrity on index.html's entry module and stylesheet."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

import spcrypto as S
from spcrypto import b64u_decode

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("build_release", ROOT / "tools" / "build_release.py")
assert SPEC and SPEC.loader
build_release = importlib.util.module_from_spec(SPEC)
sys.modules["build_release"] = build_release  # dataclasses look their module up there
SPEC.loader.exec_module(build_release)


@pytest.fixture
def pwa(tmp_path: Path) -> Path:
    copy = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", copy, ignore=shutil.ignore_patterns("vendor"))
    return copy


def read_release_js(pwa: Path) -> tuple[bytes, bytes]:
    text = (pwa / "release.js").read_text()
    obj = json.loads(re.search(r"self\.SP_RELEASE = (\{.*\});", text).group(1))  # type: ignore[union-attr]
    return obj["manifest"].encode("ascii"), b64u_decode(obj["sig"], 64)


def test_build_signs_what_verify_release_accepts(pwa: Path, tmp_path: Path) -> None:
    key = tmp_path / "release.key"
    key.write_bytes(bytes(range(32)))
    printed = build_release.build(pwa, ROOT / "crypto" / "js", key.read_bytes())
    manifest, sig = read_release_js(pwa)
    public = S.release_public_key(key.read_bytes())
    release = S.verify_release(manifest, sig, [public])
    # Every shipped file is listed with its bytes' SHA-256; the generated files are not.
    assert release["files"]["/index.html"] == hashlib.sha256((pwa / "index.html").read_bytes()).hexdigest()
    assert release["files"]["/crypto/sp1.js"] == hashlib.sha256((ROOT / "crypto/js/sp1.js").read_bytes()).hexdigest()
    assert "/sw/release-check.js" in release["files"] and "/sw/router.js" in release["files"]
    assert not {"/release.js", "/service-worker.js", "/paused.html", "/retiring-worker.js"} & set(release["files"])
    assert release["keys"] == [S.b64u_encode(public)]
    assert printed.manifest_hash == S.release_manifest_hash(manifest)
    assert printed.key_id == S.release_key_id(public)
    # The worker's entry script names this release's version, so browsers always see an update.
    assert f"// Release {printed.version}\n" in (pwa / "service-worker.js").read_text()
    # A different key is not trusted.
    with pytest.raises(S.AuthError):
        S.verify_release(manifest, sig, [S.release_public_key(bytes(32))])


def test_index_html_carries_integrity_for_its_module_and_stylesheet(pwa: Path, tmp_path: Path) -> None:
    (pwa / "css" / "app.css").write_text((pwa / "css" / "app.css").read_text() + "\n/* changed */\n")
    build_release.build(pwa, ROOT / "crypto" / "js", bytes(32))
    html = (pwa / "index.html").read_text()
    tags = re.findall(r'<(?:script type="module" src|link rel="stylesheet" href)="([^"]+)" integrity="([^"]+)"', html)
    assert {url for url, _ in tags} == {"/js/main.js", "/css/app.css"}
    for url, integrity in tags:
        digest = base64.b64encode(hashlib.sha384((pwa / url.lstrip("/")).read_bytes()).digest()).decode()
        assert integrity == f"sha384-{digest}", url
    # Rebuilding changes nothing: the attribute is replaced, never added twice.
    build_release.build(pwa, ROOT / "crypto" / "js", bytes(32))
    assert (pwa / "index.html").read_text() == html


def test_the_committed_index_html_matches_the_files() -> None:
    # conftest builds the release at session start, so this is the tree the browser tests serve.
    html = (ROOT / "pwa" / "index.html").read_text()
    for url, integrity in re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', html):
        digest = base64.b64encode(hashlib.sha384((ROOT / "pwa" / url.lstrip("/")).read_bytes()).digest()).decode()
        assert integrity == f"sha384-{digest}", url


def test_a_key_file_must_be_32_raw_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"not a key")
    with pytest.raises(SystemExit):
        build_release.read_key(bad)


def test_the_service_worker_leaves_webcrypto_to_sp1() -> None:
    # The worker verifies releases through crypto/js/sp1.js; its own modules never call WebCrypto.
    sw = [ROOT / "pwa" / "sw" / name for name in ("router.js", "release-check.js")]
    assert all(p.exists() for p in sw)
    assert [p.name for p in sw if "subtle" in p.read_text()] == []
    assert 'from "/crypto/sp1.js"' in (ROOT / "pwa" / "sw" / "release-check.js").read_text()
