"""``psahub serve``: the web app with the embedded job runner."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from psahub.cli.connect import open_cli_runtime
from psahub.cli.render import console
from psahub.web.app import create_app


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    jobs: Annotated[bool, typer.Option(help="Run scheduled syncs in this process.")] = True,
) -> None:
    """Serve psahub; in embedded mode this process also runs every scheduled sync."""
    runtime = open_cli_runtime()
    console.print(
        f"psahub on http://{host}:{port} (database {runtime.settings.effective_database_url};"
        f" job runner {'on' if jobs else 'off'})"
    )
    try:
        uvicorn.run(create_app(runtime, run_jobs=jobs), host=host, port=port, log_level="info")
    finally:
        runtime.close()
