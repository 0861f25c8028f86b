"""An integration's health, derived from the latest run of each entity."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psahub.store.models import SyncRun


class Health(StrEnum):
    """What an MSP sees on the integration's card."""

    NEVER_SYNCED = "never_synced"
    SYNCING = "syncing"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    CREDENTIALS_INVALID = "credentials_invalid"
    PERMISSION_MISSING = "permission_missing"
    RATE_LIMITED = "rate_limited"
    FAILING = "failing"


def latest_runs(session: Session, integration_id: int) -> list[SyncRun]:
    """The most recent finished run of each entity of an integration."""
    newest = (
        select(SyncRun.entity, func.max(SyncRun.id).label("id"))
        .where(SyncRun.integration_id == integration_id, SyncRun.status != "running")
        .group_by(SyncRun.entity)
        .subquery()
    )
    return list(session.scalars(select(SyncRun).join(newest, SyncRun.id == newest.c.id)))


def derive_health(runs: Sequence[SyncRun], syncing: bool = False) -> Health:
    """The health state the latest runs add up to; the worst problem wins."""
    if syncing:
        return Health.SYNCING
    if not runs:
        return Health.NEVER_SYNCED
    failed = [r for r in runs if r.status == "failed"]
    problems = {r.problem for r in failed}
    if "credentials" in problems:
        return Health.CREDENTIALS_INVALID
    if problems & {"scope", "permission"}:
        return Health.PERMISSION_MISSING
    if "rate_limited" in problems:
        return Health.RATE_LIMITED
    if failed and len(failed) == len(runs):
        return Health.FAILING
    if failed or any(r.status == "warning" or r.rate_limited for r in runs):
        return Health.DEGRADED
    return Health.HEALTHY
