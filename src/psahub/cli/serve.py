"""``psahub serve``: the web app with the embedded job runner."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from psahub.cli.connect import open_cli_runtime
from psahub.cli.render import console


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Web worker processes.", min=1)] = 1,
    jobs: Annotated[bool, typer.Option(help="Run scheduled syncs in this process.")] = True,
) -> None:
    """Serve psahub; in embedded mode this process also runs every scheduled sync.

    With several workers each one also ticks the job runner; jobs are claimed atomically in
    the database, so a sync still runs once.
    """
    runtime = open_cli_runtime()  # migrates the database once, before the workers start
    url = runtime.settings.effective_database_url
    runtime.close()
    console.print(
        f"psahub on http://{host}:{port} (database {url}; {workers} worker(s); "
        f"job runner {'on' if jobs else 'off'})"
    )
    os.environ["PSAHUB_SERVE_JOBS"] = "true" if jobs else "false"
    uvicorn.run(
        "psahub.web.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )
