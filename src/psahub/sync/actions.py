"""Syncing ticket actions: Halo lists them one ticket at a time.

A ticket's actions are re-read when the ticket changed since they were last read (its content
hash differs from ``actions_synced_for``), newest tickets first. Each ticket's list is
complete, so actions missing from it are tombstoned exactly. Tickets are done in small
batches, each committed with its markers, so the work resumes where it stopped.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from psahub.halo.client import HaloClient
from psahub.halo.entities import entity
from psahub.halo.errors import HaloError, Problem
from psahub.halo.paging import records_of, with_fix
from psahub.store.models import MirrorRecord, SyncRun, utcnow
from psahub.sync.engine import EntityResult
from psahub.sync.records import Record
from psahub.sync.upsert import MIRROR, Scope, tombstone, upsert_records

ACTIONS = entity("actions")
TICKETS = entity("tickets")
#: At most this many tickets' actions are written per transaction.
BATCH = 50
#: Tickets requested ahead of the one being handled: two batches, so the workers keep
#: fetching the next batch while the main thread writes one.
READ_AHEAD = 2 * BATCH
#: Tickets read are written within this many seconds when HaloPSA is the slower side (a
#: rate-limited instance), so a stopped process loses little; a fast one fills whole batches.
WRITE_WITHIN = 1.0
#: Stale tickets read from the mirror at a time.
WALK_PAGE = 500
#: This many tickets in a row whose actions cannot be read stop the pass (HaloPSA is failing).
STOP_AFTER = 20

_C = MIRROR.c
_MARK_READ = update(MIRROR).where(_C.id == bindparam("row_id"))


Cursor = tuple[datetime | None, int]


@dataclass(frozen=True)
class StaleTicket:
    """A mirrored ticket whose actions are out of date."""

    row_id: int
    key: str
    digest: str
    changed_at: datetime | None


def _walk(
    sessions: sessionmaker[Session], scope: Scope, max_tickets: int | None
) -> Iterator[StaleTicket]:
    """Every stale ticket once, newest change first, read from the mirror a page at a time."""
    position: Cursor | None = None
    walked = 0
    while max_tickets is None or walked < max_tickets:
        room = WALK_PAGE if max_tickets is None else min(WALK_PAGE, max_tickets - walked)
        with sessions() as session:
            page = _stale_tickets(session, scope, room, position)
        if not page:
            return
        position = (page[-1].changed_at, page[-1].row_id)
        walked += len(page)
        yield from page


def _stale_tickets(
    session: Session, scope: Scope, limit: int, after: Cursor | None
) -> list[StaleTicket]:
    """Tickets whose actions are out of date, newest first, older than ``after``.

    The pass walks the tickets once, newest change first, remembering where it is: asking
    "what is still stale?" from the top each time would re-read every ticket already done.
    It orders on the plain ``(changed_at, id)`` columns so the changed-at index serves it;
    tickets without a change stamp come last.
    """
    record = MirrorRecord
    query = (
        select(record.id, record.halo_id, record.content_hash, record.changed_at)
        .where(
            record.integration_id == scope.integration_id,
            record.entity == TICKETS.name,
            record.deleted_at.is_(None),
            or_(
                record.actions_synced_for.is_(None),
                record.actions_synced_for != record.content_hash,
            ),
        )
        .order_by(record.changed_at.desc().nulls_last(), record.id.desc())
        .limit(limit)
    )
    if after is not None:
        when, row_id = after
        if when is None:
            query = query.where(record.changed_at.is_(None), record.id < row_id)
        else:
            query = query.where(
                or_(
                    record.changed_at < when,
                    and_(record.changed_at == when, record.id < row_id),
                    record.changed_at.is_(None),
                )
            )
    return [StaleTicket(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def _bury_orphans(sessions: sessionmaker[Session], scope: Scope) -> int:
    """Tombstone the actions of tickets that were tombstoned."""
    with sessions.begin() as session:
        gone = [
            int(key)
            for key in session.scalars(
                select(MirrorRecord.halo_id).where(
                    MirrorRecord.integration_id == scope.integration_id,
                    MirrorRecord.entity == TICKETS.name,
                    MirrorRecord.deleted_at.is_not(None),
                )
            )
            if key.isdigit()
        ]
        buried = 0
        for start in range(0, len(gone), 500):
            result = session.execute(
                update(MirrorRecord)
                .where(
                    MirrorRecord.integration_id == scope.integration_id,
                    MirrorRecord.entity == ACTIONS.name,
                    MirrorRecord.parent_id.in_(gone[start : start + 500]),
                    MirrorRecord.deleted_at.is_(None),
                )
                .values(deleted_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            buried += int(getattr(result, "rowcount", 0) or 0)
        return buried


def _fetch(client: HaloClient, ticket_id: str) -> list[dict[str, Any]] | HaloError:
    """A ticket's actions, or the temporary error that kept them from being read.

    Halo answers 500 for the actions of a ticket that no longer exists, so a 500 cannot tell
    "gone" from "broken": either way the ticket is tried again at the next sync, and the
    tickets' full reconcile tombstones it (and its actions) if it really is gone.
    """
    try:
        body = client.get(ACTIONS.path, {"ticket_id": ticket_id})
    except HaloError as error:
        if error.problem in (Problem.NOT_FOUND, Problem.SERVER, Problem.UNREACHABLE):
            return error
        raise with_fix(ACTIONS, error) from None
    rows, _ = records_of(body, ACTIONS.key)
    return rows


def sync_actions(
    sessions: sessionmaker[Session],
    account_id: int,
    integration_id: int,
    client: HaloClient,
    *,
    workers: int = 4,
    max_tickets: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EntityResult:
    """Read the actions of every ticket that changed since its actions were last read.

    ``workers`` threads fetch, up to ``READ_AHEAD`` tickets ahead, while this thread writes
    what came back, ``BATCH`` tickets per transaction.
    """
    scope = Scope(account_id, integration_id, ACTIONS)
    before, limited_before = client.stats.requests, client.stats.rate_limited
    with sessions.begin() as session:
        run = SyncRun(
            account_id=account_id,
            integration_id=integration_id,
            entity=ACTIONS.name,
            kind="incremental",
            status="running",
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    counts = {"tickets": 0, "added": 0, "updated": 0, "unchanged": 0, "tombstoned": 0}
    counts["tombstoned"] += _bury_orphans(sessions, scope)
    result = EntityResult(ACTIONS.name, run_id, "succeeded", "incremental", counts)
    deferred: set[int] = set()
    stale = _walk(sessions, Scope(account_id, integration_id, TICKETS), max_tickets)
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="halo-actions")
    window: deque[tuple[StaleTicket, Future[list[Record] | HaloError]]] = deque()
    read: list[tuple[StaleTicket, list[Record]]] = []

    def fill() -> None:
        while len(window) < READ_AHEAD:
            ticket = next(stale, None)
            if ticket is None:
                return
            window.append((ticket, pool.submit(_fetch, client, ticket.key)))

    oldest = time.monotonic()
    try:
        fill()
        failed_in_a_row, any_read = 0, False
        while window:
            ticket, future = window.popleft()
            outcome = future.result()  # a non-temporary HaloError stops the pass here
            fill()
            if isinstance(outcome, HaloError):
                deferred.add(ticket.row_id)
                failed_in_a_row += 1
                if failed_in_a_row >= STOP_AFTER or (not window and not any_read):
                    raise outcome  # nothing gets through: stop rather than spin
                continue
            failed_in_a_row, any_read = 0, True
            if not read:
                oldest = time.monotonic()
            read.append((ticket, outcome))
            idle = not window or (
                not window[0][1].done() and time.monotonic() - oldest >= WRITE_WITHIN
            )
            if len(read) >= BATCH or idle:
                _store(sessions, scope, read, counts)
                read = []
                if progress:
                    progress(counts["tickets"], counts["added"] + counts["updated"])
        if read:  # the last tickets failed after these were read
            _store(sessions, scope, read, counts)
            if progress:
                progress(counts["tickets"], counts["added"] + counts["updated"])
    except HaloError as error:
        _store(sessions, scope, read, counts)  # what was read before the failure is kept
        result.status, result.error, result.fix = "failed", str(error), error.fix
        result.problem = error.problem.value
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if deferred and result.status == "succeeded":
        result.status = "warning"
    with sessions.begin() as session:
        finished = session.get(SyncRun, run_id)
        assert finished is not None
        run = finished
        run.status, run.finished_at = result.status, utcnow()
        run.requests = counts["requests"] = client.stats.requests - before
        run.rate_limited = counts["rate_limited"] = client.stats.rate_limited - limited_before
        run.pages = counts["tickets"]
        run.added, run.updated = counts["added"], counts["updated"]
        run.unchanged, run.tombstoned = counts["unchanged"], counts["tombstoned"]
        run.error, run.fix, run.problem = result.error, result.fix, result.problem
        run.note = f"actions of {counts['tickets']} tickets read" + (
            f"; {len(deferred)} tickets could not be read now and are tried again next sync"
            if deferred
            else ""
        )
    return result


def _store(
    sessions: sessionmaker[Session],
    scope: Scope,
    read: list[tuple[StaleTicket, list[Record]]],
    counts: dict[str, int],
) -> None:
    """Write the actions of several tickets, tombstone what each no longer lists, mark them."""
    if not read:
        return
    now = utcnow()
    records: list[Record] = []
    parent_ids: list[int | None] = []
    parents: list[int] = []
    for ticket, actions in read:
        parent = int(ticket.key) if ticket.key.isdigit() else None
        if parent is not None:
            parents.append(parent)
        for action in actions:
            action.setdefault("ticket_id", parent)
            records.append(action)
            parent_ids.append(parent)
    with sessions.begin() as session:
        page = upsert_records(session, scope, records, now, parent_ids=parent_ids)
        listed = set(page.keys)
        kept = session.scalars(
            select(_C.halo_id).where(
                _C.integration_id == scope.integration_id,
                _C.entity == ACTIONS.name,
                _C.parent_id.in_(parents),
                _C.deleted_at.is_(None),
            )
        )
        counts["tombstoned"] += tombstone(session, scope, [k for k in kept if k not in listed], now)
        session.execute(
            _MARK_READ, [{"row_id": t.row_id, "actions_synced_for": t.digest} for t, _ in read]
        )
    counts["tickets"] += len(read)
    counts["added"] += page.added
    counts["updated"] += page.updated
    counts["unchanged"] += page.unchanged
