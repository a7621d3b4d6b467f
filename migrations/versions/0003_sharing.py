"""sharing: contact cards, shares (recipient wraps) with an inbox cursor, held alerts, and which
records name which attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

``record_attachments`` is filled for records stored before this revision from their headers
(the canonical JSON the server verified at push), so incidents synced under issue 5 can be
shared with their attachments. ``accounts.inbox_counter`` starts at 0 for existing accounts.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=32)
HASH = sa.String(length=64)
BACKFILL_BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("inbox_counter", sa.BigInteger(), server_default="0",
                                   nullable=False))
    op.create_table(
        "record_attachments",
        sa.Column("rid", ID, nullable=False),
        sa.Column("aid", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.ForeignKeyConstraint(["rid"], ["records.rid"], name="fk_record_attachments_record",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id", "aid"],
                                ["attachments.account_id", "attachments.aid"],
                                name="fk_record_attachments_attachment", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("rid", "aid"),
    )
    with op.batch_alter_table("record_attachments") as batch:
        batch.create_index("ix_record_attachments_aid", ["aid"], unique=False)
    op.create_table(
        "cards",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("sig", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_cards_account",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rid", ID, nullable=False),
        sa.Column("recipient_id", ID, nullable=False),
        sa.Column("by_kid", ID, nullable=False),
        sa.Column("wrap", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("recipient_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["rid"], ["records.rid"], name="fk_shares_record",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["accounts.id"], name="fk_shares_recipient",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_kid"], ["accounts.kid"], name="fk_shares_sharer",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rid", "recipient_id", name="uq_shares_rid_recipient"),
        sa.UniqueConstraint("recipient_id", "recipient_seq", name="uq_shares_recipient_seq"),
    )
    with op.batch_alter_table("shares") as batch:
        batch.create_index("ix_shares_by_kid", ["by_kid"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("dev", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("deadline_ms", sa.BigInteger(), nullable=True),
        sa.Column("token_hash", HASH, nullable=True),
        sa.Column("hdr", sa.LargeBinary(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("sig", sa.LargeBinary(), nullable=True),
        sa.Column("wrap", sa.Text(), nullable=True),
        sa.Column("shares", sa.Text(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("released_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_alerts_account",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "dev", name="uq_alerts_account_dev"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("alerts") as batch:
        batch.create_index("ix_alerts_account_id", ["account_id"], unique=False)
        batch.create_index("ix_alerts_deadline", ["deadline_ms"], unique=False)
    _backfill_record_attachments()


def _backfill_record_attachments() -> None:
    """One row per (record, attachment its header names), a batch of records at a time."""
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer()), sa.column("rid", ID),
                       sa.column("account_id", ID), sa.column("hdr", sa.LargeBinary()))
    links = sa.table("record_attachments", sa.column("rid", ID), sa.column("aid", ID),
                     sa.column("account_id", ID))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(records.c.id, records.c.rid, records.c.account_id, records.c.hdr)
            .where(records.c.id > last).order_by(records.c.id).limit(BACKFILL_BATCH)).all()
        if not rows:
            return
        found = [{"rid": row.rid, "aid": att["aid"], "account_id": row.account_id}
                 for row in rows for att in json.loads(bytes(row.hdr))["att"]]
        if found:
            conn.execute(sa.insert(links), found)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_deadline")
        batch.drop_index("ix_alerts_account_id")
    op.drop_table("alerts")
    with op.batch_alter_table("shares") as batch:
        batch.drop_index("ix_shares_by_kid")
    op.drop_table("shares")
    op.drop_table("cards")
    with op.batch_alter_table("record_attachments") as batch:
        batch.drop_index("ix_record_attachments_aid")
    op.drop_table("record_attachments")
    # SQLite (3.35+) drops a column in place; recreating ``accounts`` instead would drop the old
    # table, and with foreign keys on that cascades into every table that references it.
    with op.batch_alter_table("accounts", recreate="never") as batch:
        batch.drop_column("inbox_counter")
