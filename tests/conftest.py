"""Shared fixtures: one sandbox server per test session, a fresh instance per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from psahub.config import Settings
from psahub.runtime import Runtime, open_runtime
from psahub.sandbox.server import BackgroundSandbox
from psahub.security.secrets import generate_key
from tests.helpers import HaloInstance, unique_name
from tests.mirroring import mirror_of

__all__ = ["mirror_of"]  # a fixture, shared by the sync, jobs and CLI tests


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[BackgroundSandbox]:
    with BackgroundSandbox() as server:
        yield server


@pytest.fixture(scope="session")
def admin(sandbox_server: BackgroundSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url, timeout=120) as client:
        yield client


@pytest.fixture
def make_instance(
    admin: httpx.Client, sandbox_server: BackgroundSandbox
) -> Iterator[Callable[..., HaloInstance]]:
    """Create sandbox instances (removed after the test); keyword arguments go to the admin API."""
    created: list[HaloInstance] = []

    def make(**body: Any) -> HaloInstance:
        body.setdefault("name", unique_name())
        body.setdefault("rate_limit", {"enabled": False})
        response = admin.post("/_sandbox/instances", json=body)
        assert response.status_code == 201, response.text
        instance = HaloInstance(
            sandbox_server.url, body["name"], response.json()["credentials"], admin
        )
        created.append(instance)
        return instance

    yield make
    for instance in created:
        admin.delete(f"/_sandbox/instances/{instance.name}")
        instance.http.close()


@pytest.fixture
def halo(make_instance: Callable[..., HaloInstance]) -> HaloInstance:
    """A tiny cloud instance set up exactly as the seed guide says."""
    return make_instance()


def _service_missing(what: str, error: Exception) -> None:
    """Skip on a laptop without the service; fail in CI, where skips are not allowed."""
    message = f"{what} is not available: {error}"
    if os.environ.get("PSAHUB_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    admin_url = os.environ.get(
        "PSAHUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"psahub_test_{os.getpid()}"
    try:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure means "no PostgreSQL here"
        _service_missing("PostgreSQL", error)
    yield str(make_url(admin_url).set(database=name))
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each supported kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'psahub.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield base


@pytest.fixture
def runtime(database_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """A migrated database, a key ring and a loopback-allowing policy, as the demo has."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_keys=[SecretStr(generate_key())],
        allow_http=True,
        allow_loopback=True,
    )
    rt = open_runtime(settings)
    yield rt
    rt.close()
