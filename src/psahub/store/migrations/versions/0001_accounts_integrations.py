"""Accounts and their HaloPSA integrations.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create accounts and integrations."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "integrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("server_type", sa.String(16), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("secret_ciphertext", sa.Text, nullable=False),
        sa.Column("secret_key_id", sa.String(32), nullable=False),
        sa.Column("rate_limit_requests", sa.Integer, nullable=False),
        sa.Column("rate_limit_window", sa.Float, nullable=False),
        sa.Column("health", sa.String(32), nullable=False),
        sa.Column("last_report", sa.JSON, nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "base_url", "tenant", name="uq_integration_instance"),
    )


def downgrade() -> None:
    """Drop what upgrade created."""
    op.drop_table("integrations")
    op.drop_table("accounts")
