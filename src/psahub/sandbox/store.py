"""In-memory record tables with cached, versioned queries so paging stays fast at any size."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_CACHE_SIZE = 64


class Table:
    """The records of one Halo resource, in id order, with a write version.

    Every write bumps :attr:`version`; query results are cached per (query, version), so a
    client paging through a large list pays for the filtering once, not once per page.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.records: dict[Any, Record] = {}
        self.version = 0
        self._last_id = 0
        self._cache: OrderedDict[Hashable, tuple[int, list[Record]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records.values())

    def next_id(self) -> int:
        """Allocate the next integer id; ids are never reused, as in Halo."""
        self._last_id += 1
        return self._last_id

    def put(self, record: Record) -> Record:
        """Insert or replace a record by its ``id``."""
        key = record["id"]
        if isinstance(key, int) and key > self._last_id:
            self._last_id = key
        self.records[key] = record
        self.version += 1
        return record

    def get(self, key: Any) -> Record | None:
        """Return the record with id ``key`` or ``None``."""
        return self.records.get(key)

    def delete(self, key: Any) -> Record | None:
        """Remove a record; return it, or ``None`` when it did not exist."""
        record = self.records.pop(key, None)
        if record is not None:
            self.version += 1
        return record

    def touch(self) -> None:
        """Mark the table changed after a record was edited in place."""
        self.version += 1

    def query(
        self,
        signature: Hashable,
        predicate: Predicate | None,
        order: str | None = None,
        descending: bool = False,
    ) -> list[Record]:
        """Return the matching records in order, computing them once per table version."""
        cache_key = (signature, order, descending)
        hit = self._cache.get(cache_key)
        if hit is not None and hit[0] == self.version:
            self._cache.move_to_end(cache_key)
            return hit[1]
        rows = [r for r in self.records.values() if predicate is None or predicate(r)]
        if order:
            rows.sort(key=lambda r: _sort_key(r.get(order)), reverse=descending)
        elif descending:
            rows.reverse()
        self._cache[cache_key] = (self.version, rows)
        self._cache.move_to_end(cache_key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return rows


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, str(value).lower())
