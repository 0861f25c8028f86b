"""``psahub sandbox``: run the HaloPSA sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from psahub.cli.render import console, show_connect_values


def _write_credentials(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle, indent=2)
        handle.write("\n")


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8081,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = 1,
    size: Annotated[
        str, typer.Option(help="tiny, small, medium, large, or a number of tickets.")
    ] = "small",
    name: Annotated[str, typer.Option(help="URL name of the default instance.")] = "demo",
    hosting: Annotated[
        str, typer.Option(help="cloud (Halo-hosted, needs a tenant) or self-hosted.")
    ] = "cloud",
    tenant: Annotated[str, typer.Option(help="Tenant of a cloud instance.")] = "demo",
    rate_limit: Annotated[
        int, typer.Option(help="Requests per window per instance; 0 turns limiting off.")
    ] = 300,
    rate_window: Annotated[float, typer.Option(help="Rate-limit window in seconds.")] = 300.0,
    credentials_file: Annotated[
        Path | None, typer.Option(help="Also write the Connect-form values to this JSON file.")
    ] = None,
) -> None:
    """Run the HaloPSA sandbox with an instance set up exactly as the seed guide says."""
    import uvicorn

    from psahub.sandbox.admin import credentials
    from psahub.sandbox.faults import RateLimit
    from psahub.sandbox.server import quiet_fault_logs, uvicorn_config
    from psahub.sandbox.world import Sandbox

    world = Sandbox()
    limit = RateLimit(max(rate_limit, 1), rate_window, enabled=rate_limit > 0)
    try:
        with console.status(f"Generating a {size} HaloPSA instance (seed {seed})..."):
            instance, application = world.create_instance(
                name, hosting, tenant, seed, size, rate_limit=limit
            )
    except ValueError as error:
        console.print(f"[red]Cannot create the sandbox instance:[/] {error}")
        raise typer.Exit(2) from None
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    values = credentials(instance, application, f"http://{shown_host}:{port}")
    counts = instance.summary()["counts"]
    console.print(
        f"HaloPSA sandbox: {counts['tickets']:,} tickets, {counts['clients']:,} clients,"
        f" {counts['assets']:,} assets. Admin API: http://{shown_host}:{port}/_sandbox/docs"
    )
    show_connect_values(values, "Connect HaloPSA with")
    if credentials_file is not None:
        _write_credentials(credentials_file, values)
        console.print(f"Connect-form values written to {credentials_file}")
    quiet_fault_logs()
    uvicorn.Server(uvicorn_config(world, host, port, log_level="info")).run()
