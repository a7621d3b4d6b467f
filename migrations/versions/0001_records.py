"""records: the relay's append-only store of sealed envelopes

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rid", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=32), nullable=False),
        sa.Column("dev", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("hdr", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sig", sa.LargeBinary(), nullable=False),
        sa.Column("received_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rid"),
        sa.UniqueConstraint("entry_hash"),
        sa.UniqueConstraint("author", "dev", "seq", name="uq_records_chain_position"),
    )
    with op.batch_alter_table("records") as batch:
        batch.create_index("ix_records_author", ["author"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_index("ix_records_author")
    op.drop_table("records")
