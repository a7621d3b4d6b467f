"""attachments gain ``touched``: the UTC day an upload was last declared or given a part

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

``flask --app server uploads purge`` deletes incomplete uploads nobody has touched for days
(services/uploads.py). Uploads already on the server count as touched on the day of this
upgrade, so each gets the full grace period from then. The column stays nullable: adding a NOT
NULL column in place needs a default on SQLite, and recreating ``attachments`` there would
cascade into its chunks. Every row is written with a day; one without (none after this upgrade)
is never purged.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", recreate="never") as batch:
        batch.add_column(sa.Column("touched", sa.Date(), nullable=True))
    attachments = sa.table("attachments", sa.column("touched", sa.Date()))
    op.execute(attachments.update().values(touched=datetime.now(UTC).date()))


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; recreating ``attachments`` would cascade into its
    # chunks and record links.
    with op.batch_alter_table("attachments", recreate="never") as batch:
        batch.drop_column("touched")
