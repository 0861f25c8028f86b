"""``psahub demo``: the whole product on its embedded default, against the HaloPSA sandbox."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from psahub.cli.render import console, errors, show_connect_values, show_report
from psahub.config import get_settings
from psahub.connections import DEFAULT_ACCOUNT, connect
from psahub.runtime import open_runtime
from psahub.sandbox.admin import credentials
from psahub.sandbox.server import BackgroundSandbox
from psahub.sandbox.world import Sandbox
from psahub.security.secrets import SecretError


def demo(
    port: Annotated[int, typer.Option(help="Port of the HaloPSA sandbox.")] = 8081,
    size: Annotated[str, typer.Option(help="Size of the sandbox's data.")] = "small",
) -> None:
    """Start the HaloPSA sandbox, connect psahub to it as the guide says, and keep serving."""
    settings = get_settings()
    if not (settings.allow_loopback and settings.allow_http):
        errors.print(
            "The demo connects to the sandbox on this machine over http; run it with "
            "PSAHUB_ALLOW_LOOPBACK=true PSAHUB_ALLOW_HTTP=true (make demo does)."
        )
        raise typer.Exit(2)
    world = Sandbox()
    with console.status(f"Generating a {size} HaloPSA instance..."):
        try:
            instance, app = world.create_instance("demo", "cloud", "demo", 1, size)
        except ValueError as error:
            errors.print(f"[bold red]{error}[/]")
            raise typer.Exit(2) from None
    try:
        server = BackgroundSandbox(world, port=port).start()
    except (OSError, RuntimeError) as error:
        errors.print(f"[bold red]Cannot serve the sandbox on port {port}:[/] {error}")
        raise typer.Exit(1) from None
    values = credentials(instance, app, server.url)
    show_connect_values(values, f"HaloPSA sandbox at {server.url} (admin API: /_sandbox/docs)")
    try:
        runtime = open_runtime(settings)
    except SecretError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(2) from None
    with console.status("Connecting psahub to the sandbox and checking every permission..."):
        result = connect(runtime, DEFAULT_ACCOUNT, values)
    runtime.close()
    if result.report is not None:
        show_report(result.report)
    console.print(
        f"Database: {settings.effective_database_url}\n"
        "In another shell, with the same PSAHUB_ALLOW_LOOPBACK=true PSAHUB_ALLOW_HTTP=true: "
        "`psahub doctor` re-runs the checks. Press Ctrl+C to stop."
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        server.stop()
