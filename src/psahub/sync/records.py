"""Turning a Halo record into a mirror row: key, typed columns, dates and a content hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson

from psahub.halo.entities import Entity

Record = dict[str, Any]

_YEAR_EMPTY = 1901  # Halo sends 1900-01-01 (or earlier) for "no date"


def halo_key(entity: Entity, record: Record) -> str:
    """The record's primary key as stored: ``"42"``, or ``"42:3"`` for composite keys."""
    parts = []
    for name in entity.primary_key:
        value = record.get(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(str(value))
    return ":".join(parts)


def parse_date(value: Any) -> datetime | None:
    """Read a Halo date: ISO 8601 with or without zone (zone-less is UTC); 1900 means none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.year < _YEAR_EMPTY:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_int(value: Any) -> int | None:
    """An id-like value as an integer (Halo sends some ids as decimals), else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def as_float(value: Any) -> float | None:
    """A money-like value as a float, else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any, limit: int) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:limit]


def encode(record: Record) -> bytes:
    """The record as canonical JSON (sorted keys), as it is stored and hashed."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def content_hash(raw: bytes) -> str:
    """A short digest of the canonical JSON; equal hashes mean an unchanged record."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def row_values(entity: Entity, record: Record) -> dict[str, Any]:
    """The typed columns, raw JSON and hash of one record (without ids and timestamps)."""
    cols = entity.columns
    raw = encode(record)
    inactive = False
    if cols.inactive is not None:
        field, inactive_value = cols.inactive
        inactive = record.get(field) == inactive_value
    get = record.get
    return {
        "name": _text(get(cols.name) if cols.name else None, 500),
        "client_id": as_int(get(cols.client_id)) if cols.client_id else None,
        "site_id": as_int(get(cols.site_id)) if cols.site_id else None,
        "parent_id": as_int(get(cols.parent_id)) if cols.parent_id else None,
        "agent_id": as_int(get(cols.agent_id)) if cols.agent_id else None,
        "status": _text(get(cols.status) if cols.status else None, 100),
        "kind": _text(get(cols.kind) if cols.kind else None, 200),
        "amount": as_float(get(cols.amount)) if cols.amount else None,
        "occurred_at": parse_date(get(cols.occurred_at)) if cols.occurred_at else None,
        "changed_at": parse_date(get(entity.cursor)) if entity.cursor else None,
        "inactive": inactive,
        "closed": bool(get(cols.closed)) if cols.closed else False,
        "raw_json": raw.decode(),
        "content_hash": content_hash(raw),
    }
