"""Settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from psahub.config import Settings


def test_defaults_use_a_sqlite_file_in_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSAHUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("PSAHUB_DATA_DIR", "somewhere")
    settings = Settings(_env_file=None)
    assert settings.data_dir == Path("somewhere")
    assert settings.effective_database_url == "sqlite:///somewhere/psahub.db"
    assert settings.mode == "embedded"


def test_database_url_and_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSAHUB_DATABASE_URL", "postgresql+psycopg://localhost/psahub")
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", " new-key , old-key ,")
    settings = Settings(_env_file=None)
    assert settings.effective_database_url == "postgresql+psycopg://localhost/psahub"
    assert [k.get_secret_value() for k in settings.secret_keys] == ["new-key", "old-key"]
    assert "new-key" not in repr(settings)


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSAHUB_MODE", "cluster")
    with pytest.raises(ValueError, match="embedded"):
        Settings(_env_file=None)
