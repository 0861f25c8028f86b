"""Widen the client index so per-client figures are read from the index alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = [
    "integration_id",
    "entity",
    "client_id",
    "account_id",
    "deleted_at",
    "closed",
    "inactive",
    "amount",
]


def upgrade() -> None:
    """Replace ix_mirror_client by a covering index with the same leading columns."""
    with op.batch_alter_table("mirror_records") as batch:
        batch.drop_index("ix_mirror_client")
        batch.create_index("ix_mirror_client_cover", _COLUMNS)


def downgrade() -> None:
    """Put the narrow index back."""
    with op.batch_alter_table("mirror_records") as batch:
        batch.drop_index("ix_mirror_client_cover")
        batch.create_index("ix_mirror_client", ["integration_id", "entity", "client_id"])
