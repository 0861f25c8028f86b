"""The page writer: what a commit makes durable, and what an interrupted group leaves behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select

from psahub.halo.paging import Listing, Page
from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord, SyncCheckpoint, SyncRun, SyncSeen, utcnow
from psahub.sync.pagewriter import PageWriter
from psahub.sync.upsert import Scope


def _ticket(number: int, summary: str = "Printer on fire") -> dict[str, Any]:
    return {"id": number, "summary": summary, "client_id": 7, "last_update": "2026-11-30T09:00:00"}


def _page(scope: Scope, number: int, *, last: bool = False) -> Page:
    first = (number - 1) * 100 + 1
    records = [_ticket(n) for n in range(first, first + 100)]
    return Page(scope.entity, number, records, 500, last)


def _open_pass(runtime: Runtime, scope: Scope, *, floor: int | None = 0) -> tuple[int, int]:
    """A checkpoint with a full pass open and its run; returns (checkpoint id, run id)."""
    with runtime.sessions.begin() as session:
        run = SyncRun(
            account_id=scope.account_id,
            integration_id=scope.integration_id,
            entity=scope.entity.name,
            kind="full",
            status="running",
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        checkpoint = SyncCheckpoint(
            account_id=scope.account_id,
            integration_id=scope.integration_id,
            entity=scope.entity.name,
            pass_id=uuid.uuid4().hex,
            pass_kind="full",
            pass_floor_id=floor,
            next_page=1,
            run_id=run.id,
        )
        session.add(checkpoint)
        session.flush()
        return checkpoint.id, run.id


def _writer(runtime: Runtime, scope: Scope, checkpoint_id: int, run_id: int) -> PageWriter:
    with runtime.sessions() as session:
        checkpoint = session.get(SyncCheckpoint, checkpoint_id)
        assert checkpoint is not None
        return PageWriter(runtime.sessions, scope, checkpoint, run_id)


def _count(runtime: Runtime, model: type[MirrorRecord] | type[SyncSeen]) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_commit_covers_the_pages_written_and_moves_the_checkpoint(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("tickets")
    checkpoint_id, run_id = _open_pass(runtime, scope)
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        for number in (1, 2, 3):
            writer.write(_page(scope, number), Listing())
        assert writer.pending == 3
        writer.commit()
        assert writer.pending == 0
    with runtime.sessions() as session:
        checkpoint = session.get(SyncCheckpoint, checkpoint_id)
        run = session.get(SyncRun, run_id)
        assert checkpoint is not None and checkpoint.next_page == 4
        assert checkpoint.pass_max_changed is not None
        assert run is not None and (run.pages, run.added, run.record_count) == (3, 300, 500)
    assert _count(runtime, MirrorRecord) == 300


def test_pages_not_committed_are_dropped_whole(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("tickets")
    checkpoint_id, run_id = _open_pass(runtime, scope)
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        writer.write(_page(scope, 1), Listing())
        writer.commit()
        writer.write(_page(scope, 2), Listing())
        writer.write(_page(scope, 3), Listing())
        # the process dies here: nothing of pages 2 and 3 may remain
    assert _count(runtime, MirrorRecord) == 100
    with runtime.sessions() as session:
        checkpoint = session.get(SyncCheckpoint, checkpoint_id)
        run = session.get(SyncRun, run_id)
        assert checkpoint is not None and checkpoint.next_page == 2
        assert run is not None and (run.pages, run.added) == (1, 100)


def test_only_records_older_than_the_pass_get_a_seen_mark(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("tickets")
    checkpoint_id, run_id = _open_pass(runtime, scope, floor=0)
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        writer.write(_page(scope, 1), Listing())
        writer.commit()
    assert _count(runtime, SyncSeen) == 0  # all new: above the floor, no marks needed
    with runtime.sessions.begin() as session:
        session.execute(delete(SyncCheckpoint))
    checkpoint_id, run_id = _open_pass(runtime, scope, floor=10**9)
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        writer.write(_page(scope, 1), Listing())  # the same 100 again, now known
        writer.write(_page(scope, 2), Listing())  # 100 new ones
        writer.commit()
    assert _count(runtime, SyncSeen) == 100


def test_without_a_floor_every_record_is_marked(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    """A pass begun before floors existed marks every record, as it did then."""
    scope = scope_for("tickets")
    checkpoint_id, run_id = _open_pass(runtime, scope, floor=None)
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        writer.write(_page(scope, 1), Listing())
        writer.commit()
    assert _count(runtime, SyncSeen) == 100


def test_drift_is_noted_once_on_the_run(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("tickets")
    checkpoint_id, run_id = _open_pass(runtime, scope)
    listing = Listing(record_count=120)
    listing.seen.update(range(100))
    with _writer(runtime, scope, checkpoint_id, run_id) as writer:
        writer.write(_page(scope, 1, last=True), listing)
        writer.commit()
    with runtime.sessions() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None and run.note == "HaloPSA announced 120 records and returned 100"
