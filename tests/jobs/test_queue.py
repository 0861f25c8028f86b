"""The job table: enqueue once, claim atomically, leases, and the embedded runner."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update

from psahub.jobs import queue
from psahub.jobs.embedded import EmbeddedRunner
from psahub.jobs.scheduler import dispatch_due
from psahub.runtime import Runtime
from psahub.store.models import Integration, Job, utcnow
from tests.helpers import HaloInstance
from tests.mirroring import MirrorOf


def test_enqueue_once(runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    first = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync")
    again = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync", {"full": True})
    assert first == again
    with runtime.sessions() as session:
        job = session.get(Job, first)
        assert job is not None and job.params == {"full": True}


def test_claim_leases_and_excludes_a_second_run(
    runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    job_id = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync")
    claimed = queue.claim(runtime.sessions)
    assert claimed is not None and claimed.id == job_id and claimed.status == "running"
    assert claimed.lease_until is not None and claimed.attempts == 1
    assert queue.claim(runtime.sessions) is None
    second = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync")
    assert second == job_id  # the running one is reused
    queue.finish(runtime.sessions, job_id)
    third = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync")
    assert third != job_id


def test_a_dead_workers_job_is_claimed_again(
    runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    job_id = queue.enqueue(runtime.sessions, 1, mirror.integration_id, "sync")
    assert queue.claim(runtime.sessions) is not None
    with runtime.sessions.begin() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1))
        )
    again = queue.claim(runtime.sessions)
    assert again is not None and again.id == job_id and again.attempts == 2


def test_scheduler_queues_due_integrations_and_reconciles_nightly(
    runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    [job_id] = dispatch_due(runtime)  # never synced: due now
    with runtime.sessions.begin() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.params == {"full": False}
        job.status = "done"
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None
        integration.next_sync_at = utcnow() + timedelta(minutes=10)
    assert dispatch_due(runtime) == []
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None
        integration.next_sync_at = utcnow() - timedelta(seconds=1)
        integration.next_reconcile_at = utcnow() - timedelta(seconds=1)
    [full_job] = dispatch_due(runtime)
    with runtime.sessions() as session:
        job = session.get(Job, full_job)
        assert job is not None and job.params == {"full": True}


def test_embedded_runner_syncs_what_is_due(
    runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    runner = EmbeddedRunner(runtime, workers=1, tick=0.05).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with runtime.sessions() as session:
                integration = session.get(Integration, mirror.integration_id)
                assert integration is not None
                if integration.health == "healthy":
                    break
            time.sleep(0.1)
    finally:
        runner.stop()
    assert integration is not None and integration.health == "healthy"
    mirror.assert_matches_source("tickets", "clients")
    with runtime.sessions() as session:
        jobs = list(session.query(Job).order_by(Job.id))
    assert jobs[0].status == "done" and jobs[0].error is None
