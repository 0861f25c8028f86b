"""Syncing a whole integration: every entity in order, then its health and next schedule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from psahub.connections import stored_settings
from psahub.halo.budget import Limit, RateBudget, shared_budget
from psahub.halo.client import HaloClient, RetryPolicy
from psahub.halo.entities import BY_NAME, ENTITIES, Entity
from psahub.runtime import Runtime
from psahub.store.models import Integration, utcnow
from psahub.sync.actions import sync_actions
from psahub.sync.engine import EntityResult, EntitySync, ProgressFn
from psahub.sync.health import Health, derive_health, latest_runs
from psahub.sync.upsert import Scope


@dataclass
class SyncReport:
    """What a sync of an integration did, entity by entity."""

    integration_id: int
    results: list[EntityResult] = field(default_factory=list)
    health: Health = Health.NEVER_SYNCED

    @property
    def ok(self) -> bool:
        """No entity failed."""
        return all(r.status != "failed" for r in self.results)


def plan(entities: Sequence[str] | None = None) -> list[Entity]:
    """The entities to sync, in order: the preview (clients and lookups) first, actions last.

    Raises:
        KeyError: naming the unknown entity and listing the known ones.
    """
    if entities:
        unknown = [n for n in entities if n not in BY_NAME]
        if unknown:
            raise KeyError(f"unknown entity {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    wanted = set(entities or BY_NAME)
    ordered = (
        [e for e in ENTITIES if e.preview]
        + [e for e in ENTITIES if not e.preview and not e.per_ticket]
        + [e for e in ENTITIES if e.per_ticket]
    )
    return [e for e in ordered if e.name in wanted]


def make_client(
    runtime: Runtime,
    integration: Integration,
    *,
    budget: RateBudget | None = None,
    retry: RetryPolicy | None = None,
    **options: Any,
) -> HaloClient:
    """A client for a stored integration, drawing on its instance's shared budget."""
    return HaloClient(
        stored_settings(runtime, integration),
        runtime.policy,
        budget=budget or shared_budget(),
        limit=Limit(integration.rate_limit_requests, integration.rate_limit_window),
        retry=retry,
        **options,
    )


def sync_integration(
    runtime: Runtime,
    integration_id: int,
    *,
    full: bool = False,
    entities: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    actions_progress: Callable[[int, int], None] | None = None,
    budget: RateBudget | None = None,
    retry: RetryPolicy | None = None,
    actions_workers: int = 4,
    **client_options: Any,
) -> SyncReport:
    """Sync the integration's entities (all, or the named ones) and record its health."""
    order = plan(entities)
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            raise LookupError(f"there is no integration {integration_id}")
        integration.health = Health.SYNCING.value
        account_id = integration.account_id
        client = make_client(runtime, integration, budget=budget, retry=retry, **client_options)
    report = SyncReport(integration_id)
    try:
        for item in order:
            if item.per_ticket:
                actions = sync_actions(
                    runtime.sessions,
                    account_id,
                    integration_id,
                    client,
                    workers=actions_workers,
                    progress=actions_progress,
                )
                report.results.append(actions)
            else:
                scope = Scope(account_id, integration_id, item)
                result = EntitySync(
                    runtime.sessions, scope, client, full=full, progress=progress
                ).run()
                report.results.append(result)
                if result.problem == "credentials":
                    break  # nothing else can work with these credentials
            if item.preview and all(r.status != "failed" for r in report.results):
                _mark_preview(runtime, integration_id)
    finally:
        client.close()
        report.health = _finish(runtime, integration_id, full)
    return report


def _mark_preview(runtime: Runtime, integration_id: int) -> None:
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, integration_id)
        if integration is not None and integration.preview_ready_at is None:
            integration.preview_ready_at = utcnow()


def _finish(runtime: Runtime, integration_id: int, full: bool) -> Health:
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            return Health.NEVER_SYNCED
        health = derive_health(latest_runs(session, integration_id))
        now = utcnow()
        integration.health = health.value
        integration.next_sync_at = now + timedelta(seconds=integration.sync_every)
        if full or integration.next_reconcile_at is None:
            integration.next_reconcile_at = now + timedelta(seconds=integration.reconcile_every)
        return health
