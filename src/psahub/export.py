"""Exporting mirrored records: jsonl as received, or csv with the common fields."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

import orjson
from sqlalchemy import select

from psahub.mirror.specs import TYPED
from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord

FORMATS = ("jsonl", "csv")


def _rows(
    runtime: Runtime, integration_id: int, entity: str, include_deleted: bool
) -> Iterator[MirrorRecord]:
    query = select(MirrorRecord).where(
        MirrorRecord.integration_id == integration_id, MirrorRecord.entity == entity
    )
    if not include_deleted:
        query = query.where(MirrorRecord.deleted_at.is_(None))
    with runtime.sessions() as session:
        yield from session.scalars(
            query.order_by(MirrorRecord.id).execution_options(yield_per=2000)
        )


def export_entity(
    runtime: Runtime,
    integration_id: int,
    entity: str,
    fmt: str,
    out: IO[str],
    *,
    include_deleted: bool = False,
) -> int:
    """Stream an entity's records to ``out``; return how many were written.

    jsonl writes each Halo record exactly as received, one per line. csv writes psahub's typed
    columns followed by the record's top-level scalar fields (named from the first record).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "jsonl":
        for row in _rows(runtime, integration_id, entity, include_deleted):
            out.write(row.raw_json)
            out.write("\n")
            count += 1
        return count
    writer: Any = None
    fields: list[str] = []
    for row in _rows(runtime, integration_id, entity, include_deleted):
        record = orjson.loads(row.raw_json)
        if writer is None:
            fields = [
                k for k, v in record.items() if not isinstance(v, dict | list) and k not in TYPED
            ]
            writer = csv.writer(out)
            writer.writerow([*TYPED, *fields])
        typed = [getattr(row, name) for name in TYPED]
        writer.writerow(
            [
                *("" if v is None else v for v in typed),
                *("" if record.get(f) is None else record.get(f) for f in fields),
            ]
        )
        count += 1
    if writer is None:
        csv.writer(out).writerow(TYPED)
    return count
