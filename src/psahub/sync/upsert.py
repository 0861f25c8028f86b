"""Writing a page of Halo records into the mirror: insert new, update changed, skip the rest.

Pages are written with Core statements on the ``mirror_records`` table (one ``SELECT`` of
what is there, one ``INSERT`` and one ``UPDATE`` executemany): the ORM's bulk path spends
more time handling each row's parameters than the database spends writing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from psahub.halo.entities import Entity
from psahub.store.models import MirrorRecord, SyncSeen, table_of
from psahub.sync.records import Record, halo_key, row_values

MIRROR = table_of(MirrorRecord)
_SEEN = table_of(SyncSeen)
_C = MIRROR.c

_EXISTING = select(_C.id, _C.halo_id, _C.content_hash, _C.deleted_at).where(
    _C.integration_id == bindparam("integration_id"),
    _C.entity == bindparam("entity"),
    _C.halo_id.in_(bindparam("keys", expanding=True)),
)
_UPDATE = update(MIRROR).where(_C.id == bindparam("row_id"))


@dataclass
class PageCounts:
    """What one page did to the mirror, and which records it touched."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    max_changed: datetime | None = None
    #: every record's key, in page order
    keys: list[str] = field(default_factory=list)
    #: the keys of records the mirror held before this page (updated or unchanged)
    known: list[str] = field(default_factory=list)


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
    parent_ids: Sequence[int | None] | None = None,
) -> PageCounts:
    """Upsert records by key and content hash; a tombstoned record that is back is revived.

    ``parent_ids``, when given, sets each record's ``parent_id`` (aligned with ``records``;
    ``None`` keeps what the record's own field says).
    """
    counts = PageCounts()
    rows: dict[str, dict[str, Any]] = {}
    entity = scope.entity
    for position, record in enumerate(records):
        values = row_values(entity, record)
        if parent_ids is not None and parent_ids[position] is not None:
            values["parent_id"] = parent_ids[position]
        rows[halo_key(entity, record)] = values
        changed = values["changed_at"]
        if changed is not None and (counts.max_changed is None or changed > counts.max_changed):
            counts.max_changed = changed
    if not rows:
        return counts
    counts.keys = list(rows)
    existing = {
        key: (row_id, digest, deleted)
        for row_id, key, digest, deleted in session.execute(
            _EXISTING,
            {"integration_id": scope.integration_id, "entity": entity.name, "keys": counts.keys},
        )
    }
    inserts, updates = [], []
    for key, values in rows.items():
        found = existing.get(key)
        if found is None:
            values.update(
                account_id=scope.account_id,
                integration_id=scope.integration_id,
                entity=entity.name,
                halo_id=key,
                first_seen_at=now,
                updated_at=now,
                deleted_at=None,
            )
            inserts.append(values)
            continue
        counts.known.append(key)
        if found[1] != values["content_hash"] or found[2] is not None:
            values.update(row_id=found[0], updated_at=now, deleted_at=None)
            updates.append(values)
        else:
            counts.unchanged += 1
    if inserts:
        session.execute(MIRROR.insert(), inserts)
    if updates:
        session.execute(_UPDATE, updates)
    counts.added, counts.updated = len(inserts), len(updates)
    return counts


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
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
    insert_ignoring_duplicates(session, _SEEN, [{"pass_id": pass_id, "halo_id": k} for k in keys])


def tombstone(session: Session, scope: Scope, keys: Sequence[str], now: datetime) -> int:
    """Mark records deleted (they stay, with ``deleted_at``); returns how many."""
    if not keys:
        return 0
    result = session.execute(
        update(MIRROR)
        .where(
            _C.integration_id == scope.integration_id,
            _C.entity == scope.entity.name,
            _C.halo_id.in_(list(keys)),
            _C.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
