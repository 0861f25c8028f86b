"""What every entry point needs: settings, the migrated database and the key ring."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from psahub.config import Settings
from psahub.security.secrets import KeyRing, load_key_ring
from psahub.security.url_guard import OutboundPolicy
from psahub.store.db import make_engine, migrate, session_factory


@dataclass
class Runtime:
    """The process's database, sessions, keys and outbound policy."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyRing

    @property
    def policy(self) -> OutboundPolicy:
        """Which HaloPSA addresses may be called."""
        return self.settings.outbound_policy

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def open_runtime(settings: Settings, *, upgrade: bool = True) -> Runtime:
    """Connect to the database (migrating it to the latest schema) and load the keys."""
    engine = make_engine(settings.effective_database_url)
    if upgrade:
        migrate(engine)
    keys = load_key_ring(
        [k.get_secret_value() for k in settings.secret_keys],
        settings.data_dir,
        embedded=settings.mode == "embedded",
    )
    return Runtime(settings, engine, session_factory(engine), keys)
