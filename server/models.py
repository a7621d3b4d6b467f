"""What the relay stores. Every column is ciphertext, a public key, a hash, or routing metadata the
format deliberately exposes (see crypto/SPEC.md and docs/THREAT_MODEL.md); nothing here decrypts.

Conventions: binary values are unpadded base64url text (ids 22 characters, 32-byte values 43),
except ciphertext, which is stored raw. Times are as coarse as their feature allows and say so
in their names: ``*_ms`` columns are Unix milliseconds floored to the minute (invite expiry: to
the hour); dates are UTC days. No table holds an IP address, a user agent, a username or a
display name.

Every change here ships an Alembic revision; tests/migrations checks head == these models.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(32)  # b64u of 16 random bytes (22 characters)
HASH = String(64)  # b64u of a 32-byte hash or key (43 characters)


class Base(DeclarativeBase):
    pass


class Invite(Base):
    """A single-use invitation. Only the SHA-256 of the token is kept, so a database copy cannot
    be used to enrol; the row is deleted in the transaction that redeems it."""

    __tablename__ = "invites"

    token_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    expires_ms: Mapped[int] = mapped_column(BigInteger)


class Account(Base):
    """An enrolled vault: what the server needs to sign a user in and hand a new device its
    wrapped keys. The username is only its HMAC under the server's username key."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username_mac: Mapped[str] = mapped_column(HASH, unique=True)
    role: Mapped[str] = mapped_column(String(16))
    kdf: Mapped[str] = mapped_column(Text)  # canonical KDF block (SP1 §3.1), served at prelogin
    auth_hash: Mapped[str] = mapped_column(String(255))  # argon2-cffi PasswordHasher output
    vault_id: Mapped[str] = mapped_column(ID)
    wrapped_ak: Mapped[str] = mapped_column(Text)
    kid: Mapped[str] = mapped_column(ID, unique=True)
    sig_pub: Mapped[str] = mapped_column(HASH)
    enc_pub: Mapped[str] = mapped_column(HASH)
    wrapped_sig: Mapped[str] = mapped_column(Text)
    wrapped_enc: Mapped[str] = mapped_column(Text)
    bundle: Mapped[str] = mapped_column(Text)  # signed public bundle text (SP1 §5.3)
    bundle_sig: Mapped[str] = mapped_column(String(128))
    # The last cursor handed out; incremented under this row's lock with each stored record.
    record_counter: Mapped[int] = mapped_column(BigInteger, default=0)
    # The same for the shares addressed to this account (its inbox cursor).
    inbox_counter: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created: Mapped[date] = mapped_column(Date)


class Device(Base):
    """A device of an account, named by the SP1 ``dev`` id its records carry."""

    __tablename__ = "devices"

    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_devices_account", ondelete="CASCADE"),
        primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[date] = mapped_column(Date)
    last_sync: Mapped[date | None] = mapped_column(Date, nullable=True)


class AuthSession(Base):
    """A signed-in device. The cookie holds the token; this row holds only its SHA-256."""

    __tablename__ = "sessions"
    __table_args__ = (
        ForeignKeyConstraint(["account_id", "device_id"], ["devices.account_id", "devices.id"],
                             name="fk_sessions_device", ondelete="CASCADE"),
        Index("ix_sessions_device", "account_id", "device_id"),
    )

    token_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID)
    device_id: Mapped[str] = mapped_column(ID)
    csrf: Mapped[str] = mapped_column(HASH)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    seen_ms: Mapped[int] = mapped_column(BigInteger)


