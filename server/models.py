"""What the relay stores. Every column is ciphertext, a public key, or routing metadata the
format deliberately exposes (see crypto/SPEC.md and docs/THREAT_MODEL.md); nothing here decrypts.

Every change here ships an Alembic revision; tests/migrations checks head == these models.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Record(Base):
    """One sealed record envelope as the server received it.

    Records are immutable and append-only; ``(author, dev, seq)`` is a per-device hash chain the
    server checks without keys, so it can refuse forks and gaps.
    """

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("author", "dev", "seq", name="uq_records_chain_position"),)

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
