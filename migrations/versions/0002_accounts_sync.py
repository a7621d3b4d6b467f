"""accounts, devices, sessions, invites, attachments; records gain an owner, a cursor and a wrap

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Before this revision no route could store a record, so ``records`` is empty wherever 0001 ran;
the new NOT NULL columns need no backfill. (On a non-empty table PostgreSQL refuses the upgrade
loudly rather than inventing owners.)
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=32)
HASH = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "invites",
        sa.Column("token_hash", HASH, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("username_mac", HASH, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kdf", sa.Text(), nullable=False),
        sa.Column("auth_hash", sa.String(length=255), nullable=False),
        sa.Column("vault_id", ID, nullable=False),
        sa.Column("wrapped_ak", sa.Text(), nullable=False),
        sa.Column("kid", ID, nullable=False),
        sa.Column("sig_pub", HASH, nullable=False),
        sa.Column("enc_pub", HASH, nullable=False),
        sa.Column("wrapped_sig", sa.Text(), nullable=False),
        sa.Column("wrapped_enc", sa.Text(), nullable=False),
        sa.Column("bundle", sa.Text(), nullable=False),
        sa.Column("bundle_sig", sa.String(length=128), nullable=False),
        sa.Column("record_counter", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username_mac"),
        sa.UniqueConstraint("kid"),
    )
    op.create_table(
        "devices",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.Column("last_sync", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_devices_account",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", HASH, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("csrf", HASH, nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("seen_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "device_id"], ["devices.account_id", "devices.id"],
                                name="fk_sessions_device", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("sessions") as batch:
        batch.create_index("ix_sessions_device", ["account_id", "device_id"], unique=False)
    op.create_table(
        "attachments",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("aid", ID, nullable=False),
        sa.Column("ct_len", sa.BigInteger(), nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_attachments_account",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "aid"),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("aid", ID, nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "aid"],
                                ["attachments.account_id", "attachments.aid"],
                                name="fk_attachment_chunks_attachment", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "aid", "idx"),
    )
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("account_id", ID, nullable=False))
        batch.add_column(sa.Column("account_seq", sa.BigInteger(), nullable=False))
        batch.add_column(sa.Column("wrap", sa.Text(), nullable=False))
        batch.create_foreign_key("fk_records_account", "accounts", ["account_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_unique_constraint("uq_records_account_seq", ["account_id", "account_seq"])


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_constraint("uq_records_account_seq", type_="unique")
        batch.drop_constraint("fk_records_account", type_="foreignkey")
        batch.drop_column("wrap")
        batch.drop_column("account_seq")
        batch.drop_column("account_id")
    op.drop_table("attachment_chunks")
    op.drop_table("attachments")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_device")
    op.drop_table("sessions")
    op.drop_table("devices")
    op.drop_table("accounts")
    op.drop_table("invites")
