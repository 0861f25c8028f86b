"""Reading Halo lists page by page without ever truncating them silently.

Halo caps pages at 100 rows whatever ``page_size`` asks for, and ``record_count`` can be
stale. So a list is read until a page comes back short or empty, rows are de-duplicated by
primary key (rows shift between pages when records change meanwhile), and the total is
cross-checked against ``record_count`` so drift is reported rather than hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from psahub.halo import guide
from psahub.halo.client import HaloClient
from psahub.halo.entities import Entity
from psahub.halo.errors import HaloError, Problem

PAGE_SIZE = 100
Record = dict[str, Any]


def records_of(body: Any, key: str | None) -> tuple[list[Record], int | None]:
    """The rows and ``record_count`` of a list answer, whatever its shape.

    Bare arrays are rows; an envelope's rows are under ``key`` or, failing that, the first
    property that is a list of objects.
    """
    if isinstance(body, list):
        return [r for r in body if isinstance(r, dict)], None
    if not isinstance(body, dict):
        return [], None
    count = body.get("record_count")
    rows = body.get(key) if key else None
    if not isinstance(rows, list):
        rows = next(
            (v for v in body.values() if isinstance(v, list) and (not v or isinstance(v[0], dict))),
            [],
        )
    return [r for r in rows if isinstance(r, dict)], count if isinstance(count, int) else None


def primary_key(entity: Entity, record: Record) -> Hashable:
    """The record's primary key: its value, or a tuple of values for a composite key.

    A listing remembers every key it has seen, so single keys are kept bare: a set of
    200,000 ints is half the size of a set of 200,000 one-element tuples.
    """
    names = entity.primary_key
    if len(names) == 1:
        value: Hashable = record.get(names[0])
        return value
    return tuple(record.get(name) for name in names)


def with_fix(entity: Entity, error: HaloError) -> HaloError:
    """Attach the guide's fix for a scope or role failure on ``entity``."""
    if error.fix is None:
        if error.problem is Problem.SCOPE:
            error.fix = guide.fix_scope(entity.scope)
        elif error.problem is Problem.PERMISSION and entity.permission:
            error.fix = guide.fix_role_access(entity.permission)
    return error


@dataclass
class Page:
    """One page of an entity: the new rows on it, and where it stands in the listing."""

    entity: Entity
    page_no: int
    records: list[Record]
    record_count: int | None
    last: bool


@dataclass
class Listing:
    """What reading a whole list saw: rows, pages, duplicates dropped, and count drift."""

    pages: int = 0
    rows: int = 0
    duplicates: int = 0
    record_count: int | None = None
    seen: set[Hashable] = field(default_factory=set, repr=False)

    @property
    def drift(self) -> int:
        """Rows Halo announced but did not return (positive) or returned beyond it (negative)."""
        if self.record_count is None:
            return 0
        return self.record_count - len(self.seen)


def iter_pages(
    client: HaloClient,
    entity: Entity,
    params: Mapping[str, Any] | None = None,
    *,
    start_page: int = 1,
    listing: Listing | None = None,
) -> Iterator[Page]:
    """Yield the pages of an entity's list, each with only rows not seen before.

    Unpaged entities come as one page. ``listing`` collects the totals as pages are read.

    Raises:
        HaloError: with the guide's fix attached for scope and permission failures.
    """
    listing = listing if listing is not None else Listing()
    query: dict[str, Any] = {**entity.params, **(params or {})}
    page_no = start_page
    while True:
        if entity.paged:
            query.update(pageinate="true", page_size=PAGE_SIZE, page_no=page_no)
        try:
            body = client.get(entity.path, query)
        except HaloError as error:
            raise with_fix(entity, error) from None
        rows, count = records_of(body, entity.key)
        if count is not None and (listing.record_count is None or page_no == start_page):
            listing.record_count = count
        fresh = []
        for row in rows:
            key = primary_key(entity, row)
            if key in listing.seen:
                listing.duplicates += 1
                continue
            listing.seen.add(key)
            fresh.append(row)
        listing.pages += 1
        listing.rows += len(fresh)
        last = not entity.paged or len(rows) < PAGE_SIZE
        yield Page(entity, page_no, fresh, listing.record_count, last)
        if last:
            return
        page_no += 1


def read_all(
    client: HaloClient, entity: Entity, params: Mapping[str, Any] | None = None
) -> list[Record]:
    """Every row of an entity's list (for small lists and checks; syncs stream pages)."""
    return [row for page in iter_pages(client, entity, params) for row in page.records]
