"""``psahub users``: the people who sign in to an account."""

from __future__ import annotations

from typing import Annotated

import typer

from psahub.cli.connect import EXIT_BAD_INPUT, AccountOption, open_cli_runtime
from psahub.cli.render import console, errors
from psahub.web.accounts import AccountError, Role, create_user

app = typer.Typer(help="Manage the users who sign in to psahub.", no_args_is_help=True)


@app.command()
def create(
    email: Annotated[str, typer.Option(help="The user's e-mail, used to sign in.")],
    role: Annotated[Role, typer.Option(help="owner, admin or viewer.")] = Role.OWNER,
    password: Annotated[
        str | None,
        typer.Option(envvar="PSAHUB_USER_PASSWORD", help="The password; prompted when absent."),
    ] = None,
    account: AccountOption = "default",
) -> None:
    """Create a user (the account is created when it does not exist)."""
    secret = password or str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    runtime = open_cli_runtime()
    try:
        create_user(runtime, account, email, secret, role)
    except AccountError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        runtime.close()
    console.print(f"Created {role.value} {email.strip().lower()} in account '{account}'.")
