"""The embedded runner: a thread pool in the ``psahub serve`` process, driven by a ticker."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from psahub.jobs import queue
from psahub.jobs.functions import run_job
from psahub.jobs.scheduler import dispatch_due
from psahub.log import get_logger
from psahub.runtime import Runtime

log = get_logger(__name__)


class EmbeddedRunner:
    """Every ``tick`` seconds: queue due syncs, then run queued jobs on ``workers`` threads."""

    def __init__(self, runtime: Runtime, workers: int = 2, tick: float = 15.0) -> None:
        self.runtime = runtime
        self.workers = workers
        self.tick = tick
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="psahub-job")
        self._running: set[Future[object]] = set()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="psahub-runner", daemon=True)

    def start(self) -> EmbeddedRunner:
        """Start the ticker thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look for work now instead of at the next tick (after a job was queued)."""
        self._wake.set()

    def stop(self, wait: bool = True) -> None:
        """Stop taking work; running jobs finish (their leases make them resumable anyway)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=wait)

    def run_once(self) -> int:
        """One tick: queue what is due and start what fits; return how many jobs started."""
        try:
            dispatch_due(self.runtime)
        except Exception:
            log.exception("could not queue due syncs")
        started = 0
        self._running = {f for f in self._running if not f.done()}
        while len(self._running) < self.workers:
            job = queue.claim(self.runtime.sessions)
            if job is None:
                break
            future: Future[object] = self._pool.submit(run_job, self.runtime, job.id)
            self._running.add(future)
            started += 1
        return started

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._wake.wait(self.tick)
            self._wake.clear()
