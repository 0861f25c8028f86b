"""Alembic environment: runs on the engine psahub hands over (or PSAHUB_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from psahub.config import get_settings
from psahub.store.db import make_engine
from psahub.store.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(get_settings().effective_database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
