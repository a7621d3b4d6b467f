"""Sealed files in Python (SPEC.md §17): round trips, tamper rejection, the KDF policy on both
sides, and the streaming variant the CLI uses. Argon2id runs at the §4 floor to stay fast;
the vectors (crypto/vectors/119–134) pin the bytes, these check the recipes around them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spcrypto as S
from spcrypto.account import KdfParams
from spcrypto.sealed import MAGIC

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FLOOR = KdfParams(t=2, m=19456, p=1, salt=os.urandom(16))


def _data(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _header(sealed: bytes) -> bytes:
    return sealed[len(MAGIC):].split(b"\n", 1)[0]


@FAST
@given(passphrase=st.text(min_size=1, max_size=40), size=st.integers(0, 2 * 65536 + 100),
       seed=st.integers(0, 2**32))
def test_any_passphrase_and_data_round_trip(passphrase: str, size: int, seed: int) -> None:
    data = _data(seed, size)
    sealed = S.seal_file(passphrase, data, FLOOR)
    assert sealed.startswith(MAGIC)
    assert len(sealed) == len(MAGIC) + len(_header(sealed)) + 1 + S.attachment_ct_len(size)
    assert S.open_sealed_file(passphrase, sealed) == data


# One two-chunk file, sealed once; each example flips one byte of it somewhere.
_PASS = "une phrase de passe — عبارة"
_PLAIN = _data(7, 65536 + 300)
_SEALED = S.seal_file(_PASS, _PLAIN, FLOOR)
_CT_START = len(MAGIC) + len(_header(_SEALED)) + 1


@FAST
@given(index=st.integers(0, len(_SEALED) - 1), mask=st.integers(1, 255))
def test_any_single_byte_change_is_refused(index: int, mask: int) -> None:
    bad = bytearray(_SEALED)
    bad[index] ^= mask
    # A change in the ciphertext is always an authentication failure; one in the magic or the
    # header may instead break its form or policy first, but never opens.
    expected = S.AuthError if index >= _CT_START else S.CryptoError
    with pytest.raises(expected):
        S.open_sealed_file(_PASS, bytes(bad))


def test_default_parameters_are_sp1s_and_salts_are_fresh() -> None:
    a, b = S.seal_file("p", b"same"), S.seal_file("p", b"same")
    assert a != b
    kdf = S.KdfParams.parse(json.loads(_header(a))["kdf"])
    assert (kdf.t, kdf.m, kdf.p) == (3, 65536, 1)
    assert S.open_sealed_file("p", a) == S.open_sealed_file("p", b) == b"same"


@pytest.mark.parametrize("kdf, error", [
    (KdfParams(t=2, m=8192, p=1, salt=os.urandom(16)), S.KdfPolicyError),  # below the floor
    (KdfParams(t=17, m=19456, p=1, salt=os.urandom(16)), S.KdfPolicyError),  # above the ceiling
    (KdfParams(t=2, m=19456, p=1, salt=os.urandom(8)), S.KdfPolicyError),  # short salt
])
def test_sealing_refuses_parameters_no_opener_would_accept(kdf: KdfParams, error: type) -> None:
    with pytest.raises(error):
        S.seal_file("p", b"x", kdf)


def test_sealing_refuses_an_empty_passphrase() -> None:
    with pytest.raises(S.FormatError):
        S.seal_file("", b"x", FLOOR)


@pytest.mark.parametrize("given_size", [9, 11])
def test_seal_stream_needs_exactly_size_bytes(given_size: int) -> None:
    with pytest.raises(S.FormatError):
        S.seal_stream("p", io.BytesIO(b"0123456789"), io.BytesIO(), given_size, FLOOR)


class _Trickle:
    """A pipe-like reader: never more than 999 bytes per read, like a socket or stdin."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(999 if n < 0 else min(n, 999))


def test_streams_open_from_short_reads_and_leave_nothing_unread() -> None:
    out = io.BytesIO()
    size = S.open_sealed_stream(_PASS, _Trickle(_SEALED), out)  # type: ignore[arg-type]
    assert size == len(_PLAIN) and out.getvalue() == _PLAIN


def test_header_line_is_bounded() -> None:
    # A file whose first line never ends is refused after 1024 header bytes, not read whole.
    endless = MAGIC + b"{" + b" " * 5000
    with pytest.raises(S.FormatError):
        S.open_sealed_file("p", endless)


class _Source:
    def __init__(self, size: int) -> None:
        self._left = size
        self._block = bytes(range(256)) * 256

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        self._left -= n
        return (self._block * (n // len(self._block) + 1))[:n]


class _Sink:
    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.n = 0

    def write(self, data: Any) -> int:
        self.h.update(data)
        self.n += len(data)
        return len(data)


def test_seal_and_open_stream_in_constant_memory(tmp_path: Any) -> None:
    size = 6 * 1024 * 1024 + 4321
    path = tmp_path / "bundle.sp1sealed"
    tracemalloc.start()
    try:
        with path.open("wb") as fout:
            S.seal_stream(_PASS, _Source(size), fout, size, FLOOR)  # type: ignore[arg-type]
        _, seal_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = _Sink()
        with path.open("rb") as fin:
            S.open_sealed_stream(_PASS, fin, sink)  # type: ignore[arg-type]
        _, open_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    expected = hashlib.sha256(_Source(size).read(size)).digest()
    assert sink.n == size and sink.h.digest() == expected
    assert seal_peak < 1024 * 1024, f"sealing peak {seal_peak} B"
    assert open_peak < 1024 * 1024, f"opening peak {open_peak} B"
