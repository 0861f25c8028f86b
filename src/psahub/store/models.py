"""The tables psahub owns. Every row belongs to an account (``account_id``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for statements that need no ORM bookkeeping (bulk writes)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class _SQLiteDateTime(sqlite.DATETIME):
    """SQLite's DATETIME with the same stored text, formatted by ``datetime.isoformat``.

    A sync binds five timestamps per mirrored record; SQLAlchemy's generic formatter takes
    about three times as long as ``isoformat`` for the identical string.
    """

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None]:
        """UTC datetimes (``UTCDateTime`` converts first) as ``YYYY-MM-DD HH:MM:SS.ffffff``."""

        def process(value: Any) -> str | None:
            if value is None:
                return None
            if not isinstance(value, datetime):
                raise TypeError(
                    f"SQLite DateTime type only accepts datetime objects, not {value!r}"
                )
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")

        return process


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """SQLite gets the faster formatter; every other database its own type."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLiteDateTime())  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model."""

    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class Account(Base):
    """One MSP using psahub."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    integrations: Mapped[list[Integration]] = relationship(back_populates="account")


class Integration(Base):
    """An account's connection to one HaloPSA instance: credentials, limits and health."""

    __tablename__ = "integrations"
    __table_args__ = (
        UniqueConstraint("account_id", "base_url", "tenant", name="uq_integration_instance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32), default="halopsa")
    server_type: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(500))
    tenant: Mapped[str] = mapped_column(String(200), default="")
    client_id: Mapped[str] = mapped_column(String(200))
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    secret_key_id: Mapped[str] = mapped_column(String(32))
    rate_limit_requests: Mapped[int] = mapped_column(Integer, default=300)
    rate_limit_window: Mapped[float] = mapped_column(Float, default=300.0)
    health: Mapped[str] = mapped_column(String(32), default="never_synced")
    sync_every: Mapped[int] = mapped_column(Integer, default=900)
    reconcile_every: Mapped[int] = mapped_column(Integer, default=86_400)
    next_sync_at: Mapped[datetime | None] = mapped_column(nullable=True)
    next_reconcile_at: Mapped[datetime | None] = mapped_column(nullable=True)
    preview_ready_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(back_populates="integrations")

    @property
    def api_url(self) -> str:
        """The Resource Server URL."""
        return f"{self.base_url}/api"

    def secret_context(self) -> dict[str, object]:
        """What the client secret's ciphertext is bound to."""
        return {"account": self.account_id, "integration": self.id, "field": "client_secret"}


_BigInt = BigInteger().with_variant(Integer(), "sqlite")


class MirrorRecord(Base):
    """One Halo record as received (``raw_json``) plus the typed columns psahub queries.

    Deleted records are tombstoned (``deleted_at``), never dropped.
    """

    __tablename__ = "mirror_records"
    __table_args__ = (
        UniqueConstraint("integration_id", "entity", "halo_id", name="uq_mirror_record"),
        # Covers the clients page's per-client figures, so they never read the wide rows.
        Index(
            "ix_mirror_client_cover",
            "integration_id",
            "entity",
            "client_id",
            "account_id",
            "deleted_at",
            "closed",
            "inactive",
            "amount",
        ),
        Index("ix_mirror_changed", "integration_id", "entity", "changed_at"),
        Index("ix_mirror_parent", "integration_id", "entity", "parent_id"),
    )

    id: Mapped[int] = mapped_column(_BigInt, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(Integer)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(32))
    halo_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str | None] = mapped_column(String(500))
    client_id: Mapped[int | None] = mapped_column(BigInteger)
    site_id: Mapped[int | None] = mapped_column(BigInteger)
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[float | None] = mapped_column(Float)
    occurred_at: Mapped[datetime | None] = mapped_column()
    changed_at: Mapped[datetime | None] = mapped_column()
    inactive: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    raw_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    actions_synced_for: Mapped[str | None] = mapped_column(String(64))


class SyncCheckpoint(Base):
    """Where one entity's sync stands; committed with the page it describes."""

    __tablename__ = "sync_checkpoints"
    __table_args__ = (UniqueConstraint("integration_id", "entity", name="uq_checkpoint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(32))
    cursor: Mapped[datetime | None] = mapped_column()
    full_done_at: Mapped[datetime | None] = mapped_column()
    pass_id: Mapped[str | None] = mapped_column(String(40))
    pass_kind: Mapped[str | None] = mapped_column(String(16))
    pass_from: Mapped[datetime | None] = mapped_column()
    pass_started_at: Mapped[datetime | None] = mapped_column()
    pass_max_changed: Mapped[datetime | None] = mapped_column()
    #: the highest mirror row id when a full pass began: rows above it were written by the
    #: pass itself, so they need no "seen" mark to survive its deletion check
    pass_floor_id: Mapped[int | None] = mapped_column(BigInteger)
    next_page: Mapped[int] = mapped_column(Integer, default=1)
    run_id: Mapped[int | None] = mapped_column(Integer)


class SyncSeen(Base):
    """Records a full pass has seen, so deletions can be found when it ends."""

    __tablename__ = "sync_seen"

    pass_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    halo_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class SyncRun(Base):
    """What one sync of one entity did: counts, timing, and the error with its fix."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_latest", "integration_id", "entity", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    pages: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    tombstoned: Mapped[int] = mapped_column(Integer, default=0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    record_count: Mapped[int | None] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Job(Base):
    """A unit of background work. The row is the truth; a queue only carries its id."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "status", "run_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A person who signs in to an account: owner, admin or viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ApiToken(Base):
    """A per-account token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
