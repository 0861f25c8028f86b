"""``psahub connect`` and ``psahub doctor``: the Connect form and its checks."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from psahub.cli.render import console, errors, show_form_errors, show_report
from psahub.config import get_settings
from psahub.connections import DEFAULT_ACCOUNT, integrations_of, recheck
from psahub.connections import connect as connect_integration
from psahub.halo.report import Report
from psahub.runtime import Runtime, open_runtime
from psahub.security.secrets import SecretError
from psahub.store.models import Integration

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
AccountOption = Annotated[str, typer.Option(help="The psahub account (MSP) to use.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
IntegrationOption = Annotated[
    int | None, typer.Option(help="Integration id, when the account has several.")
]


def pick_integration(runtime: Runtime, account: str, integration: int | None) -> Integration:
    """The account's integration (the given one, or its first), or exit saying what to do."""
    stored = [i for i in integrations_of(runtime, account) if integration in (None, i.id)]
    if not stored:
        errors.print(
            f"Account '{account}' has no HaloPSA integration"
            + (f" with id {integration}" if integration else "")
            + ". Connect one first: psahub connect --help"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return stored[0]


def open_cli_runtime() -> Runtime:
    """Open the runtime, turning a key problem into a clear message and exit code."""
    try:
        return open_runtime(get_settings())
    except SecretError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _read_secret(value: str | None) -> str:
    if value == "-":
        return sys.stdin.readline().strip()
    if value:
        return value
    if sys.stdin.isatty():
        return str(typer.prompt("Client Secret", hide_input=True))
    return ""


def _emit(report: Report, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(report.to_json()))
    else:
        show_report(report)


def connect(
    server_type: Annotated[str, typer.Option(help="Hosted (your own server) or Cloud (Halo).")],
    client_id: Annotated[str, typer.Option(help="The application's Client ID.")],
    api_url: Annotated[str, typer.Option(help="Api Domain Url: the Resource Server.")],
    client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="PSAHUB_HALO_CLIENT_SECRET",
            help="The Client Secret; '-' reads it from standard input, and the environment "
            "variable PSAHUB_HALO_CLIENT_SECRET keeps it out of shell history.",
        ),
    ] = None,
    tenant: Annotated[str, typer.Option(help="Tenant Id (Cloud instances).")] = "",
    account: AccountOption = DEFAULT_ACCOUNT,
    as_json: JsonOption = False,
) -> None:
    """Check a HaloPSA connection and every permission, and store it when nothing fails."""
    fields = {
        "server_type": server_type,
        "client_id": client_id,
        "client_secret": _read_secret(client_secret),
        "api_url": api_url,
        "tenant": tenant,
    }
    runtime = open_cli_runtime()
    try:
        result = connect_integration(runtime, account, fields)
    finally:
        runtime.close()
    if result.form_errors:
        if as_json:
            console.print_json(json.dumps({"ok": False, "form_errors": result.form_errors}))
        else:
            show_form_errors(result.form_errors)
        raise typer.Exit(EXIT_BAD_INPUT)
    assert result.report is not None
    _emit(result.report, as_json)
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
    if not as_json:
        console.print(f"Stored as integration {result.integration_id} of account '{account}'.")


def doctor(
    account: AccountOption = DEFAULT_ACCOUNT,
    integration: IntegrationOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run every check again for the stored HaloPSA integration."""
    runtime = open_cli_runtime()
    try:
        report = recheck(runtime, pick_integration(runtime, account, integration).id)
    except SecretError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        runtime.close()
    _emit(report, as_json)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)
