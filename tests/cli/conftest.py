"""The command line's environment: a private data folder, loopback allowed for the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from psahub.config import get_settings


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings as a user of the embedded mode has them, in a fresh data folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("PSAHUB_DATA_DIR", str(data))
    monkeypatch.delenv("PSAHUB_DATABASE_URL", raising=False)
    monkeypatch.delenv("PSAHUB_SECRET_KEYS", raising=False)
    monkeypatch.setenv("PSAHUB_ALLOW_HTTP", "true")
    monkeypatch.setenv("PSAHUB_ALLOW_LOOPBACK", "true")
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()
