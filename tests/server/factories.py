"""Real SP1 material for server tests, built with spcrypto exactly as a client would.

``enrolled_account(client)`` redeems a fresh invite and returns a ``Delegate``: a small
page-object-like helper that seals records on its device chain, uploads attachments and talks
to the API with its session and CSRF token. Nothing here mocks the cipher — the server checks
real signatures, chains and chunk hashes.
"""
from __future__ import annotations

import io
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import spcrypto
from spcrypto import AttachmentRef, Envelope, KdfParams
from spcrypto import b64u_encode

from server.services.invites import create_invite

# SP1 §4's floor: the cheapest parameters the server accepts, so tests stay fast while running
# the real derivation.
FLOOR = {"t": 2, "m": 19456, "p": 1}
CHUNK = 65552
_names = itertools.count(1)


def b64(data: bytes) -> str:
    return b64u_encode(data)


@dataclass
class Keys:
    """What lives on a delegate's device: nothing here is ever sent except auth_key (and the
    wrapped forms)."""

    passphrase: str
    ask: bytes
    kdf: KdfParams
    auth_key: bytes
    ak: bytes
    vault_id: bytes
    wrapped_ak: bytes
    identity: spcrypto.Identity


def make_keys(passphrase: str = "correct horse battery staple") -> Keys:
    ask = spcrypto.generate_ask()
    kdf = KdfParams(salt=secrets.token_bytes(16), **FLOOR)
    derived = spcrypto.derive_account_keys(passphrase, kdf, ask)
    ak, vault_id = spcrypto.generate_ak(), secrets.token_bytes(16)
    return Keys(passphrase, ask, kdf, derived.auth_key, ak, vault_id,
                spcrypto.wrap_ak(derived.kek, vault_id, ak), spcrypto.generate_identity())


def enrolment_body(invite: str, username: str, role: str, keys: Keys, account_id: bytes,
                   device: bytes) -> dict[str, Any]:
    wrapped = spcrypto.wrap_identity(keys.identity, keys.ak)
    return {
        "invite": invite,
        "username": username,
        "account": {
            "id": b64(account_id),
            "kdf": keys.kdf.to_text(),
            "auth_key": b64(keys.auth_key),
            "vault_id": b64(keys.vault_id),
            "wrapped_ak": b64(keys.wrapped_ak),
            "identity": {"kid": b64(keys.identity.kid), "sig_pub": b64(keys.identity.sig_pub),
                         "enc_pub": b64(keys.identity.enc_pub), "wrapped_sig": b64(wrapped["sig"]),
                         "wrapped_enc": b64(wrapped["enc"])},
            "bundle": spcrypto.make_bundle(keys.identity, b64(account_id), role),
        },
        "device": b64(device),
    }


def new_invite(client, role: str = "delegate", hours: int | None = None) -> str:  # type: ignore[no-untyped-def]
    with client.application.app_context():
        return create_invite(role, hours)


@dataclass
class Attachment:
    data: bytes
    ref: AttachmentRef
    ct: bytes

    @property
    def aid(self) -> str:
        return b64(self.ref.aid)

    def declaration(self) -> dict[str, Any]:
        return {"aid": self.aid, "ct_len": self.ref.ct_len, "hash": b64(self.ref.hash)}


@dataclass
class Sealed:
    envelope: Envelope
    wrap: dict[str, str]
    attachments: list[Attachment] = field(default_factory=list)
    cek: bytes = field(default=b"", repr=False)
    shares: list[dict[str, str]] = field(default_factory=list)  # recipient wraps pushed with it

    @property
    def rid(self) -> str:
        return b64(spcrypto.parse_header(self.envelope.hdr).rid)

    @property
    def hdr(self) -> str:
        return self.envelope.hdr

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"envelope": self.envelope.to_json(), "wrap": self.wrap}
        if self.shares:
            item["shares"] = self.shares
        return item


def encrypt(data: bytes, cek: bytes) -> Attachment:
    out = io.BytesIO()
    ref = spcrypto.encrypt_attachment(io.BytesIO(data), out, cek, len(data))
    return Attachment(data, ref, out.getvalue())


