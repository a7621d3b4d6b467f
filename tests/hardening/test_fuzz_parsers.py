"""Layer 1 of the fuzz: every parser the server runs on client input, called directly. Each may
fail only with its documented error type (``ApiError`` for the API's readers, ``CryptoError``
subclasses for spcrypto's), never with anything else, and what it accepts is what it promises.
"""
from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import spcrypto
from hypothesis import example, given
from hypothesis import strategies as st
from spcrypto import CT_CHUNK, Envelope, FormatError

from server.api import parsing
from server.errors import ApiError
from server.services import accounts, invites, records, sessions, uploads
from tests.hardening.fuzzing import Tally, fuzz
from tests.hardening.strategies import (
    header_values,
    id_texts,
    json_values,
    mutated,
    nested,
    query_values,
    raw_bodies,
    texts,
)
from tests.server.factories import Delegate, make_keys

CALLS = Tally()


@pytest.fixture(autouse=True, scope="module")
def _report(tally: Tally) -> Iterator[None]:
    yield
    tally.cases += CALLS.cases


def _api_error(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a reader; an ApiError is a documented refusal (4xx), anything else fails the test."""
    CALLS.cases += 1
    try:
        return call(*args, **kwargs)
    except ApiError as exc:
        assert exc.code is not None and 400 <= exc.code < 500, exc.code
        return exc


def _crypto_error(call: Any, *args: Any) -> Any:
    """Run an spcrypto parser; only its own exception family may come out."""
    CALLS.cases += 1
    try:
        return call(*args)
    except spcrypto.CryptoError as exc:
        return exc


# -- the API's readers (server/api/parsing.py) --------------------------------------------------


@fuzz(150)
@given(raw=raw_bodies(), mimetype=st.sampled_from(["application/json", "application/json",
                                                    "text/plain", "", "application/jsonx"]))
@example(raw=b'{"wrap":{"x":"\\ud800"}}', mimetype="application/json")  # found: lone surrogate
@example(raw=b'{"x":"\xed\xa0\x80"}', mimetype="application/json")  # its UTF-8 bytes
@example(raw=b'{"a":1,"a":2}', mimetype="application/json")
@example(raw=nested(100000).encode(), mimetype="application/json")
def test_json_object_refuses_only_with_400_or_415(app, raw, mimetype) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/api/x", method="POST", data=raw, content_type=mimetype):
        result = _api_error(parsing.json_object)
    if isinstance(result, ApiError):
        assert result.code in (400, 415)
        return
    # What it accepts is a JSON object of Unicode text that re-encodes as UTF-8: no later
    # .encode("utf-8") (size checks, the database driver) can fail on it.
    assert isinstance(result, dict)
    json.dumps(result, ensure_ascii=False).encode("utf-8")


def test_json_object_at_every_depth_around_the_parsers_limit(app) -> None:  # type: ignore[no-untyped-def]
    # Hypothesis rarely lands exactly on the depth where parsing just succeeds and the next
    # recursive step (serialising a wrap, canonical JSON) just fails; walk every depth there.
    limit = sys.getrecursionlimit()
    refused = 0
    for depth in range(limit - 200, limit + 20):
        body = '{"records":[{"envelope":{},"wrap":{"a":' + nested(depth) + "}}]}"
        with app.test_request_context("/api/x", method="POST", data=body,
                                      content_type="application/json"):
            result = _api_error(parsing.json_object)
        refused += isinstance(result, ApiError)
        if not isinstance(result, ApiError):
            assert records.wrap_text(result["records"][0]["wrap"]) is None  # too big, not a crash
    assert refused > 0  # the walk reached depths the parser refuses


@fuzz(150)
@given(obj=json_values, key=st.sampled_from(["aid", "x"]),
       length=st.sampled_from([None, 16, 32, 64]))
@example(obj={"aid": "A" * 22}, key="aid", length=16)
@example(obj={"aid": "A" * 21 + "B"}, key="aid", length=16)
@example(obj={"aid": "A" * 6000}, key="aid", length=None)
def test_field_readers_refuse_only_with_invalid_request(obj, key, length) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(obj, dict):
        obj = {key: obj}
    got = _api_error(parsing.b64u, obj, key, length)
    if not isinstance(got, ApiError):
        assert spcrypto.b64u_encode(got) == obj[key]  # one spelling per byte string
        assert length is None or len(got) == length
    got = _api_error(parsing.text, obj, key, max_len=256)
    if not isinstance(got, ApiError):
        assert isinstance(got, str) and 0 < len(got) <= 256
    got = _api_error(parsing.integer, obj, key, lo=0, hi=parsing.MAX_INT)
    if not isinstance(got, ApiError):
        assert type(got) is int and 0 <= got <= parsing.MAX_INT
    _api_error(parsing.members, obj, "body", {key}, frozenset({"y"}))
    got = _api_error(parsing.small_object, obj.get(key), "wrap", 1024)
    if not isinstance(got, ApiError):
        assert len(json.dumps(got, separators=(",", ":"), ensure_ascii=False).encode()) <= 1024


@fuzz(120)
@given(value=id_texts, length=st.sampled_from([16, 32]))
def test_path_ids_are_canonical_base64url_or_refused(value, length) -> None:  # type: ignore[no-untyped-def]
    got = _api_error(parsing.path_id, value, length)
    if not isinstance(got, ApiError):
        assert spcrypto.b64u_encode(spcrypto.b64u_decode(got)) == got


@fuzz(100)
@given(raw=query_values)
@example(raw="١٢")  # Arabic-Indic digits: int() would take them, the API must not
@example(raw="99999999999999999999")
def test_query_numbers_are_ascii_digits_in_range(app, raw) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/api/records", query_string={"after": raw}):
        got = _api_error(parsing.query_int, "after", 0, lo=0, hi=parsing.MAX_INT)
    if not isinstance(got, ApiError):
        assert raw.isascii() and raw.isdigit() and got == int(raw) <= parsing.MAX_INT


# -- spcrypto's parsers, as the server calls them ------------------------------------------------


def _valid_envelope() -> tuple[Delegate, dict[str, Any], dict[str, Any]]:
    """A real signed record (and its parsed header) to mutate."""
    keys = make_keys()
    delegate = Delegate(None, "fuzz", "delegate", keys, "A" * 22, bytes(16), "", {})
    envelope = delegate.seal().envelope
    return delegate, envelope.to_json(), json.loads(envelope.hdr)


_DELEGATE, ENVELOPE, HEADER = _valid_envelope()
BUNDLE = spcrypto.verify_bundle(spcrypto.make_bundle(_DELEGATE.keys.identity, "A" * 22,
                                                     "delegate"))


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@fuzz(200)
@given(envelope=mutated(ENVELOPE, replacement=st.one_of(header_values, json_values)),
       header=mutated(HEADER, replacement=header_values), text=st.one_of(texts, id_texts))
@example(envelope=ENVELOPE, header={**HEADER, "att": [[[[]]]]}, text="")
@example(envelope=ENVELOPE, header={**HEADER, "seq": 2**53}, text="")
@example(envelope=ENVELOPE, header={**HEADER, "att": [{"aid": 1}]}, text="{")
def test_envelope_and_header_parsers_raise_only_crypto_errors(envelope, header, text) -> None:  # type: ignore[no-untyped-def]
    # The envelope as a client sent it, a mutated header (canonical-looking, and re-signed so
    # the signature is not the first thing to fail), and header text that is not JSON at all.
    for hdr in (_canonical(header), text, envelope.get("hdr") if isinstance(envelope, dict)
                else None):
        parsed = _crypto_error(spcrypto.parse_header, hdr)
        if isinstance(parsed, spcrypto.Header):
            assert parsed.text == hdr and parsed.seq >= 1
    got = _crypto_error(Envelope.from_json, envelope)
    if isinstance(got, Envelope):
        _crypto_error(spcrypto.verify_record, got, BUNDLE)
        _crypto_error(spcrypto.check_chain_link, None, got)
    hdr = _canonical(header)
    try:
        to_sign = Envelope(hdr, b"body", bytes(64)).to_sign
    except FormatError:  # not ASCII: no header at all, nothing to sign
        return
    resigned = Envelope(hdr, b"body", _DELEGATE.keys.identity.sign(to_sign))
    result = _crypto_error(spcrypto.verify_record, resigned, BUNDLE)
    if not isinstance(result, spcrypto.CryptoError):
        assert result.author == BUNDLE.kid
    _crypto_error(spcrypto.check_chain_link, None, resigned)


@fuzz(120)
@given(value=json_values, signed=mutated(spcrypto.make_bundle(_DELEGATE.keys.identity, "A" * 22,
                                                              "delegate")))
def test_bundle_card_wrap_and_kdf_parsers_raise_only_crypto_errors(value, signed) -> None:  # type: ignore[no-untyped-def]
    for candidate in (value, signed):
        _crypto_error(spcrypto.verify_bundle, candidate)
        _crypto_error(spcrypto.verify_card, candidate, BUNDLE)
        _crypto_error(spcrypto.verify_share, ENVELOPE["hdr"], candidate, BUNDLE)
        _crypto_error(spcrypto.check_kdf_policy, candidate if isinstance(candidate, str)
                      else json.dumps(candidate))
    _crypto_error(spcrypto.stream.AttachmentRef.from_json, value)


@fuzz(150)
@given(ct_len=st.one_of(st.integers(), st.integers(-5, 3 * CT_CHUNK), st.none(), st.booleans(),
                        st.floats(allow_nan=True), st.text(max_size=3)))
def test_attachment_length_check_is_total(ct_len) -> None:  # type: ignore[no-untyped-def]
    assert spcrypto.is_attachment_ct_len(ct_len) in (True, False)


# -- upload parts, invite tokens, usernames, session cookies -------------------------------------


class _Reads(io.RawIOBase):
    """A body stream that hands out ``data`` in short reads, like a slow connection."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__()
        self._data, self._step, self._at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self._step if n < 0 else min(n, self._step)
        out = self._data[self._at:self._at + n]
        self._at += len(out)
        return out


@fuzz(150)
@given(ct_len=st.sampled_from([16, 100, CT_CHUNK, CT_CHUNK + 17, 3 * CT_CHUNK, 20 * CT_CHUNK]),
       offset=st.integers(0, 3 * CT_CHUNK), size=st.integers(0, 3 * CT_CHUNK),
       declared=st.one_of(st.none(), st.integers(-1, 20 * CT_CHUNK)),
       step=st.sampled_from([1000, CT_CHUNK, 10**7]))
@example(ct_len=CT_CHUNK + 17, offset=CT_CHUNK, size=17, declared=17, step=CT_CHUNK)
@example(ct_len=CT_CHUNK + 17, offset=0, size=CT_CHUNK, declared=None, step=1000)
def test_upload_parts_are_whole_chunks_or_refused(app, ct_len, offset, size, declared, step) -> None:  # type: ignore[no-untyped-def]
    # Offsets from the API are whole chunks at or below ct_len (write_part checks the stored
    # offset first); the part reader checks the rest: alignment, length and the part limit.
    offset = min(offset // CT_CHUNK * CT_CHUNK, ct_len // CT_CHUNK * CT_CHUNK)
    if offset == ct_len:
        return  # a complete upload is refused before reading (409 upload-offset)
    with app.app_context():
        got = _api_error(uploads._read_part, _Reads(bytes(size), step), declared, offset,
                         ct_len)
    if isinstance(got, ApiError):
        assert got.api_code in ("invalid-request", "too-large")
        return
    total = sum(len(c) for c, _ in got)
    assert 0 < total <= min(size, ct_len - offset)
    assert all(len(c) == CT_CHUNK for c, _ in got[:-1])
    assert len(got[-1][0]) == CT_CHUNK or offset + total == ct_len


@fuzz(100)
@given(token=id_texts)
@example(token="A" * 43)
def test_invite_tokens_are_refused_as_one_answer(app, token) -> None:  # type: ignore[no-untyped-def]
    # Whatever the token, the answer is 400 (not a token) or 410 invite-invalid (no such invite):
    # never an error that tells a phisher more.
    with app.app_context():
        raw = _api_error(parsing.b64u, {"invite": token}, "invite", invites.TOKEN_LEN)
        if isinstance(raw, ApiError):
            assert raw.api_code == "invalid-request"
        else:
            got = _api_error(invites.peek, raw)
            assert isinstance(got, ApiError) and got.api_code == "invite-invalid"
        with pytest.raises(ValueError):
            invites.invite_url(token)


@fuzz(150)
@given(raw=st.one_of(texts, id_texts))
@example(raw="\ufdfa" * 20)  # NFKC makes 360 characters of each 20
@example(raw="ＡＢＣ")
def test_usernames_and_session_cookies(raw) -> None:  # type: ignore[no-untyped-def]
    name = _api_error(accounts.normalise_username, raw)
    if not isinstance(name, ApiError):
        assert accounts.USERNAME.fullmatch(name) and name.isascii()
    hashed = sessions._hash(raw)
    assert hashed is None or len(spcrypto.b64u_decode(hashed)) == 32
