"""Syncing ticket actions: Halo lists them one ticket at a time.

A ticket's actions are re-read when the ticket changed since they were last read (its content
hash differs from ``actions_synced_for``), newest tickets first. Each ticket's list is
complete, so actions missing from it are tombstoned exactly. Tickets are done in small
batches, each committed with its markers, so the work resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from psahub.halo.client import HaloClient
from psahub.halo.entities import entity
from psahub.halo.errors import HaloError, Problem
from psahub.halo.paging import records_of, with_fix
from psahub.store.models import MirrorRecord, SyncRun, utcnow
from psahub.sync.upsert import Scope, tombstone, upsert_records

ACTIONS = entity("actions")
TICKETS = entity("tickets")
BATCH = 20


@dataclass
class ActionsResult:
    """What an actions sync did."""

    run_id: int
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    fix: str | None = None
    problem: str | None = None


Cursor = tuple[datetime | None, int]


def _stale_tickets(
    session: Session, scope: Scope, limit: int, after: Cursor | None
) -> list[tuple[int, str, str, datetime | None]]:
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
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


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
) -> ActionsResult:
    """Read the actions of every ticket that changed since its actions were last read."""
    scope = Scope(account_id, integration_id, ACTIONS)
    ticket_scope = Scope(account_id, integration_id, TICKETS)
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
    result = ActionsResult(run_id, "succeeded", counts)
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="halo-actions")
    deferred: set[int] = set()
    position: Cursor | None = None
    try:
        while max_tickets is None or counts["tickets"] < max_tickets:
            room = BATCH if max_tickets is None else min(BATCH, max_tickets - counts["tickets"])
            with sessions() as session:
                batch = _stale_tickets(session, ticket_scope, room, position)
            if not batch:
                break
            position = (batch[-1][3], batch[-1][0])
            fetched = list(pool.map(lambda t: _fetch(client, t[1]), batch))
            read = [(t, f) for t, f in zip(batch, fetched, strict=True) if isinstance(f, list)]
            failed = [f for f in fetched if isinstance(f, HaloError)]
            if failed and not read:
                raise failed[-1]  # nothing gets through: stop rather than spin
            deferred.update(
                t[0] for t, f in zip(batch, fetched, strict=True) if isinstance(f, HaloError)
            )
            _store(sessions, scope, [t for t, _f in read], [f for _t, f in read], counts)
            if progress:
                progress(counts["tickets"], counts["added"] + counts["updated"])
    except HaloError as error:
        result.status, result.error, result.fix = "failed", str(error), error.fix
        result.problem = error.problem.value
    finally:
        pool.shutdown(wait=True)
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
    batch: list[tuple[int, str, str, datetime | None]],
    fetched: list[list[dict[str, Any]]],
    counts: dict[str, int],
) -> None:
    now = utcnow()
    with sessions.begin() as session:
        for (row_id, ticket_id, digest, _when), actions in zip(batch, fetched, strict=True):
            parent = int(ticket_id) if ticket_id.isdigit() else None
            keep: set[str] = set()
            if actions:
                for action in actions:
                    action.setdefault("ticket_id", parent)
                page, keys = upsert_records(session, scope, actions, now, parent_id=parent)
                keep.update(keys)
                counts["added"] += page.added
                counts["updated"] += page.updated
                counts["unchanged"] += page.unchanged
            existing = session.scalars(
                select(MirrorRecord.halo_id).where(
                    MirrorRecord.integration_id == scope.integration_id,
                    MirrorRecord.entity == ACTIONS.name,
                    MirrorRecord.parent_id == parent,
                    MirrorRecord.deleted_at.is_(None),
                )
            )
            counts["tombstoned"] += tombstone(
                session, scope, [k for k in existing if k not in keep], now
            )
            session.execute(
                update(MirrorRecord)
                .where(MirrorRecord.id == row_id)
                .values(actions_synced_for=digest)
                .execution_options(synchronize_session=False)
            )
            counts["tickets"] += 1
