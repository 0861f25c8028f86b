"""The command line's environment: a private data folder, loopback allowed for the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from psahub.cli import app
from psahub.config import get_settings
from tests.helpers import HaloInstance


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


@pytest.fixture
def connected(cli_env: Path, halo: HaloInstance) -> HaloInstance:
    """The sandbox instance, connected through ``psahub connect`` in the CLI environment."""
    c = halo.credentials
    result = CliRunner().invoke(
        app,
        [
            "connect",
            "--server-type",
            c["server_type"],
            "--client-id",
            c["client_id"],
            "--client-secret",
            c["client_secret"],
            "--api-url",
            c["api_url"],
            "--tenant",
            c["tenant"],
        ],
    )
    assert result.exit_code == 0, result.output
    return halo
