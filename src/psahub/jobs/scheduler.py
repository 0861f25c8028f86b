"""Which integrations are due: incremental syncs every few minutes, a full reconcile nightly."""

from __future__ import annotations

from sqlalchemy import or_, select

from psahub.jobs import queue
from psahub.runtime import Runtime
from psahub.store.models import Integration, utcnow


def dispatch_due(runtime: Runtime) -> list[int]:
    """Queue a sync for every integration whose time has come; return the job ids.

    Safe to call from several places at once: a job already queued or running is reused.
    """
    now = utcnow()
    with runtime.sessions() as session:
        due = list(
            session.execute(
                select(Integration.id, Integration.account_id, Integration.next_reconcile_at).where(
                    or_(Integration.next_sync_at.is_(None), Integration.next_sync_at <= now)
                )
            )
        )
    jobs = []
    for integration_id, account_id, reconcile_at in due:
        full = reconcile_at is not None and reconcile_at <= now
        jobs.append(
            queue.enqueue(runtime.sessions, account_id, integration_id, "sync", {"full": full})
        )
    return jobs
