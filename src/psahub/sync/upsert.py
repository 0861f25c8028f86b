"""Writing a page of Halo records into the mirror: insert new, update changed, skip the rest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from psahub.halo.entities import Entity
from psahub.store.models import MirrorRecord, SyncSeen
from psahub.sync.records import Record, halo_key, row_values


@dataclass
class PageCounts:
    """What one page did to the mirror."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    max_changed: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """Whose mirror rows are being written."""

    account_id: int
    integration_id: int
    entity: Entity


def upsert_records(
    session: Session,
    scope: Scope,
    records: Sequence[Record],
    now: datetime,
    *,
    parent_id: int | None = None,
) -> tuple[PageCounts, list[str]]:
    """Upsert records by key and content hash; return the counts and the keys written."""
    counts = PageCounts()
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        values = row_values(scope.entity, record)
        if parent_id is not None:
            values["parent_id"] = parent_id
        rows[halo_key(scope.entity, record)] = values
        changed = values["changed_at"]
        if changed is not None and (counts.max_changed is None or changed > counts.max_changed):
            counts.max_changed = changed
    if not rows:
        return counts, []
    existing = {
        key: (row_id, digest, deleted)
        for row_id, key, digest, deleted in session.execute(
            select(
                MirrorRecord.id,
                MirrorRecord.halo_id,
                MirrorRecord.content_hash,
                MirrorRecord.deleted_at,
            ).where(
                MirrorRecord.integration_id == scope.integration_id,
                MirrorRecord.entity == scope.entity.name,
                MirrorRecord.halo_id.in_(list(rows)),
            )
        )
    }
    inserts, updates = [], []
    for key, values in rows.items():
        found = existing.get(key)
        if found is None:
            inserts.append(
                {
                    **values,
                    "account_id": scope.account_id,
                    "integration_id": scope.integration_id,
                    "entity": scope.entity.name,
                    "halo_id": key,
                    "first_seen_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                }
            )
        elif found[1] != values["content_hash"] or found[2] is not None:
            updates.append({**values, "id": found[0], "updated_at": now, "deleted_at": None})
        else:
            counts.unchanged += 1
    if inserts:
        session.execute(insert(MirrorRecord), inserts)
    if updates:
        session.execute(update(MirrorRecord), updates)
    counts.added, counts.updated = len(inserts), len(updates)
    return counts, list(rows)


def insert_ignoring_duplicates(
    session: Session, table: type[SyncSeen], rows: list[dict[str, Any]]
) -> None:
    """Insert rows, skipping any whose primary key exists (SQLite and PostgreSQL)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing()
    session.execute(statement, rows)


def mark_seen(session: Session, pass_id: str, keys: Iterable[str]) -> None:
    """Remember which records a full pass has seen."""
    insert_ignoring_duplicates(
        session, SyncSeen, [{"pass_id": pass_id, "halo_id": k} for k in keys]
    )


def tombstone(session: Session, scope: Scope, keys: Sequence[str], now: datetime) -> int:
    """Mark records deleted (they stay, with ``deleted_at``); returns how many."""
    if not keys:
        return 0
    result = session.execute(
        update(MirrorRecord)
        .where(
            MirrorRecord.integration_id == scope.integration_id,
            MirrorRecord.entity == scope.entity.name,
            MirrorRecord.halo_id.in_(list(keys)),
            MirrorRecord.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
