"""Fixtures for psahub's Halo client: connection settings pointing at a sandbox instance."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from psahub.halo.budget import RollingWindowBudget
from psahub.halo.client import HaloClient, RetryPolicy
from psahub.halo.form import ConnectionSettings, validate_form
from psahub.security.url_guard import OutboundPolicy
from tests.helpers import HaloInstance

LOOPBACK = OutboundPolicy(allow_http=True, allow_loopback=True)
FAST = RetryPolicy(
    attempts=4, rate_limited_attempts=6, initial_wait=0.01, max_wait=0.05, rate_limit_pause=0.2
)


def settings_for(halo: HaloInstance, **fields: str) -> ConnectionSettings:
    """The instance's Connect values as psahub reads them, with some fields overridden."""
    values = {**halo.credentials, **fields}
    return validate_form(
        values["server_type"],
        values["client_id"],
        values["client_secret"],
        values["api_url"],
        values["tenant"],
    )


@pytest.fixture
def client_for() -> Iterator[Callable[..., HaloClient]]:
    """Make a HaloClient for an instance with a private budget and fast retries."""
    made: list[HaloClient] = []

    def make(halo: HaloInstance, **options: Any) -> HaloClient:
        options.setdefault("budget", RollingWindowBudget())
        options.setdefault("retry", FAST)
        client = HaloClient(settings_for(halo), LOOPBACK, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
