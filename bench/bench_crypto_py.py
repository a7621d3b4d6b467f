"""Python crypto benchmarks (issue 3 figures). Run: .venv/bin/python bench/bench_crypto_py.py

1. Streaming attachment encryption (STREAM + chunk hashing + Padmé) of 64 MiB, divided by raw
   AES-256-GCM over the same bytes in the same run: the goal is >= 0.7x.
2. argon2-cffi at the chosen SP1 parameters (64 MiB, t=3, p=1): the browser benchmark divides
   its hash-wasm time by this one.

Both figures are medians of several runs, measured in the same process. No assertions: timing
belongs in docs/PERFORMANCE.md, not in tests.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crypto"))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

import spcrypto as S  # noqa: E402
from spcrypto import _primitives as P  # noqa: E402
from spcrypto.account import DEFAULT_M, DEFAULT_P, DEFAULT_T  # noqa: E402

SIZE = 64 * 1024 * 1024
CHUNK = 65536
RUNS = 5


class _Null(io.RawIOBase):
    """Discard output so both sides measure crypto, not the page cache."""

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        return len(b)


def raw_aesgcm(data: memoryview, key: bytes) -> float:
    aead = AESGCM(key)
    t0 = time.perf_counter()
    for i in range(0, len(data), CHUNK):
        aead.encrypt((i // CHUNK).to_bytes(12, "big"), data[i : i + CHUNK], None)
    return time.perf_counter() - t0


def raw_aesgcm_sha256(data: memoryview, key: bytes) -> float:
    """The floor for SP1: the format must SHA-256 every ciphertext byte (the signed chunk hash)."""
    aead = AESGCM(key)
    t0 = time.perf_counter()
    for i in range(0, len(data), CHUNK):
        P.sha256(aead.encrypt((i // CHUNK).to_bytes(12, "big"), data[i : i + CHUNK], None))
    return time.perf_counter() - t0


def streaming(data: bytes, cek: bytes) -> float:
    t0 = time.perf_counter()
    S.encrypt_attachment(io.BytesIO(data), _Null(), cek, len(data))
    return time.perf_counter() - t0


def argon2_time() -> float:
    salt = os.urandom(16)
    t0 = time.perf_counter()
    P.argon2id(b"correct horse battery staple", salt, t=DEFAULT_T, m=DEFAULT_M, p=DEFAULT_P)
    return time.perf_counter() - t0


def main() -> None:
    data = os.urandom(SIZE)
    view = memoryview(data)
    key, cek = os.urandom(32), os.urandom(32)
    raw_aesgcm(view[: 8 * CHUNK], key)  # warm up
    raw = statistics.median(raw_aesgcm(view, key) for _ in range(RUNS))
    floor = statistics.median(raw_aesgcm_sha256(view, key) for _ in range(RUNS))
    stream = statistics.median(streaming(data, cek) for _ in range(RUNS))
    a2 = statistics.median(argon2_time() for _ in range(RUNS))
    mib = SIZE / 2**20
    print(f"{'measurement':<46} {'time':>9} {'MiB/s':>9}")
    print(f"{'raw AESGCM, 64 KiB chunks (baseline)':<46} {raw * 1000:>7.1f}ms {mib / raw:>9.0f}")
    print(f"{'spcrypto.encrypt_attachment (STREAM+hash+pad)':<46} {stream * 1000:>7.1f}ms {mib / stream:>9.0f}")
    print(f"{'raw AESGCM + SHA-256 per chunk (format floor)':<46} {floor * 1000:>7.1f}ms {mib / floor:>9.0f}")
    print(f"{'streaming / raw AESGCM ratio (goal >= 0.7)':<46} {raw / stream:>9.2f}x")
    print(f"{'streaming / format floor ratio':<46} {floor / stream:>9.2f}x")
    print(f"{f'argon2-cffi argon2id m={DEFAULT_M} t={DEFAULT_T} p={DEFAULT_P}':<46} {a2 * 1000:>7.1f}ms")
    print(f"(64 MiB of data, median of {RUNS} runs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
