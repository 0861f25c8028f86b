"""``psahub tokens``: per-account tokens for the JSON API (``/api/v1``)."""

from __future__ import annotations

from typing import Annotated

import typer

from psahub.cli.connect import EXIT_BAD_INPUT, AccountOption, open_cli_runtime
from psahub.cli.render import console, errors
from psahub.connections import ensure_account
from psahub.web.accounts import create_api_token

app = typer.Typer(help="Manage the tokens that authenticate the JSON API.", no_args_is_help=True)


@app.command()
def create(
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the tool that uses it.")],
    account: AccountOption = "default",
) -> None:
    """Create an API token for an account (created when it does not exist) and print it once."""
    if not name.strip():
        errors.print("[bold red]Give the token a name, e.g. --name reporting.[/]")
        raise typer.Exit(EXIT_BAD_INPUT)
    runtime = open_cli_runtime()
    try:
        with runtime.sessions.begin() as session:
            account_id = ensure_account(session, account).id
        token = create_api_token(runtime, account_id, name)
    finally:
        runtime.close()
    console.print(f"Created API token '{name.strip()}' for account '{account}':")
    console.print(token, markup=False, highlight=False, soft_wrap=True)
    console.print(
        "Copy it now: it cannot be shown again (psahub stores only its hash). Send it as "
        "'Authorization: Bearer <token>' to /api/v1.",
        markup=False,
    )
