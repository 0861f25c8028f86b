"""Sync tests without HaloPSA: a stored integration and a scripted client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from psahub.halo.entities import entity
from psahub.halo.errors import HaloError, Problem
from psahub.halo.transport import RequestStats
from psahub.runtime import Runtime
from psahub.store.models import Account, Integration
from psahub.sync.upsert import Scope

Answer = Callable[[str, dict[str, Any]], Any]


@dataclass
class ScriptedHalo:
    """Stands in for ``HaloClient``: answers ``get`` from a function, counts the calls."""

    answer: Answer
    stats: RequestStats = field(default_factory=RequestStats)
    server_time: None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def token(self) -> None:
        """No tokens here."""

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The scripted answer (or error) for this request."""
        query = dict(params or {})
        self.calls.append((path, query))
        self.stats.add(requests=1)
        return self.answer(path, query)


def server_error(what: str) -> HaloError:
    """The error the client raises after its retries on a 500."""
    return HaloError(f"HaloPSA failed on {what}", Problem.SERVER, status=500)


@pytest.fixture
def scope_for(runtime: Runtime) -> Callable[[str], Scope]:
    """A stored account and integration (never connected), and the scope of one entity."""
    with runtime.sessions.begin() as session:
        account = Account(slug="acme", name="Acme MSP")
        session.add(account)
        session.flush()
        integration = Integration(
            account_id=account.id,
            server_type="cloud",
            base_url="https://acme.halopsa.example",
            client_id="client",
            secret_ciphertext="unused",
            secret_key_id="unused",
        )
        session.add(integration)
        session.flush()
        ids = account.id, integration.id

    def make(name: str) -> Scope:
        return Scope(ids[0], ids[1], entity(name))

    return make
