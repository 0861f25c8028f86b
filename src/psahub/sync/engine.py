"""Syncing one entity of one integration: page, upsert, checkpoint; at the end, deletions.

A *pass* reads either everything (full) or what changed since the cursor (incremental, where
Halo has a modified-since filter). Each page is written in the same transaction as the
checkpoint that says it was written, so a process killed at any moment resumes at the next
page and converges to exactly the source's records.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from psahub.halo.client import HaloClient
from psahub.halo.entities import Entity
from psahub.halo.errors import HaloError
from psahub.halo.paging import Listing, iter_pages
from psahub.store.models import MirrorRecord, SyncCheckpoint, SyncRun, utcnow
from psahub.sync.deletions import finish_full_pass
from psahub.sync.pagewriter import PageWriter
from psahub.sync.prefetch import Prefetch
from psahub.sync.upsert import Scope

#: How far before the cursor an incremental pass starts, for records committed out of order.
OVERLAP = timedelta(minutes=5)
#: Pages read ahead of the one being written.
READ_AHEAD = 8
#: At most this many pages share a transaction (when they are already read).
GROUP_PAGES = 50


@dataclass
class Progress:
    """What a pass has done so far, for progress bars."""

    entity: str
    records: int = 0
    pages: int = 0
    expected: int | None = None
    done: bool = False


ProgressFn = Callable[[Progress], None]


@dataclass
class EntityResult:
    """The outcome of syncing one entity."""

    entity: str
    run_id: int
    status: str
    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    fix: str | None = None
    problem: str | None = None


def halo_time(moment: datetime) -> str:
    """A moment as Halo's date filters take it (UTC, with milliseconds and ``Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class EntitySync:
    """Runs, or resumes, one pass of one entity."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        scope: Scope,
        client: HaloClient,
        *,
        full: bool = False,
        progress: ProgressFn | None = None,
    ) -> None:
        self.sessions = sessions
        self.scope = scope
        self.entity: Entity = scope.entity
        self.client = client
        self.full = full
        self.progress = progress

    # -- the pass ------------------------------------------------------------------------
    def _checkpoint(self, session: Session) -> SyncCheckpoint:
        checkpoint = session.scalar(
            select(SyncCheckpoint).where(
                SyncCheckpoint.integration_id == self.scope.integration_id,
                SyncCheckpoint.entity == self.entity.name,
            )
        )
        if checkpoint is None:
            checkpoint = SyncCheckpoint(
                account_id=self.scope.account_id,
                integration_id=self.scope.integration_id,
                entity=self.entity.name,
                next_page=1,
            )
            session.add(checkpoint)
            session.flush()
        return checkpoint

    def _begin(self) -> tuple[int, str]:
        """Start a new pass, or pick up the one a crash interrupted; return (run id, kind)."""
        with contextlib.suppress(HaloError):  # the first page will report the failure
            self.client.token()  # an answer from HaloPSA first, so its clock is known
        with self.sessions.begin() as session:
            checkpoint = self._checkpoint(session)
            run = session.get(SyncRun, checkpoint.run_id) if checkpoint.run_id else None
            resuming = checkpoint.pass_id is not None and (
                not self.full or checkpoint.pass_kind == "full"
            )
            if resuming:
                kind = str(checkpoint.pass_kind)
                if run is None or run.status != "running":
                    run = self._new_run(session, checkpoint, kind)
                run.note = _append(run.note, f"resumed at page {checkpoint.next_page}")
                return run.id, kind
            kind = "incremental"
            if self.full or self.entity.incremental is None or checkpoint.cursor is None:
                kind = "full"
            checkpoint.pass_id = uuid.uuid4().hex
            checkpoint.pass_kind = kind
            checkpoint.pass_from = (
                checkpoint.cursor - OVERLAP if kind == "incremental" and checkpoint.cursor else None
            )
            checkpoint.pass_started_at = self.client.server_time or utcnow()
            checkpoint.pass_max_changed = None
            checkpoint.pass_floor_id = (
                session.scalar(select(func.coalesce(func.max(MirrorRecord.id), 0)))
                if kind == "full"
                else None
            )
            checkpoint.next_page = 1
            return self._new_run(session, checkpoint, kind).id, kind

    def _new_run(self, session: Session, checkpoint: SyncCheckpoint, kind: str) -> SyncRun:
        run = SyncRun(
            account_id=self.scope.account_id,
            integration_id=self.scope.integration_id,
            entity=self.entity.name,
            kind=kind,
            status="running",
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        checkpoint.run_id = run.id
        return run

    def run(self) -> EntityResult:
        """Run the pass to its end; failures are recorded on the run, not raised."""
        stats_before = self._stats()
        run_id, kind = self._begin()
        try:
            self._pages(run_id)
            status, note = self._finish(run_id)
        except HaloError as error:
            return self._fail(run_id, kind, stats_before, error)
        counts = self._close(run_id, stats_before, status, note)
        return EntityResult(self.entity.name, run_id, status, kind, counts)

    def _pages(self, run_id: int) -> None:
        with self.sessions() as session:
            checkpoint = self._checkpoint(session)
            writer = PageWriter(self.sessions, self.scope, checkpoint, run_id)
            start_page, since = checkpoint.next_page, checkpoint.pass_from
        params: dict[str, Any] = {}
        if since is not None and self.entity.incremental:
            params[self.entity.incremental] = halo_time(since)
        listing = Listing()
        progress = Progress(self.entity.name)
        source = iter_pages(
            self.client, self.entity, params, start_page=start_page, listing=listing
        )
        with writer, Prefetch(source, depth=READ_AHEAD, name="halo-pages") as pages:
            try:
                for page in pages:
                    writer.write(page, listing)
                    # Pages read ahead share a transaction; none is held open waiting for Halo.
                    if page.last or not pages.ready() or writer.pending >= GROUP_PAGES:
                        writer.commit()
                    if self.progress:
                        progress.records += len(page.records)
                        progress.pages += 1
                        progress.expected = page.record_count
                        self.progress(progress)
            except HaloError:
                writer.commit()  # the pages before the failure are good: keep them
                raise

    def _finish(self, run_id: int) -> tuple[str, str | None]:
        """Close the pass: deletions for full passes, then move the cursor on."""
        with self.sessions() as session:
            checkpoint = self._checkpoint(session)
            full = checkpoint.pass_kind == "full"
            pass_id, floor = str(checkpoint.pass_id), checkpoint.pass_floor_id
        status, note = "succeeded", None
        if full:
            status, note, tombstoned = finish_full_pass(
                self.sessions, self.scope, self.client, pass_id, floor
            )
            with self.sessions.begin() as session:
                run = session.get(SyncRun, run_id)
                assert run is not None
                run.tombstoned += tombstoned
        with self.sessions.begin() as session:
            checkpoint = self._checkpoint(session)
            started = checkpoint.pass_started_at
            seen_max = checkpoint.pass_max_changed
            if self.entity.incremental and started is not None:
                # Everything changed before the pass began has been read; nothing later is
                # assumed. Halo's own clock (Date header) is used when it sent one.
                new_cursor = min(seen_max, started) if seen_max else started
                if checkpoint.cursor is None or new_cursor > checkpoint.cursor:
                    checkpoint.cursor = new_cursor
            if full:
                checkpoint.full_done_at = utcnow()
            checkpoint.pass_id = checkpoint.pass_kind = None
            checkpoint.pass_from = checkpoint.pass_max_changed = None
            checkpoint.pass_floor_id = None
            checkpoint.next_page = 1
        return status, note

    # -- bookkeeping ---------------------------------------------------------------------
    def _stats(self) -> tuple[int, int, int]:
        s = self.client.stats
        return s.requests, s.rate_limited, s.retries

    def _close(
        self, run_id: int, before: tuple[int, int, int], status: str, note: str | None
    ) -> dict[str, int]:
        requests, limited, retries = (a - b for a, b in zip(self._stats(), before, strict=True))
        with self.sessions.begin() as session:
            run = session.get(SyncRun, run_id)
            assert run is not None
            run.status = status
            run.finished_at = utcnow()
            run.requests += requests
            run.rate_limited += limited
            run.retries += retries
            run.note = _append(run.note, note)
            return {
                k: int(getattr(run, k))
                for k in (
                    "pages",
                    "requests",
                    "added",
                    "updated",
                    "unchanged",
                    "tombstoned",
                    "rate_limited",
                    "retries",
                )
            }

    def _fail(
        self, run_id: int, kind: str, before: tuple[int, int, int], error: HaloError
    ) -> EntityResult:
        counts = self._close(run_id, before, "failed", None)
        with self.sessions.begin() as session:
            run = session.get(SyncRun, run_id)
            assert run is not None
            run.problem, run.error, run.fix = error.problem.value, str(error), error.fix
        return EntityResult(
            self.entity.name,
            run_id,
            "failed",
            kind,
            counts,
            str(error),
            error.fix,
            error.problem.value,
        )


def _append(text: str | None, more: str | None) -> str | None:
    if not more:
        return text
    return f"{text}; {more}" if text else more
