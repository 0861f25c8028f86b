"""What the mirror holds per entity, and the last run of each."""

from __future__ import annotations

from sqlalchemy import (
    case,
    func,
    select,
)

from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord, SyncRun
from psahub.sync.health import latest_runs


def entity_counts(runtime: Runtime, integration_id: int) -> dict[str, tuple[int, int]]:
    """Per entity: (records present, records tombstoned)."""
    gone = func.sum(case((MirrorRecord.deleted_at.is_not(None), 1), else_=0))
    with runtime.sessions() as session:
        rows = session.execute(
            select(MirrorRecord.entity, func.count(), gone)
            .where(MirrorRecord.integration_id == integration_id)
            .group_by(MirrorRecord.entity)
        )
        return {
            entity: (int(total) - int(dead or 0), int(dead or 0)) for entity, total, dead in rows
        }


def last_runs(runtime: Runtime, integration_id: int) -> list[SyncRun]:
    """The latest finished run of each entity."""
    with runtime.sessions() as session:
        return latest_runs(session, integration_id)


# -- the data pages: paged, filtered tables of the mirror, scoped to one account -----------------
