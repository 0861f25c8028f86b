"""The FastAPI application served by ``psahub serve``; it also hosts the embedded runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from psahub import __version__
from psahub.jobs.embedded import EmbeddedRunner
from psahub.runtime import Runtime


def create_app(runtime: Runtime, *, run_jobs: bool = True, tick: float = 15.0) -> FastAPI:
    """The app for ``runtime``; with ``run_jobs`` the embedded runner lives in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = EmbeddedRunner(runtime, tick=tick).start() if run_jobs else None
        app.state.runner = runner
        try:
            yield
        finally:
            if runner is not None:
                runner.stop(wait=False)

    app = FastAPI(title="psahub", version=__version__, lifespan=lifespan)
    app.state.runtime = runtime

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers and the runner thread is alive."""
        runner = app.state.runner
        return {
            "status": "ok",
            "version": __version__,
            "runner": "off" if runner is None else "running",
        }

    return app
