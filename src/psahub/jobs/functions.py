"""The job functions. Both runners call these with nothing but ids."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from psahub.jobs import queue
from psahub.log import get_logger
from psahub.runtime import Runtime
from psahub.store.models import Job
from psahub.sync.engine import Progress
from psahub.sync.service import SyncReport, sync_integration

log = get_logger(__name__)
RENEW_EVERY = 30.0


def run_job(runtime: Runtime, job_id: int, **options: Any) -> SyncReport | None:
    """Run a claimed job to its end and record how it ended."""
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            log.warning("job vanished", job_id=job_id)
            return None
        kind, integration_id, params = job.kind, job.integration_id, dict(job.params)
    last_renewal = time.monotonic()

    def keep_lease(*_args: Any) -> None:
        nonlocal last_renewal
        if time.monotonic() - last_renewal > RENEW_EVERY:
            queue.renew(runtime.sessions, job_id)
            last_renewal = time.monotonic()

    try:
        if kind != "sync":
            raise ValueError(f"unknown job kind {kind!r}")
        report = sync_job(runtime, integration_id, params, keep_lease, keep_lease, **options)
    except Exception as error:
        log.exception("job failed", job_id=job_id, kind=kind)
        queue.finish(runtime.sessions, job_id, error=f"{type(error).__name__}: {error}")
        raise
    failed = [r for r in report.results if r.status == "failed"]
    queue.finish(
        runtime.sessions, job_id, error="; ".join(f"{r.entity}: {r.error}" for r in failed) or None
    )
    log.info("job finished", job_id=job_id, health=report.health.value, failed=len(failed))
    return report


def sync_job(
    runtime: Runtime,
    integration_id: int,
    params: dict[str, Any],
    progress: Callable[[Progress], None] | None = None,
    actions_progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> SyncReport:
    """Sync one integration as a job's parameters say (``full``, ``entities``)."""
    return sync_integration(
        runtime,
        integration_id,
        full=bool(params.get("full")),
        entities=params.get("entities") or None,
        progress=progress,
        actions_progress=actions_progress,
        **options,
    )