@dataclass
class Delegate:
    """One enrolled account, signed in on one device through one test client."""

    client: Any
    username: str
    role: str
    keys: Keys
    account_id: str
    device: bytes
    csrf: str
    answer: dict[str, Any]
    heads: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)

    # -- HTTP ----------------------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})},
                                **kw)

    def put_part(self, aid: str, offset: int, data: bytes, **kw: Any) -> Any:
        return self.client.put(f"/api/uploads/{aid}?offset={offset}", data=data,
                               content_type="application/octet-stream",
                               headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(url, json=json, headers={**self.headers, **kw.pop("headers", {})},
                               **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def sign_in(self, device: bytes | None = None) -> Any:
        """Sign in again (from ``device``, default this one); adopts the new session."""
        response = self.client.post("/api/auth/signin", json={
            "username": self.username, "auth_key": b64(self.keys.auth_key),
            "device": b64(device or self.device)})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf"]
            self.device = device or self.device
        return response

    # -- records -------------------------------------------------------------------------------

    def seal(self, files: tuple[bytes, ...] = (), *, dev: bytes | None = None,
             seq: int | None = None, prev: bytes | None = None, kind: str = "incident",
             text: str = "note", borrowed: tuple[Attachment, ...] = (),
             to: tuple[Delegate, ...] = (), body: dict[str, Any] | None = None,
             cek: bytes | None = None, supersedes: str | None = None) -> Sealed:
        """A new record on ``dev``'s chain (default: this device, next position), with its
        attachments encrypted under the record's key (``borrowed`` ones are named in the header
        as they are, e.g. someone else's — or an earlier version's, with its ``cek``). ``to``:
        recipients, named in the header's ``rcpt`` and wrapped to in ``shares``. ``body``: more
        body members. The chain head advances immediately."""
        dev = dev or self.device
        head_seq, head_entry = self.heads.get(dev, (0, bytes(32)))
        seq = head_seq + 1 if seq is None else seq
        prev = head_entry if prev is None else prev
        cek = cek or spcrypto.new_cek()
        atts = [encrypt(data, cek) for data in files] + list(borrowed)
        full = {"ts": int(time.time() * 1000), "kind": kind, "text": text, **(body or {}),
                "att": [{"aid": a.aid, "size": len(a.data), "name": f"file{i}.bin",
                         "mime": "application/octet-stream"} for i, a in enumerate(atts)]}
        envelope = spcrypto.seal_record(
            self.keys.identity, cek, dev=dev, seq=seq, prev=prev, body=full,
            rcpt=[r.keys.identity.kid for r in to],
            attachments=sorted((a.ref for a in atts), key=lambda r: b64(r.aid)),
            supersedes=None if supersedes is None else spcrypto.b64u_decode(supersedes, 16))
        if seq == head_seq + 1:
            self.heads[dev] = (seq, envelope.entry_hash)
        sealed = Sealed(envelope, spcrypto.wrap_for_owner(envelope.hdr, cek, self.keys.ak), atts,
                        cek)
        sealed.shares = [self.wrap_for(sealed, r) for r in to]
        return sealed

    # -- sharing (docs/sharing-contract.md) ------------------------------------------------------

    @property
    def kid(self) -> str:
        return b64(self.keys.identity.kid)

    @property
    def bundle(self) -> spcrypto.Bundle:
        return spcrypto.verify_bundle(self.answer["account"]["bundle"])

    def wrap_for(self, sealed: Sealed, recipient: Delegate, cek: bytes | None = None
                 ) -> dict[str, str]:
        """An HPKE wrap of ``sealed``'s key for ``recipient``, attested by this account (the
        record may be someone else's: re-sharing needs only its key)."""
        return spcrypto.wrap_for_recipient(sealed.hdr, cek or sealed.cek, recipient.bundle,
                                           self.keys.identity)

    def share(self, *pairs: tuple[Sealed, Delegate]) -> Any:
        """``POST /api/shares``: wrap each record to each recipient."""
        return self.post("/api/shares", {"shares": [
            {"rid": sealed.rid, "wrap": self.wrap_for(sealed, to)} for sealed, to in pairs]})

    def revoke(self, sealed: Sealed, recipient: Delegate) -> Any:
        return self.delete(f"/api/shares/{sealed.rid}/{recipient.kid}")

    def inbox(self, after: int = 0, limit: int | None = None) -> Any:
        query = f"?after={after}" + (f"&limit={limit}" if limit else "")
        return self.get(f"/api/inbox{query}")

    def inbox_items(self) -> list[dict[str, Any]]:
        response = self.inbox()
        assert response.status_code == 200, response.get_json()
        return list(response.get_json()["items"])

    def open(self, item: dict[str, Any]) -> spcrypto.OpenedRecord:
        """Verify and decrypt an inbox item as its recipient would (SP1 §10)."""
        return spcrypto.open_record(
            Envelope.from_json(item["envelope"]), spcrypto.verify_bundle(item["author"]),
            item["wrap"], reader=self.keys.identity,
            sharer=spcrypto.verify_bundle(item["sharer"]))

    def put_card(self, name: str, org: str = "") -> Any:
        return self.put("/api/directory/card", spcrypto.make_card(self.keys.identity, name, org))

    # -- alerts ------------------------------------------------------------------------------------

    def seal_alert(self, text: str, to: tuple[Delegate, ...], *, alert: str = "checkin",
                   deadline: int | None = None, dev: bytes | None = None, seq: int = 1) -> Sealed:
        """An ``sp.alert`` record alone in a fresh device chain, wrapped to ``to``."""
        dev = dev or secrets.token_bytes(16)
        body: dict[str, Any] = {"alert": alert, "from": "Delegate"}
        if deadline is not None:
            body["deadline"] = deadline
        prev = bytes(32) if seq == 1 else secrets.token_bytes(32)
        return self.seal(dev=dev, seq=seq, prev=prev, kind="sp.alert", text=text, to=to,
                         body=body)

    def hold(self, sealed: Sealed, *, deadline: int | None = None,
             token: bytes | None = None) -> Any:
        """``POST /api/alerts``: a check-in alert with ``deadline``, or a duress one with
        ``token``."""
        body: dict[str, Any] = {"envelope": sealed.envelope.to_json(), "wrap": sealed.wrap,
                                "shares": sealed.shares}
        if token is None:
            body.update(kind="checkin", deadline=deadline)
        else:
            body.update(kind="duress", token=b64(token))
        return self.post("/api/alerts", body)

    def alerts(self) -> list[dict[str, Any]]:
        response = self.get("/api/alerts")
        assert response.status_code == 200, response.get_json()
        return list(response.get_json()["alerts"])

    def push(self, *sealed: Sealed) -> Any:
        return self.post("/api/records", {"records": [s.item() for s in sealed]})

    def push_ok(self, *sealed: Sealed) -> list[dict[str, Any]]:
        for s in sealed:
            for att in s.attachments:
                self.upload(att)
        response = self.push(*sealed)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]

    def pull(self, after: int = 0, limit: int | None = None) -> Any:
        query = f"?after={after}" + (f"&limit={limit}" if limit else "")
        return self.get(f"/api/records{query}")

    # -- attachments ---------------------------------------------------------------------------

    def declare(self, att: Attachment) -> Any:
        return self.post("/api/uploads", att.declaration())

    def upload(self, att: Attachment, part: int = 16 * CHUNK) -> dict[str, Any]:
        """Declare and upload every part from the server's offset; the final state."""
        state = self.declare(att).get_json()
        offset = state["offset"]
        while offset < att.ref.ct_len:
            response = self.put_part(att.aid, offset, att.ct[offset:offset + part])
            assert response.status_code == 200, response.get_json()
            state = response.get_json()
            offset = state["offset"]
        return state


def enrolled_account(client, role: str = "delegate", username: str | None = None,  # type: ignore[no-untyped-def]
                     keys: Keys | None = None) -> Delegate:
    """Enrol a new account through ``client`` (which then holds its session cookie)."""
    username = username or f"delegate{next(_names)}-{secrets.token_hex(3)}"
    keys = keys or make_keys()
    account_id, device = secrets.token_bytes(16), secrets.token_bytes(16)
    body = enrolment_body(new_invite(client, role), username, role, keys, account_id, device)
    response = client.post("/api/auth/enrol", json=body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    return Delegate(client, username, role, keys, b64(account_id), device, answer["csrf"], answer)
