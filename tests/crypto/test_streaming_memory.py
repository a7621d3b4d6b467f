"""Attachments stream in constant memory: a 20 MB file never sits in memory whole."""

from __future__ import annotations

import hashlib
import tempfile
import tracemalloc
from typing import Any

import spcrypto as S

SIZE = 20 * 1024 * 1024 + 12345
PEAK_LIMIT = 1024 * 1024  # bytes of Python allocations; a whole-file approach would need >= 20 MB


class _Source:
    """A readable file object that generates its bytes instead of storing them."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = bytes(range(256)) * 256  # 64 KiB pattern

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        self._left -= n
        return self._block[:n] if n <= len(self._block) else self._block * (n // len(self._block) + 1)[:n]


class _Sink:
    """A writable file object that only hashes what it receives."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.n = 0

    def write(self, data: Any) -> int:
        self.h.update(data)
        self.n += len(data)
        return len(data)


def test_encrypt_and_decrypt_20mb_in_constant_memory() -> None:
    cek = S.new_cek()
    with tempfile.TemporaryFile() as ct_file:
        tracemalloc.start()
        try:
            ref = S.encrypt_attachment(_Source(SIZE), ct_file, cek, SIZE)  # type: ignore[arg-type]
            _, enc_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            ct_file.seek(0)
            sink = _Sink()
            S.decrypt_attachment(ct_file, sink, cek, ref, SIZE)  # type: ignore[arg-type]
            _, dec_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert ref.ct_len == S.attachment_ct_len(SIZE)
    assert sink.n == SIZE
    expected = hashlib.sha256()
    src = _Source(SIZE)
    while chunk := src.read(65536):
        expected.update(chunk)
    assert sink.h.digest() == expected.digest()
    assert enc_peak < PEAK_LIMIT, f"encryption peak {enc_peak} B"
    assert dec_peak < PEAK_LIMIT, f"decryption peak {dec_peak} B"
