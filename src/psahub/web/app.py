"""The FastAPI application served by ``psahub serve``; it also hosts the embedded runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from psahub import __version__
from psahub.jobs.embedded import EmbeddedRunner
from psahub.runtime import Runtime
from psahub.security.secrets import file_secret
from psahub.web.accounts import LoginThrottle
from psahub.web.api import v1
from psahub.web.deps import NotSignedIn
from psahub.web.routes import auth, data, integrations

STATIC = Path(__file__).with_name("static")
SESSION_HOURS = 12


def _session_secret(runtime: Runtime) -> str:
    configured = runtime.settings.session_secret
    if configured is not None:
        return configured.get_secret_value()
    return file_secret(runtime.settings.data_dir / "session.key")


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

    app = FastAPI(
        title="psahub",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.runner = None
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(
        SessionMiddleware,
        secret_key=_session_secret(runtime),
        session_cookie="psahub_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=runtime.settings.mode == "distributed",
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(integrations.router)
    app.include_router(data.router)
    app.include_router(v1.router)

    @app.exception_handler(NotSignedIn)
    async def _sign_in_first(request: Request, _error: NotSignedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", 303)

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/integrations", 303)

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