class Record(Base):
    """One sealed record envelope as the server received it, with the owner's wrap.

    Records are immutable and append-only; ``(author, dev, seq)`` is a per-device hash chain the
    server checks without keys, so it can refuse forks and gaps. ``account_seq`` is the pull
    cursor: a per-account counter assigned under the account row's lock.
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("author", "dev", "seq", name="uq_records_chain_position"),
        UniqueConstraint("account_id", "account_seq", name="uq_records_account_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rid: Mapped[str] = mapped_column(String(32), unique=True)
    author: Mapped[str] = mapped_column(String(32), index=True)
    dev: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hdr: Mapped[bytes] = mapped_column(LargeBinary)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sig: Mapped[bytes] = mapped_column(LargeBinary)
    received_ms: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_records_account", ondelete="CASCADE"))
    account_seq: Mapped[int] = mapped_column(BigInteger)
    wrap: Mapped[str] = mapped_column(Text)  # the owner wrap (SP1 §9.1), JSON, opaque here


class Attachment(Base):
    """An attachment upload: declared length and chunk hash (from the signed header), how far it
    got, and when it was found complete (its receipt time)."""

    __tablename__ = "attachments"

    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_attachments_account", ondelete="CASCADE"),
        primary_key=True)
    aid: Mapped[str] = mapped_column(ID, primary_key=True)
    ct_len: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(HASH)
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes stored, a chunk boundary
    complete_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The UTC day it was last declared or given a part (services/uploads.py purge_stale).
    # Revision 0004 fills it for older rows; a row without one would never be purged.
    touched: Mapped[date | None] = mapped_column(Date, nullable=True)


class AttachmentChunk(Base):
    """One SP1 ciphertext chunk (65552 bytes, the last one shorter) and its SHA-256, from which
    the attachment's chunk hash (SP1 §8.1) is computed without re-reading the data."""

    __tablename__ = "attachment_chunks"
    __table_args__ = (
        ForeignKeyConstraint(["account_id", "aid"], ["attachments.account_id", "attachments.aid"],
                             name="fk_attachment_chunks_attachment", ondelete="CASCADE"),
    )

    account_id: Mapped[str] = mapped_column(ID, primary_key=True)
    aid: Mapped[str] = mapped_column(ID, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))


class RecordAttachment(Base):
    """Which records name which attachment in their signed header. Versions of an incident keep
    its attachments, so one attachment can belong to several records; a recipient of a live share
    of any of them may download it."""

    __tablename__ = "record_attachments"
    __table_args__ = (
        ForeignKeyConstraint(["account_id", "aid"], ["attachments.account_id", "attachments.aid"],
                             name="fk_record_attachments_attachment", ondelete="CASCADE"),
        Index("ix_record_attachments_aid", "aid"),
    )

    rid: Mapped[str] = mapped_column(
        ID, ForeignKey("records.rid", name="fk_record_attachments_record", ondelete="CASCADE"),
        primary_key=True)
    aid: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID)


class Card(Base):
    """A focal point's or legal supporter's signed contact card (SP1 §5.4), served as is. The
    name inside is base64url text signed by the account's identity key."""

    __tablename__ = "cards"

    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_cards_account", ondelete="CASCADE"),
        primary_key=True)
    card: Mapped[str] = mapped_column(Text)
    sig: Mapped[str] = mapped_column(String(128))


class Share(Base):
    """One HPKE recipient wrap (SP1 §9.2) of one record for one account: a delivery.

    ``recipient_seq`` is the recipient's inbox cursor, a per-recipient counter assigned under the
    recipient's account row lock in the inserting transaction. Revoking deletes the row.
    """

    __tablename__ = "shares"
    __table_args__ = (
        UniqueConstraint("rid", "recipient_id", name="uq_shares_rid_recipient"),
        UniqueConstraint("recipient_id", "recipient_seq", name="uq_shares_recipient_seq"),
        Index("ix_shares_by_kid", "by_kid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rid: Mapped[str] = mapped_column(
        ID, ForeignKey("records.rid", name="fk_shares_record", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_shares_recipient", ondelete="CASCADE"))
    by_kid: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.kid", name="fk_shares_sharer", ondelete="CASCADE"))
    wrap: Mapped[str] = mapped_column(Text)  # the recipient wrap, JSON, checked keylessly
    created_ms: Mapped[int] = mapped_column(BigInteger)
    recipient_seq: Mapped[int] = mapped_column(BigInteger)


class Alert(Base):
    """A held alert (check-in timer or duress): a sealed record on a fresh device chain, with its
    owner wrap and recipient wraps, kept apart and undelivered until it is released.

    Released, it becomes an ordinary record and shares, and this row keeps only what the
    delegate's list shows (kind, deadline, when): the payload columns are emptied. The duress
    token is kept only as its SHA-256, so a database copy cannot release anything.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("account_id", "dev", name="uq_alerts_account_dev"),
        Index("ix_alerts_deadline", "deadline_ms"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # the record's rid
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", name="fk_alerts_account", ondelete="CASCADE"), index=True)
    dev: Mapped[str] = mapped_column(ID)  # the alert's own one-record chain
    kind: Mapped[str] = mapped_column(String(16))  # "checkin" | "duress"
    deadline_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # to the minute, up
    token_hash: Mapped[str | None] = mapped_column(HASH, nullable=True, unique=True)
    hdr: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sig: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    wrap: Mapped[str | None] = mapped_column(Text, nullable=True)  # the owner wrap
    shares: Mapped[str | None] = mapped_column(Text, nullable=True)  # [{"to": account, "wrap"}]
    created_ms: Mapped[int] = mapped_column(BigInteger)
    released_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
