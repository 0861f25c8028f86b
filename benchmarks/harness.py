"""What every benchmark does before it measures: a psahub on a scratch SQLite file, connected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from psahub.config import Settings
from psahub.connections import connect
from psahub.halo.budget import RateBudget
from psahub.runtime import Runtime
from psahub.security.secrets import generate_key
from psahub.store.models import Integration


def bench_settings(folder: Path, key: str | None = None) -> Settings:
    """Settings for a psahub whose data lives in ``folder`` and may call the loopback sandbox."""
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'psahub.db'}",
        data_dir=folder,
        secret_keys=[SecretStr(key or generate_key())],
        allow_http=True,
        allow_loopback=True,
    )


def connect_with_limit(
    runtime: Runtime,
    credentials: dict[str, Any],
    budget: RateBudget,
    requests: int,
    window: float,
) -> int:
    """Connect to the sandbox (the doctor runs) and set the integration's rate limit."""
    result = connect(runtime, "bench", credentials, budget=budget)
    if result.integration_id is None:
        raise RuntimeError(f"psahub could not connect to the sandbox: {result.report}")
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, result.integration_id)
        assert integration is not None
        integration.rate_limit_requests, integration.rate_limit_window = requests, window
    return result.integration_id
