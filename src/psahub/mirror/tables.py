"""Querying an entity's table: filters, labels, totals (cached) and one page of rows."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from psahub.mirror.specs import PAGE_SIZE, TYPED, Filters, Page, Query, Scope, TableSpec
from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord, SyncRun


def _conditions(scope: Scope, spec: TableSpec, filters: Filters) -> list[ColumnElement[bool]]:
    record = MirrorRecord
    where = [*scope.where(), record.entity == spec.entity]
    if not filters.include_deleted:
        where.append(record.deleted_at.is_(None))
    if filters.q.strip():
        where.append(func.lower(record.name).contains(filters.q.strip().lower(), autoescape=True))
    if filters.client_id is not None:
        where.append(record.client_id == filters.client_id)
    if spec.states and filters.status in spec.states:
        flag = record.closed if spec.states[0] == "open" else record.inactive
        where.append(flag.is_(filters.status != spec.states[0]))
    return where


@functools.cache
def _alias(key: str) -> Any:
    """One alias of the mirror table per lookup, built once.

    Aliasing the model on every request cost more than the page's database work.
    """
    return aliased(MirrorRecord, name=f"lookup_{key}")


def _labelled(spec: TableSpec, rows: FromClause) -> Query:
    """Select ``rows`` (the page, or every match) with the labels of the spec's lookups."""
    labels = []
    joins: list[tuple[Any, ColumnElement[bool]]] = []
    for lookup in spec.lookups:
        other = _alias(lookup.key)
        source = rows.c[lookup.source]
        key = source if lookup.source in ("status", "kind") else cast(source, String)
        joins.append(
            (
                other,
                and_(
                    other.integration_id == rows.c.integration_id,
                    other.entity == lookup.entity,
                    other.halo_id == key,
                ),
            )
        )
        labels.append(other.name.label(lookup.key))
    query = select(rows, *labels).select_from(rows)
    for other, on in joins:
        query = query.outerjoin(other, on)
    return query


def _base(spec: TableSpec, scope: Scope, filters: Filters) -> Query:
    record = MirrorRecord
    columns = [record.id, record.integration_id, *(getattr(record, c) for c in TYPED)]
    if spec.raw:
        columns.append(record.raw_json)
    return select(*columns).where(*_conditions(scope, spec, filters))


def _newest_first(columns: Any) -> tuple[Any, Any]:
    return columns.changed_at.desc(), columns.id.desc()


def _state(spec: TableSpec, row: Mapping[Any, Any]) -> str:
    if row.get("deleted_at") is not None:
        return "deleted"
    if spec.states == ("open", "closed"):
        return "closed" if row.get("closed") else "open"
    return "inactive" if row.get("inactive") else "active"


def _shown(spec: TableSpec, row: Mapping[Any, Any]) -> dict[str, Any]:
    shown = dict(row)
    shown["state"] = _state(spec, row)
    raw = shown.pop("raw_json", None)
    if spec.raw and raw:
        record = orjson.loads(raw)
        for name in spec.raw:
            value = record.get(name)
            shown[name] = value if isinstance(value, str | int | float) else None
    return shown


#: How long a table's total may be reused while the mirror has not changed. Totals are a
#: COUNT over the whole filtered table, the most expensive part of a page at 200,000 tickets.
COUNT_TTL = 60.0
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_cache_lock = threading.Lock()
T = TypeVar("T")


def remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, reused for ``COUNT_TTL`` seconds under ``key``.

    Keys carry the data version, so an answer is only reused while the mirror is unchanged.
    """
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            value: T = hit[1]
            return value
    value = compute()
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + COUNT_TTL, value)
    return value


def data_version(session: Session, scope: Scope) -> tuple[Any, ...]:
    """A value that changes whenever the scope's mirror changes.

    Every page a sync writes and every tombstone is counted on its run.
    """
    row = session.execute(
        select(
            func.max(SyncRun.id),
            func.sum(SyncRun.pages + SyncRun.tombstoned + SyncRun.added + SyncRun.updated),
        ).where(SyncRun.integration_id.in_(scope.integration_ids))
    ).one()
    return (str(session.get_bind().engine.url), tuple(scope.integration_ids), *row)


def counted(session: Session, query: Select[int], version: tuple[Any, ...]) -> int:
    """Run a ``COUNT`` query, reusing its answer while ``version`` stays the same.

    The cache key is the database, the data version and the compiled SQL with its
    parameters, so it never mixes two accounts', two filters' or two moments' totals.
    """
    compiled = query.compile(dialect=session.get_bind().dialect)
    params = tuple(sorted((k, str(v)) for k, v in compiled.params.items()))
    return remembered(
        ("count", str(compiled), *version, *params), lambda: int(session.scalar(query) or 0)
    )


def clamp_page(page: int, total: int, size: int) -> int:
    """The page number to show: within 1 and the last page."""
    return min(max(1, page), max(1, -(-total // size)))


def table_page(
    runtime: Runtime,
    scope: Scope,
    spec: TableSpec,
    filters: Filters,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of an entity's table, newest change first, with the total matching.

    Two queries: a ``COUNT(*)`` and the page itself, ordered by ``changed_at`` and limited in
    the database (the ``(integration_id, entity, changed_at)`` index serves it); the lookups
    are joined to the page's rows only.
    """
    if not scope.integration_ids:
        return Page([], 0, 1, size)
    conditions = _conditions(scope, spec, filters)
    with runtime.sessions() as session:
        count = select(func.count()).select_from(MirrorRecord).where(*conditions)
        total = counted(session, count, data_version(session, scope))
        number = clamp_page(page, total, size)
        rows = (
            _base(spec, scope, filters)
            .order_by(*_newest_first(MirrorRecord))
            .limit(size)
            .offset((number - 1) * size)
            .subquery("page")
        )
        query = _labelled(spec, rows).order_by(*_newest_first(rows.c))
        shown = [_shown(spec, r) for r in session.execute(query).mappings()]
    return Page(shown, total or 0, number, size)


def table_rows(
    runtime: Runtime, scope: Scope, spec: TableSpec, filters: Filters
) -> Iterator[dict[str, Any]]:
    """Every row of an entity's table (all pages), streamed from the database."""
    if not scope.integration_ids:
        return
    rows = _base(spec, scope, filters).subquery("rows")
    query = _labelled(spec, rows).order_by(*_newest_first(rows.c))
    with runtime.sessions() as session:
        result = session.execute(query.execution_options(yield_per=1000))
        for row in result.mappings():
            yield _shown(spec, row)


def lookup_columns(spec: TableSpec) -> tuple[str, ...]:
    """The label columns a table adds to the typed ones (e.g. ``client_name``)."""
    return tuple(lookup.key for lookup in spec.lookups)


# -- clients -------------------------------------------------------------------------------------

#: The per-client figures of the clients table.
