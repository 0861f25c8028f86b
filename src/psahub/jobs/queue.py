"""The job table as a queue: enqueue once, claim atomically, lease, finish."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from psahub.store.models import Job, utcnow

LEASE = timedelta(minutes=10)
ACTIVE = ("queued", "running")


class JobConflict(Exception):
    """Another job of the same kind is already working on the integration."""

    def __init__(self, job: Job) -> None:
        started = job.started_at.isoformat(timespec="seconds") if job.started_at else "not yet"
        super().__init__(
            f"a {job.kind} of this integration is already {job.status} (job {job.id}, started "
            f"{started}); wait for it to finish"
        )
        self.job_id = job.id


def _active(session: Session, integration_id: int, kind: str, now: datetime) -> Job | None:
    return session.scalar(
        select(Job)
        .where(
            Job.integration_id == integration_id,
            Job.kind == kind,
            or_(Job.status == "queued", (Job.status == "running") & (Job.lease_until > now)),
        )
        .order_by(Job.id)
        .limit(1)
    )


def enqueue(
    sessions: sessionmaker[Session],
    account_id: int,
    integration_id: int,
    kind: str,
    params: dict[str, Any] | None = None,
) -> int:
    """Queue a job unless an equal one is queued or running; return the job's id."""
    with sessions.begin() as session:
        existing = _active(session, integration_id, kind, utcnow())
        if existing is not None:
            if params and params.get("full") and existing.status == "queued":
                existing.params = {**existing.params, "full": True}
            return existing.id
        job = Job(
            account_id=account_id,
            integration_id=integration_id,
            kind=kind,
            params=dict(params or {}),
            status="queued",
            run_after=utcnow(),
        )
        session.add(job)
        session.flush()
        return job.id


def claim(sessions: sessionmaker[Session], job_id: int | None = None) -> Job | None:
    """Take the next runnable job (or the given one) and lease it; ``None`` when none is free.

    A running job whose lease ran out (its worker died) is runnable again. A job is not taken
    while another job of the same integration and kind is running.
    """
    now = utcnow()
    with sessions.begin() as session:
        query = select(Job).where(
            or_(Job.status == "queued", (Job.status == "running") & (Job.lease_until <= now)),
            Job.run_after <= now,
        )
        if job_id is not None:
            query = query.where(Job.id == job_id)
        for job in session.scalars(query.order_by(Job.id).limit(20)):
            busy = session.scalar(
                select(Job.id).where(
                    Job.integration_id == job.integration_id,
                    Job.kind == job.kind,
                    Job.id != job.id,
                    Job.status == "running",
                    Job.lease_until > now,
                )
            )
            if busy is not None:
                continue
            taken = session.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == job.status, Job.attempts == job.attempts)
                .values(
                    status="running",
                    attempts=job.attempts + 1,
                    lease_until=now + LEASE,
                    started_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(taken, "rowcount", 0) == 1:
                session.expire(job)
                session.refresh(job)
                return job
    return None


def renew(sessions: sessionmaker[Session], job_id: int) -> None:
    """Extend a running job's lease (called while it makes progress)."""
    with sessions.begin() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(lease_until=utcnow() + LEASE)
            .execution_options(synchronize_session=False)
        )


def finish(sessions: sessionmaker[Session], job_id: int, error: str | None = None) -> None:
    """Mark a job done, or failed with its error."""
    with sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status = "failed" if error else "done"
            job.error = error
            job.finished_at = utcnow()
            job.lease_until = None


def conflict(sessions: sessionmaker[Session], integration_id: int, kind: str) -> Job | None:
    """The job already queued or running for this integration, if any."""
    with sessions() as session:
        return _active(session, integration_id, kind, utcnow())
