"""The app factory uvicorn imports in each worker process of ``psahub serve --workers N``."""

from __future__ import annotations

import os

from fastapi import FastAPI

from psahub.config import get_settings
from psahub.log import configure_logging
from psahub.runtime import open_runtime
from psahub.web.app import create_app


def app_from_env() -> FastAPI:
    """Build the app from the environment's settings (one runtime per worker process)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    run_jobs = os.environ.get("PSAHUB_SERVE_JOBS", "true") == "true"
    return create_app(open_runtime(settings, upgrade=False), run_jobs=run_jobs)
