"""A psahub mirror of a sandbox instance, and how to compare it with the source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from psahub.connections import connect
from psahub.halo.budget import RollingWindowBudget
from psahub.runtime import Runtime
from psahub.store.models import Integration, MirrorRecord
from psahub.sync.service import SyncReport, sync_integration
from tests.halo.conftest import FAST
from tests.helpers import HaloInstance

#: mirror entity -> (sandbox table, field compared besides the id)
SOURCES = {
    "clients": ("clients", "alastupdate"),
    "sites": ("sites", "slastupdate"),
    "users": ("users", "ulastupdate"),
    "tickets": ("tickets", "last_update"),
    "opportunities": ("opportunities", "last_update"),
    "crm_notes": ("crm_notes", "note"),
    "contracts": ("contracts", "periodchargeamount"),
    "suppliers": ("suppliers", "name"),
    "items": ("items", "baseprice"),
    "quotes": ("quotes", "total"),
    "invoices": ("invoices", "total"),
    "recurring_invoices": ("recurring_invoices", "total"),
    "licences": ("licences", "licences_in_use"),
    "assets": ("assets", "dlastupdate"),
    "asset_types": ("asset_types", "name"),
    "teams": ("teams", "name"),
    "ticket_types": ("ticket_types", "name"),
    "statuses": ("statuses", "name"),
    "priorities": ("priorities", "name"),
    "agents": ("agents", "name"),
}


@dataclass
class Mirror:
    """A connected integration of a sandbox instance, with helpers to sync and compare."""

    runtime: Runtime
    halo: HaloInstance
    integration_id: int
    budget: RollingWindowBudget

    def sync(self, **options: Any) -> SyncReport:
        options.setdefault("retry", FAST)
        options.setdefault("budget", self.budget)
        return sync_integration(self.runtime, self.integration_id, **options)

    def rows(self, entity: str, *, deleted: bool = False) -> dict[str, dict[str, Any]]:
        with self.runtime.sessions() as session:
            query = select(MirrorRecord.halo_id, MirrorRecord.raw_json).where(
                MirrorRecord.integration_id == self.integration_id,
                MirrorRecord.entity == entity,
                MirrorRecord.deleted_at.is_not(None)
                if deleted
                else MirrorRecord.deleted_at.is_(None),
            )
            return {key: orjson.loads(raw) for key, raw in session.execute(query)}

    def assert_matches_source(self, *entities: str) -> None:
        for entity in entities or tuple(SOURCES):
            table, field = SOURCES[entity]
            truth = {str(r["id"]): r for r in self.halo.truth(table)}
            mirrored = self.rows(entity)
            assert set(mirrored) == set(truth), f"{entity}: ids differ"
            for key, record in mirrored.items():
                assert record.get(field) == truth[key].get(field), f"{entity} {key}.{field}"

    def actions_of(self, ticket_id: int) -> list[dict[str, Any]]:
        rows = [r for key, r in self.rows("actions").items() if key.startswith(f"{ticket_id}:")]
        return sorted(rows, key=lambda r: r["id"])

    def set_limit(self, requests: int, window: float) -> None:
        with self.runtime.sessions.begin() as session:
            integration = session.get(Integration, self.integration_id)
            assert integration is not None
            integration.rate_limit_requests, integration.rate_limit_window = requests, window


MirrorOf = Callable[[HaloInstance], Mirror]


@pytest.fixture
def mirror_of(runtime: Runtime) -> Callable[[HaloInstance], Mirror]:
    """Connect psahub to a sandbox instance (with psahub's own rate limit out of the way)."""

    def make(halo: HaloInstance) -> Mirror:
        budget = RollingWindowBudget()
        result = connect(runtime, "acme", dict(halo.credentials), retry=FAST, budget=budget)
        assert result.integration_id is not None, result.report
        mirror = Mirror(runtime, halo, result.integration_id, budget)
        mirror.set_limit(100_000, 1.0)
        return mirror

    return make
