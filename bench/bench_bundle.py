"""Offline verifier benchmark (issue 7). Run: .venv/bin/python bench/bench_bundle.py

A case bundle (tests/support/bundle_maker.py: two versions of a report, its consent, a
referral, an opening, a note, a working copy and the signed export) whose photo and PDF are
made SIZE_MIB each, verified by `spcrypto.bundle.verify_bundle`, against two baselines measured
in the same run on the same bytes:

1. "hash only": read every ZIP entry and SHA-256 it — the least any verifier must do;
2. "hash + decrypt": that, plus raw AES-256-GCM decryption of the attachment ciphertext in
   64 KiB chunks — the least a verifier that proves plaintext == signed ciphertext must do.

Medians of RUNS runs. No assertions: the figures go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "crypto"))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from spcrypto.bundle import verify_bundle  # noqa: E402
from tests.support import bundle_maker  # noqa: E402

SIZE_MIB = 16
RUNS = 5
CT_CHUNK = 65536 + 16


def hash_only(data: bytes) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            hashlib.sha256(z.read(info)).digest()
    return time.perf_counter() - start


def hash_and_decrypt(data: bytes) -> float:
    aead = AESGCM(os.urandom(32))
    nonce = bytes(12)
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            body = z.read(info)
            hashlib.sha256(body).digest()
            if info.filename.endswith(".sp1"):
                # Encrypt-then-decrypt would double the work; decrypting random bytes fails the
                # tag, so time the encryption of the same amount instead (AES-GCM is symmetric
                # in cost).
                view = memoryview(body)
                for i in range(0, len(view), CT_CHUNK):
                    aead.encrypt(nonce, view[i:i + CT_CHUNK - 16], None)
    return time.perf_counter() - start


def verify(data: bytes) -> float:
    start = time.perf_counter()
    report = verify_bundle(data)
    elapsed = time.perf_counter() - start
    if report.failures:
        raise SystemExit("the benchmark bundle does not verify: " + report.failures[0].line)
    return elapsed


def main() -> None:
    bundle_maker.PHOTO = os.urandom(SIZE_MIB << 20)
    bundle_maker.PDF = os.urandom(SIZE_MIB << 20)
    made = bundle_maker.build_evidence_bundle(working_copy=True)
    data = made.zip
    baseline = statistics.median(hash_only(data) for _ in range(RUNS))
    floor = statistics.median(hash_and_decrypt(data) for _ in range(RUNS))
    ours = statistics.median(verify(data) for _ in range(RUNS))
    size = len(data) / (1 << 20)
    print(f"bundle: {size:.1f} MiB, {len(made.files)} files")
    print(f"hash only        {baseline * 1000:8.1f} ms  ({size / baseline:6.1f} MiB/s)")
    print(f"hash + decrypt   {floor * 1000:8.1f} ms  ({size / floor:6.1f} MiB/s)")
    print(f"safepassage verify {ours * 1000:6.1f} ms  ({size / ours:6.1f} MiB/s)")
    print(f"verify / hash only      = {ours / baseline:.2f}x")
    print(f"verify / hash + decrypt = {ours / floor:.2f}x")


if __name__ == "__main__":
    main()
