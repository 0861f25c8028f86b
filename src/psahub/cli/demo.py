"""``psahub demo``: the whole product on its embedded default, against the HaloPSA sandbox."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer
import uvicorn

from psahub.cli.mirror import run_with_progress, show_summary
from psahub.cli.render import console, errors, show_connect_values, show_report
from psahub.config import get_settings
from psahub.connections import DEFAULT_ACCOUNT, connect
from psahub.jobs import queue
from psahub.runtime import Runtime, open_runtime
from psahub.sandbox.admin import credentials
from psahub.sandbox.faults import RateLimit
from psahub.sandbox.server import BackgroundSandbox
from psahub.sandbox.world import Sandbox
from psahub.security.secrets import SecretError
from psahub.store.models import Integration
from psahub.sync.service import plan
from psahub.web.accounts import AccountError, Role, create_user
from psahub.web.app import create_app

DEMO_EMAIL = "owner@demo.psahub.example"
DEMO_PASSWORD = "psahub-demo-owner"


def demo(
    port: Annotated[int, typer.Option(help="Port of the HaloPSA sandbox.")] = 8081,
    size: Annotated[str, typer.Option(help="Size of the sandbox's data.")] = "small",
    web_port: Annotated[int, typer.Option(help="Port of psahub's web app.")] = 8000,
) -> None:
    """Run the HaloPSA sandbox, connect psahub to it as the guide says, sync, and serve the app."""
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
            # No rate limit in the demo: its first sync should take seconds, not an hour.
            instance, app = world.create_instance(
                "demo", "cloud", "demo", 1, size, rate_limit=RateLimit(enabled=False)
            )
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
    if result.report is not None:
        show_report(result.report)
    if result.integration_id is not None:
        account_id = _raise_demo_limit(runtime, result.integration_id)
        console.print("First sync: mirroring everything the permissions can read...")
        job_id = queue.enqueue(runtime.sessions, account_id, result.integration_id, "sync")
        if queue.claim(runtime.sessions, job_id) is not None:
            names = [e.name for e in plan()]
            show_summary(
                run_with_progress(runtime, job_id, result.integration_id, names, False, None)
            )
    _ensure_demo_owner(runtime)
    console.print(
        f"\n[bold]Open http://127.0.0.1:{web_port}[/] and sign in as [bold]{DEMO_EMAIL}[/] with "
        f"the password [bold]{DEMO_PASSWORD}[/]. Database: {settings.effective_database_url}. "
        "The job runner syncs every 15 minutes while this runs. Press Ctrl+C to stop."
    )
    try:
        uvicorn.run(create_app(runtime), host="127.0.0.1", port=web_port, log_level="warning")
    finally:
        runtime.close()
        server.stop()


def _ensure_demo_owner(runtime: Runtime) -> None:
    """The demo's owner, created once (a real deployment creates its own first owner)."""
    with contextlib.suppress(AccountError):  # created by an earlier demo run
        create_user(runtime, DEFAULT_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD, Role.OWNER)


def _raise_demo_limit(runtime: Runtime, integration_id: int) -> int:
    """The demo's sandbox has no rate limit to respect; a real HaloPSA keeps the default.

    Returns the integration's account id.
    """
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        integration.rate_limit_requests, integration.rate_limit_window = 100_000, 1.0
        return integration.account_id
