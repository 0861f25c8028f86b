"""Settings, read from the environment (prefix ``PSAHUB_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from psahub.security.url_guard import OutboundPolicy


class Settings(BaseSettings):
    """Everything psahub can be configured with.

    Every field maps to an environment variable: ``data_dir`` is ``PSAHUB_DATA_DIR`` and so on.
    """

    model_config = SettingsConfigDict(
        env_prefix="PSAHUB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Literal["embedded", "distributed"] = "embedded"
    data_dir: Path = Field(default=Path("data"), description="Folder for the embedded database.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file psahub.db in the data folder.",
    )
    secret_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Fernet keys for secrets at rest, comma separated, newest first.",
    )
    allow_http: bool = Field(False, description="Allow plain http:// HaloPSA URLs.")
    allow_loopback: bool = Field(False, description="Allow HaloPSA on this machine (demo).")
    allow_private_networks: bool = Field(
        False, description="Allow HaloPSA on private networks (on-premise installs)."
    )
    session_secret: SecretStr | None = Field(
        None, description="Signs login sessions; generated into the data folder when empty."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"

    @field_validator("secret_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def outbound_policy(self) -> OutboundPolicy:
        """Which HaloPSA addresses this deployment may call."""
        return OutboundPolicy(self.allow_http, self.allow_loopback, self.allow_private_networks)

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'psahub.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
