"""Remember the highest mirror row id when a full pass begins.

Rows a full pass inserts are seen by it by definition, so only rows that existed before it
need a ``sync_seen`` mark; a first sync then writes no marks at all.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add sync_checkpoints.pass_floor_id (empty: passes already running mark every row)."""
    with op.batch_alter_table("sync_checkpoints") as batch:
        batch.add_column(sa.Column("pass_floor_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop the column; passes then mark every row they see again."""
    with op.batch_alter_table("sync_checkpoints") as batch:
        batch.drop_column("pass_floor_id")
