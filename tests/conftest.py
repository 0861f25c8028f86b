"""Shared fixtures: one sandbox server per test session, a fresh instance per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from psahub.sandbox.server import BackgroundSandbox
from tests.helpers import HaloInstance, unique_name


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
