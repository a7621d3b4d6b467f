"""Record envelopes, wraps, opening and per-device chains (SPEC.md §6, §9–11).

Public recipes draw randomness (rid, nonces, HPKE ephemeral keys) and call a deterministic
``_..._from_parts`` function that takes it as arguments; the vectors pin those.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _primitives as P
from ._encoding import (
    MAX_INT,
    SUITE,
    VERSION,
    b64u_decode,
    b64u_encode,
    canonical_dumps,
    dst,
    parse_versioned_canonical,
    strict_json_loads,
)
from .errors import AuthError, ChainError, FormatError
from .identity import KID_LEN, Bundle, Identity
from .padding import pad_body, unpad_body
from .stream import AttachmentRef, attachment_ct_len

__all__ = [
    "ChainHead",
    "Envelope",
    "Header",
    "OpenedRecord",
    "check_chain_link",
    "new_cek",
    "open_record",
    "parse_header",
    "seal_record",
    "unwrap_owner",
    "unwrap_recipient",
    "verify_chain",
    "verify_record",
    "verify_share",
    "wrap_for_owner",
    "wrap_for_recipient",
]

ID_LEN = 16
CEK_LEN = 32
ZERO_PREV = bytes(32)
_REQUIRED = frozenset(
    {"v", "suite", "typ", "rid", "author", "dev", "seq", "prev", "rcpt", "commit", "bn", "att"}
)
_OPTIONAL = frozenset({"supersedes"})


def new_cek() -> bytes:
    """A fresh random content-encryption key: one per record, shared by its attachments."""
    return os.urandom(CEK_LEN)


def _commit(cek: bytes) -> bytes:
    return P.hkdf(cek, info=dst("commit"))


def _body_key(cek: bytes) -> bytes:
    return P.hkdf(cek, info=dst("body"))


@dataclass(frozen=True)
class Header:
    """A parsed, canonical record header. ``text`` is the exact signed/authenticated text."""

    text: str
    rid: bytes
    author: bytes
    dev: bytes
    seq: int
    prev: bytes
    rcpt: tuple[bytes, ...]
    commit: bytes
    bn: bytes
    att: tuple[AttachmentRef, ...]
    supersedes: bytes | None

    @property
    def digest(self) -> bytes:
        return P.sha256(self.text.encode("ascii"))


def _sorted_unique(strings: list[str], what: str) -> None:
    # Sorted by the base64url string, not the decoded bytes: both languages sort strings natively.
    if any(a >= b for a, b in zip(strings, strings[1:], strict=False)):
        raise FormatError(f"{what}: not sorted or not unique")


def parse_header(text: object) -> Header:
    """Parse and check a header text in the order of SPEC.md §6.2.

    Raises FormatError or UnsupportedVersion.
    """
    if not isinstance(text, str):
        raise FormatError("header: expected text")
    obj = parse_versioned_canonical(text)
    keys = set(obj)
    if not _REQUIRED <= keys or not keys <= _REQUIRED | _OPTIONAL:
        raise FormatError("header: wrong members")
    if obj["typ"] != "sp.record":
        raise FormatError("header: wrong typ")
    seq = obj["seq"]
    if not isinstance(seq, int) or seq < 1:
        raise FormatError("header: seq must be a positive integer")
    prev = b64u_decode(obj["prev"], 32, what="header prev")
    if (prev == ZERO_PREV) != (seq == 1):
        raise FormatError("header: prev must be zero exactly when seq is 1")
    rcpt_s, att_j = obj["rcpt"], obj["att"]
    if not isinstance(rcpt_s, list) or not isinstance(att_j, list):
        raise FormatError("header: rcpt and att must be lists")
    rcpt = tuple(b64u_decode(r, KID_LEN, what="header rcpt") for r in rcpt_s)
    _sorted_unique(rcpt_s, "header rcpt")
    att = tuple(AttachmentRef.from_json(a) for a in att_j)
    _sorted_unique([a["aid"] for a in att_j], "header att")
    sup = obj.get("supersedes")
    return Header(
        text=text,
        rid=b64u_decode(obj["rid"], ID_LEN, what="header rid"),
        author=b64u_decode(obj["author"], KID_LEN, what="header author"),
        dev=b64u_decode(obj["dev"], ID_LEN, what="header dev"),
        seq=seq,
        prev=prev,
        rcpt=rcpt,
        commit=b64u_decode(obj["commit"], 32, what="header commit"),
        bn=b64u_decode(obj["bn"], P.NONCE_LEN, what="header bn"),
        att=att,
        supersedes=None if sup is None else b64u_decode(sup, ID_LEN, what="header supersedes"),
    )


def _header_text(
    *,
    rid: bytes,
    author: bytes,
    dev: bytes,
    seq: int,
    prev: bytes,
    rcpt: Sequence[bytes],
    commit: bytes,
    bn: bytes,
    att: Sequence[AttachmentRef],
    supersedes: bytes | None,
) -> str:
    obj: dict[str, Any] = {
        "att": sorted((a.to_json() for a in att), key=lambda a: str(a["aid"])),
        "author": b64u_encode(author),
        "bn": b64u_encode(bn),
        "commit": b64u_encode(commit),
        "dev": b64u_encode(dev),
        "prev": b64u_encode(prev),
        "rcpt": sorted(b64u_encode(r) for r in rcpt),
        "rid": b64u_encode(rid),
        "seq": seq,
        "suite": SUITE,
        "typ": "sp.record",
        "v": VERSION,
    }
    if supersedes is not None:
        obj["supersedes"] = b64u_encode(supersedes)
    text = canonical_dumps(obj)
    parse_header(text)  # a producer must never emit what its own verifier rejects
    return text


@dataclass(frozen=True)
class Envelope:
    """``{"hdr": <header text>, "body": b64u, "sig": b64u}`` (SPEC.md §6)."""

    hdr: str
    body: bytes = field(repr=False)
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"hdr": self.hdr, "body": b64u_encode(self.body), "sig": b64u_encode(self.sig)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Envelope:
        """Decode the transport form; raises FormatError. Other members are ignored."""
        if not isinstance(obj, Mapping) or not isinstance(obj.get("hdr"), str):
            raise FormatError("envelope: hdr must be a string")
        return cls(
            hdr=obj["hdr"],
            body=b64u_decode(obj.get("body"), what="envelope body"),
            sig=b64u_decode(obj.get("sig"), 64, what="envelope sig"),
        )

    @property
    def to_sign(self) -> bytes:
        return _to_sign(self.hdr, self.body)

    @property
    def entry_hash(self) -> bytes:
        """SHA-256(DST("entry") || to_sign || sig): the chain link and what receipts sign."""
        return P.sha256(dst("entry"), self.to_sign, self.sig)


def _to_sign(hdr: str, body: bytes) -> bytes:
    return dst("record") + _hdr_digest(hdr) + P.sha256(body)


def _check_body(body_json: bytes, header: Header) -> dict[str, Any]:
    """Parse the body (I-JSON, floats allowed) and check it against the header (SPEC.md §6.4)."""
    obj = strict_json_loads(body_json, ascii_only=False, allow_floats=True)
    if not isinstance(obj, dict):
        raise FormatError("body: not a JSON object")
    ts = obj.get("ts")
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts <= MAX_INT:
        raise FormatError("body: ts must be an integer (Unix ms)")
    if not isinstance(obj.get("kind"), str):
        raise FormatError("body: kind must be a string")
    body_att = obj.get("att", [])
    if not isinstance(body_att, list):
        raise FormatError("body: att must be a list")
    sizes: dict[str, int] = {}
    for item in body_att:
        if not isinstance(item, dict):
            raise FormatError("body: att items must be objects")
        aid, size = item.get("aid"), item.get("size")
        if not isinstance(aid, str) or not isinstance(size, int) or isinstance(size, bool):
            raise FormatError("body: att items need aid and size")
        if aid in sizes or not 0 <= size <= MAX_INT:
            raise FormatError("body: duplicate aid or bad size")
        sizes[aid] = size
    if set(sizes) != {b64u_encode(a.aid) for a in header.att}:
        raise FormatError("body: att does not list exactly the header's attachments")
    for a in header.att:
        if attachment_ct_len(sizes[b64u_encode(a.aid)]) != a.ct_len:
            raise FormatError("body: attachment size does not match the header's ct_len")
    return obj


def _seal_record_from_parts(
    author: Identity,
    cek: bytes,
    *,
    rid: bytes,
    dev: bytes,
    seq: int,
    prev: bytes,
    rcpt: Sequence[bytes],
    bn: bytes,
    att: Sequence[AttachmentRef],
    supersedes: bytes | None,
    body_json: bytes,
) -> Envelope:
    """Deterministic sealing: every random value is an argument (Fernet's _encrypt_from_parts)."""
    if len(cek) != CEK_LEN:
        raise FormatError("CEK must be 32 bytes")
    text = _header_text(
        rid=rid,
        author=author.kid,
        dev=dev,
        seq=seq,
        prev=prev,
        rcpt=rcpt,
        commit=_commit(cek),
        bn=bn,
        att=att,
        supersedes=supersedes,
    )
    _check_body(body_json, parse_header(text))
    body = P.aead_seal(_body_key(cek), bn, pad_body(body_json), text.encode("ascii"))
    return Envelope(text, body, author.sign(_to_sign(text, body)))


def seal_record(
    author: Identity,
    cek: bytes,
    *,
    dev: bytes,
    seq: int,
    prev: bytes,
    body: Mapping[str, Any],
    rcpt: Sequence[bytes] = (),
    attachments: Sequence[AttachmentRef] = (),
    supersedes: bytes | None = None,
) -> Envelope:
    """Encrypt and sign a record (SPEC.md §6). ``body`` needs ``ts`` (Unix ms) and ``kind``,
    and ``att`` entries ``{"aid", "size", "name", "mime"}`` for each attachment.

    Encrypt the attachments first, with the same ``cek``, and pass their refs. Then add wraps
    (wrap_for_owner, wrap_for_recipient) for every reader, including the author.
    """
    body_json = json.dumps(
        body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    return _seal_record_from_parts(
        author,
        cek,
        rid=os.urandom(ID_LEN),
        dev=dev,
        seq=seq,
        prev=prev,
        rcpt=rcpt,
        bn=os.urandom(P.NONCE_LEN),
        att=attachments,
        supersedes=supersedes,
        body_json=body_json,
    )


def verify_record(envelope: Envelope, author: Bundle) -> Header:
    """Keyless check (the server runs it): header canonical, author matches, signature valid.

    Raises FormatError, UnsupportedVersion or AuthError; returns the parsed header.
    """
    header = parse_header(envelope.hdr)
    if not P.ct_equal(header.author, author.kid):
        raise AuthError("record: author is not the given bundle's kid")
    P.ed25519_verify(author.sig_pub, envelope.sig, envelope.to_sign, what="record")
    return header


# -- wraps ---------------------------------------------------------------------------------


def _hdr_digest(hdr: object) -> bytes:
    """SHA-256 of the header text; wraps are bound to it. Non-ASCII text is no header at all."""
    if not isinstance(hdr, str) or not hdr.isascii():
        raise FormatError("header: expected ASCII text")
    return P.sha256(hdr.encode("ascii"))


def _owner_ad(hdr: str) -> bytes:
    return dst("cek-owner") + _hdr_digest(hdr)


def _wrap_for_owner_from_parts(hdr: str, cek: bytes, ak: bytes, nonce: bytes) -> dict[str, str]:
    ct = P.aead_seal(ak, nonce, cek, _owner_ad(hdr))
    return {"t": "ak", "n": b64u_encode(nonce), "ct": b64u_encode(ct)}


def wrap_for_owner(hdr: str, cek: bytes, ak: bytes) -> dict[str, str]:
    """The owner's copy of the CEK, under AK and bound to the header (SPEC.md §9.1)."""
    return _wrap_for_owner_from_parts(hdr, cek, ak, os.urandom(P.NONCE_LEN))


def _wrap_type(wrap: Mapping[str, Any], t: str, members: set[str]) -> None:
    if not isinstance(wrap, Mapping) or wrap.get("t") != t or set(wrap) != members:
        raise FormatError(f"wrap: not a well-formed {t!r} wrap")


def unwrap_owner(hdr: str, wrap: Mapping[str, Any], ak: bytes) -> bytes:
    """Return the CEK from an owner wrap; raises FormatError or AuthError."""
    _wrap_type(wrap, "ak", {"t", "n", "ct"})
    n = b64u_decode(wrap["n"], P.NONCE_LEN, what="wrap n")
    ct = b64u_decode(wrap["ct"], CEK_LEN + P.TAG_LEN, what="wrap ct")
    return P.aead_open(ak, n, ct, _owner_ad(hdr), what="owner wrap")


def _hpke_info(hdr: str, rkid: bytes) -> bytes:
    return dst("wrap-hpke") + _hdr_digest(hdr) + rkid


def _share_message(hdr: str, rkid: bytes, enc_ct: bytes) -> bytes:
    return dst("share") + _hdr_digest(hdr) + rkid + P.sha256(enc_ct)


def _attest_share(hdr: str, rkid: bytes, enc_ct: bytes, sharer: Identity) -> dict[str, str]:
    """Deterministic half of wrap_for_recipient: the sharer signs an already sealed wrap."""
    return {
        "t": "hpke",
        "kid": b64u_encode(rkid),
        "by": b64u_encode(sharer.kid),
        "ct": b64u_encode(enc_ct),
        "sig": b64u_encode(sharer.sign(_share_message(hdr, rkid, enc_ct))),
    }


def wrap_for_recipient(
    hdr: str, cek: bytes, recipient: Bundle, sharer: Identity
) -> dict[str, str]:
    """HPKE-wrap the CEK to a verified recipient bundle and sign the share (SPEC.md §9.2)."""
    parse_header(hdr)
    enc_ct = P.hpke_seal(recipient.enc_pub, _hpke_info(hdr, recipient.kid), cek)
    return _attest_share(hdr, recipient.kid, enc_ct, sharer)


_HPKE_MEMBERS = {"t", "kid", "by", "ct", "sig"}
_HPKE_CT_LEN = P.HPKE_ENC_LEN + CEK_LEN + P.TAG_LEN


def verify_share(hdr: str, wrap: Mapping[str, Any], sharer: Bundle) -> None:
    """Check the sharer's attestation on an HPKE wrap; raises FormatError or AuthError."""
    _wrap_type(wrap, "hpke", _HPKE_MEMBERS)
    rkid = b64u_decode(wrap["kid"], KID_LEN, what="wrap kid")
    by = b64u_decode(wrap["by"], KID_LEN, what="wrap by")
    enc_ct = b64u_decode(wrap["ct"], _HPKE_CT_LEN, what="wrap ct")
    sig = b64u_decode(wrap["sig"], 64, what="wrap sig")
    if not P.ct_equal(by, sharer.kid):
        raise AuthError("share: signed by someone other than the given sharer")
    P.ed25519_verify(sharer.sig_pub, sig, _share_message(hdr, rkid, enc_ct), what="share")


def unwrap_recipient(
    hdr: str, wrap: Mapping[str, Any], reader: Identity, sharer: Bundle
) -> bytes:
    """Verify the share attestation, then HPKE-open the CEK; raises FormatError or AuthError."""
    verify_share(hdr, wrap, sharer)
    rkid = b64u_decode(wrap["kid"], KID_LEN, what="wrap kid")
    if rkid != reader.kid:
        raise FormatError("wrap: addressed to another recipient")
    enc_ct = b64u_decode(wrap["ct"], _HPKE_CT_LEN, what="wrap ct")
    return P.hpke_open(reader.enc_priv, _hpke_info(hdr, rkid), enc_ct, what="recipient wrap")


# -- opening -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedRecord:
    header: Header
    body: dict[str, Any]
    body_json: bytes = field(repr=False)
    cek: bytes = field(repr=False)  # needed to decrypt the record's attachments
    entry_hash: bytes


def open_record(
    envelope: Envelope,
    author: Bundle,
    wrap: Mapping[str, Any] | None = None,
    *,
    ak: bytes | None = None,
    reader: Identity | None = None,
    sharer: Bundle | None = None,
    cek: bytes | None = None,
) -> OpenedRecord:
    """Verify and decrypt a record in the order of SPEC.md §10.

    Pass an owner wrap with ``ak``, an HPKE wrap with ``reader`` and ``sharer`` (the bundle of
    the wrap's ``by``), or no wrap and a disclosed ``cek`` (evidence export). Raises
    FormatError, UnsupportedVersion or AuthError; never returns unverified plaintext.
    """
    header = verify_record(envelope, author)
    if wrap is not None and wrap.get("t") == "ak" and ak is not None:
        cek = unwrap_owner(envelope.hdr, wrap, ak)
    elif wrap is not None and wrap.get("t") == "hpke" and reader is not None and sharer is not None:
        cek = unwrap_recipient(envelope.hdr, wrap, reader, sharer)
    elif wrap is not None or cek is None:
        raise FormatError("open_record: wrap type and keys do not match")
    # Key commitment before decryption: AES-GCM accepts crafted ciphertexts under two keys.
    if len(cek) != CEK_LEN or not P.ct_equal(_commit(cek), header.commit):
        raise AuthError("record: key commitment mismatch")
    padded = P.aead_open(
        _body_key(cek), header.bn, envelope.body, envelope.hdr.encode("ascii"), what="record body"
    )
    body_json = unpad_body(padded)
    body = _check_body(body_json, header)
    return OpenedRecord(header, body, body_json, cek, envelope.entry_hash)


# -- chains --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    author: bytes
    dev: bytes
    seq: int
    entry_hash: bytes


def check_chain_link(head: ChainHead | None, envelope: Envelope) -> ChainHead:
    """Check that ``envelope`` extends ``head`` exactly (None = the chain's start); the server's
    incremental rule. Returns the new head; raises ChainError (or FormatError for bad headers).
    """
    h = parse_header(envelope.hdr)
    if head is None:
        if h.seq != 1:
            raise ChainError("chain: gap (does not start at seq 1)")
    else:
        if (h.author, h.dev) != (head.author, head.dev):
            raise ChainError("chain: record belongs to another chain")
        if h.seq <= head.seq:
            raise ChainError("chain: fork (seq already used)")
        if h.seq != head.seq + 1:
            raise ChainError("chain: gap")
        if not P.ct_equal(h.prev, head.entry_hash):
            raise ChainError("chain: prev is not the previous entry hash")
    return ChainHead(h.author, h.dev, h.seq, envelope.entry_hash)


def verify_chain(
    envelopes: Iterable[Envelope],
    heads: Mapping[tuple[bytes, bytes], ChainHead] | None = None,
) -> dict[tuple[bytes, bytes], ChainHead]:
    """Check every (author, dev) chain in a set of records (SPEC.md §11).

    ``heads`` gives known starting points; chains without one must start at seq 1. Returns the
    final head of each chain. Raises ChainError on a fork, gap or broken link. Signatures are
    not checked here (verify_record does that).
    """
    groups: dict[tuple[bytes, bytes], list[tuple[int, Envelope]]] = {}
    for env in envelopes:
        h = parse_header(env.hdr)
        groups.setdefault((h.author, h.dev), []).append((h.seq, env))
    result: dict[tuple[bytes, bytes], ChainHead] = {}
    for key, items in groups.items():
        # The same record listed twice (same entry hash) is one record; two different records
        # with one seq are a fork.
        by_seq: dict[int, Envelope] = {}
        for seq, env in items:
            seen = by_seq.setdefault(seq, env)
            if seen is not env and not P.ct_equal(seen.entry_hash, env.entry_hash):
                raise ChainError("chain: fork (two records with the same seq)")
        items = sorted(by_seq.items(), key=lambda item: item[0])
        head = (heads or {}).get(key)
        for _, env in items:
            head = check_chain_link(head, env)
        assert head is not None  # nosec B101  # narrowing: under -O the next use fails closed
        result[key] = head
    return result
