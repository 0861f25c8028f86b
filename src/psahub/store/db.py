"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL (distributed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
#: SQLite page cache per connection (KiB) and WAL size (pages) that triggers a checkpoint.
SQLITE_CACHE_KIB = 32 * 1024
SQLITE_CHECKPOINT_PAGES = 4000


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a generous busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # The mirror's indexes outgrow SQLite's 2 MiB default page cache at a few thousand
            # tickets; a sync then re-reads index pages for every page it writes.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            # Checkpoint the WAL every 16 MiB instead of 4: an index page written by many
            # commits is copied back once per checkpoint, so fewer checkpoints copy less.
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.close()

        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration that runs psahub's migrations on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with factory.begin() as session:
        yield session
