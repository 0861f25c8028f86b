"""The tables psahub owns. Every row belongs to an account (``account_id``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of every model."""

    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


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
