"""Property tests: round trips, single-bit tamper rejection, nonce uniqueness (hypothesis)."""

from __future__ import annotations

import io
import os
import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spcrypto as S
import spcrypto._primitives as P
import spcrypto.stream as stream_mod
from spcrypto._encoding import b64u_decode, b64u_encode

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALICE = S.generate_identity()
RAFA = S.generate_identity()
ALICE_B = S.verify_bundle(S.make_bundle(ALICE, "u-a", "delegate"))
RAFA_B = S.verify_bundle(S.make_bundle(RAFA, "u-r", "focal-point"))
AK = S.generate_ak()


def _data(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _encrypt(cek: bytes, data: bytes) -> tuple[bytes, S.AttachmentRef]:
    out = io.BytesIO()
    ref = S.encrypt_attachment(io.BytesIO(data), out, cek, len(data))
    return out.getvalue(), ref


@FAST
@given(size=st.integers(0, 3 * 65536 + 17), seed=st.integers(0, 2**32))
def test_attachment_round_trip(size: int, seed: int) -> None:
    cek, data = S.new_cek(), _data(seed, size)
    ct, ref = _encrypt(cek, data)
    assert len(ct) == ref.ct_len == S.attachment_ct_len(size)
    out = io.BytesIO()
    S.decrypt_attachment(io.BytesIO(ct), out, cek, ref, size)
    assert out.getvalue() == data


@FAST
@given(size=st.integers(0, 3 * 65536 + 17), seed=st.integers(0, 2**32))
def test_keyless_checks_agree_with_the_encryptor(size: int, seed: int) -> None:
    """What a server checks without keys (§8.2): the length is one SP1 can produce, and the
    chunk hash recomputed from per-chunk digests is the one in the signed header."""
    ct, ref = _encrypt(S.new_cek(), _data(seed, size))
    assert S.is_attachment_ct_len(ref.ct_len)
    chunks = [ct[i:i + S.CT_CHUNK] for i in range(0, len(ct), S.CT_CHUNK)]
    assert S.chunk_hash(P.sha256(c) for c in chunks) == ref.hash
    assert S.chunk_hash(P.sha256(c) for c in reversed(chunks)) != ref.hash or len(chunks) == 1


def test_lengths_no_encoder_makes_are_refused() -> None:
    # Under one tag, negative, booleans, a full chunk plus a lone tag byte, beyond 2^53.
    for bad in (-1, 0, 15, True, S.CT_CHUNK + 1, 2**53 + 16):
        assert not S.is_attachment_ct_len(bad)
    assert S.is_attachment_ct_len(16) and S.is_attachment_ct_len(S.CT_CHUNK)


@FAST
@given(sizes=st.lists(st.integers(0, 70000), max_size=3), seed=st.integers(0, 2**32))
def test_incremental_encryptor_matches_any_split(sizes: list[int], seed: int) -> None:
    # However the caller slices its reads, the ciphertext is the same bytes.
    cek, data = S.new_cek(), _data(seed, sum(sizes))
    aid, salt = os.urandom(16), os.urandom(16)
    enc = S.AttachmentEncryptor(cek, len(data), aid=aid, salt=salt)
    parts, pos = [], 0
    for n in sizes:
        parts.append(enc.update(data[pos : pos + n]))
        pos += n
    parts.append(enc.finalize())
    whole = io.BytesIO()
    S.encrypt_attachment(io.BytesIO(data), whole, cek, len(data), aid=aid, salt=salt)
    assert b"".join(parts) == whole.getvalue()


def _seal(text: str, sizes: list[int], rcpt: bool) -> tuple[S.Envelope, dict[str, Any], bytes]:
    cek = S.new_cek()
    refs, att = [], []
    for i, n in enumerate(sizes):
        _, ref = _encrypt(cek, _data(i, n))
        refs.append(ref)
        att.append({"aid": b64u_encode(ref.aid), "size": n, "name": f"f{i}", "mime": "x/y"})
    body = {"ts": 1767225600000, "kind": "incident", "text": text, "att": att}
    env = S.seal_record(ALICE, cek, dev=os.urandom(16), seq=1, prev=bytes(32), body=body,
                        rcpt=[RAFA.kid] if rcpt else [], attachments=refs)
    return env, body, cek


@FAST
@given(text=st.text(max_size=3000), sizes=st.lists(st.integers(0, 5000), max_size=3), rcpt=st.booleans())
def test_record_round_trip(text: str, sizes: list[int], rcpt: bool) -> None:
    env, body, cek = _seal(text, sizes, rcpt)
    assert S.open_record(env, ALICE_B, S.wrap_for_owner(env.hdr, cek, AK), ak=AK).body == body
    wrap = S.wrap_for_recipient(env.hdr, cek, RAFA_B, ALICE)
    opened = S.open_record(S.Envelope.from_json(env.to_json()), ALICE_B, wrap, reader=RAFA, sharer=ALICE_B)
    assert opened.body == body and opened.header == S.parse_header(env.hdr)
    assert len(env.body) - 16 >= 1024  # the body floor (SPEC.md §6.4)


# -- every single-bit flip of every stored field is rejected -------------------------------

_CEK = S.new_cek()
_DATA = _data(7, 70000)
_ATT_CT, _ATT_REF = _encrypt(_CEK, _DATA)
_ENV = S.seal_record(
    ALICE, _CEK, dev=os.urandom(16), seq=1, prev=bytes(32),
    body={"ts": 1, "kind": "incident", "text": "t",
          "att": [{"aid": b64u_encode(_ATT_REF.aid), "size": len(_DATA), "name": "a", "mime": "b"}]},
    rcpt=[RAFA.kid], attachments=[_ATT_REF],
)
_OWNER = S.wrap_for_owner(_ENV.hdr, _CEK, AK)
_HPKE = S.wrap_for_recipient(_ENV.hdr, _CEK, RAFA_B, ALICE)


def _flip_bytes(data: bytes, pos: int) -> bytes:
    b = bytearray(data)
    b[(pos // 8) % len(b)] ^= 1 << (pos % 8)
    return bytes(b)


def _flip_b64(text: str, pos: int) -> str:
    return b64u_encode(_flip_bytes(b64u_decode(text), pos))


def _rejected(fn: Any) -> None:
    try:
        fn()
    except S.CryptoError:
        return
    raise AssertionError("tampered input was accepted")


@FAST
@given(pos=st.integers(0, 2**20))
def test_flip_in_header_is_rejected(pos: int) -> None:
    raw = _ENV.hdr.encode("ascii")
    hdr = _flip_bytes(raw, pos).decode("latin-1")
    env = S.Envelope(hdr, _ENV.body, _ENV.sig)
    _rejected(lambda: S.open_record(env, ALICE_B, _OWNER, ak=AK))


@FAST
@given(pos=st.integers(0, 2**24), field=st.sampled_from(["body", "sig"]))
def test_flip_in_body_or_sig_is_rejected(pos: int, field: str) -> None:
    j = _ENV.to_json()
    j[field] = _flip_b64(j[field], pos)
    _rejected(lambda: S.open_record(S.Envelope.from_json(j), ALICE_B, _OWNER, ak=AK))


@FAST
@given(pos=st.integers(0, 2**12), field=st.sampled_from(["n", "ct"]))
def test_flip_in_owner_wrap_is_rejected(pos: int, field: str) -> None:
    wrap = _OWNER | {field: _flip_b64(_OWNER[field], pos)}
    _rejected(lambda: S.open_record(_ENV, ALICE_B, wrap, ak=AK))


@FAST
@given(pos=st.integers(0, 2**12), field=st.sampled_from(["kid", "by", "ct", "sig"]))
def test_flip_in_hpke_wrap_is_rejected(pos: int, field: str) -> None:
    wrap = _HPKE | {field: _flip_b64(_HPKE[field], pos)}
    _rejected(lambda: S.open_record(_ENV, ALICE_B, wrap, reader=RAFA, sharer=ALICE_B))


@FAST
@given(pos=st.integers(0, 2**24))
def test_flip_in_attachment_is_rejected(pos: int) -> None:
    ct = _flip_bytes(_ATT_CT, pos)
    _rejected(lambda: S.decrypt_attachment(io.BytesIO(ct), io.BytesIO(), _CEK, _ATT_REF, len(_DATA)))


# -- nonces never repeat under one key ------------------------------------------------------


_REAL_AESGCM = P.AESGCM


class _RecordingAESGCM:
    """Stands in for AESGCM and logs every (key, nonce) used to encrypt."""

    log: list[tuple[bytes, bytes]] = []

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._inner = _REAL_AESGCM(key)

    def encrypt(self, nonce: bytes, data: bytes, ad: bytes | None) -> bytes:
        self.log.append((self._key, bytes(nonce)))
        return self._inner.encrypt(nonce, data, ad)

    def decrypt(self, nonce: bytes, data: bytes, ad: bytes | None) -> bytes:
        return self._inner.decrypt(nonce, data, ad)


@contextmanager
def _recording() -> Iterator[list[tuple[bytes, bytes]]]:
    _RecordingAESGCM.log = []
    with mock.patch.object(P, "AESGCM", _RecordingAESGCM), mock.patch.object(
        stream_mod, "AESGCM", _RecordingAESGCM
    ):
        yield _RecordingAESGCM.log


@settings(max_examples=10, deadline=None)
@given(n_records=st.integers(1, 4), sizes=st.lists(st.integers(0, 140000), min_size=1, max_size=3))
def test_nonces_never_repeat_under_one_key(n_records: int, sizes: list[int]) -> None:
    with _recording() as log:
        kek = os.urandom(32)
        S.wrap_ak(kek, os.urandom(16), AK)
        S.wrap_identity(ALICE, AK)
        for r in range(n_records):
            cek = S.new_cek()
            refs = [_encrypt(cek, _data(r * 10 + i, n))[1] for i, n in enumerate(sizes)]
            att = [{"aid": b64u_encode(x.aid), "size": n, "name": "a", "mime": "b"}
                   for x, n in zip(refs, sizes, strict=True)]
            env = S.seal_record(ALICE, cek, dev=os.urandom(16), seq=1, prev=bytes(32),
                                body={"ts": 1, "kind": "k", "att": att}, attachments=refs)
            S.wrap_for_owner(env.hdr, cek, AK)
    assert log, "the recorder saw no encryptions"
    assert len(set(log)) == len(log), "a nonce was reused under one key"


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=70), org=st.text(max_size=70))
def test_card_round_trip_or_format_error(name: str, org: str) -> None:
    # Any text either makes a card that verifies to its NFC form, or is refused as a FormatError.
    try:
        signed = S.make_card(RAFA, name, org)
    except S.FormatError:
        return
    card = S.verify_card(signed, RAFA_B)
    assert (card.kid, card.name, card.org) == (RAFA.kid, unicodedata.normalize("NFC", name),
                                               unicodedata.normalize("NFC", org))
    _rejected(lambda: S.verify_card(signed, ALICE_B))


@FAST
@given(pos=st.integers(0, 2**12), field=st.sampled_from(["card", "sig"]))
def test_flip_in_card_is_rejected(pos: int, field: str) -> None:
    signed = S.make_card(RAFA, "Mariam Núñez", "Réseau")
    if field == "card":
        raw = signed["card"].encode("ascii")
        tampered = signed | {"card": _flip_bytes(raw, pos).decode("latin-1")}
    else:
        tampered = signed | {"sig": _flip_b64(signed["sig"], pos)}
    _rejected(lambda: S.verify_card(tampered, RAFA_B))
