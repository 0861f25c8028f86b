"""``psahub keys``: the key ring that encrypts secrets at rest."""

from __future__ import annotations

import typer
from rich.progress import Progress

from psahub.cli.render import console, errors
from psahub.config import get_settings
from psahub.connections import rotate_secrets
from psahub.runtime import open_runtime
from psahub.security.secrets import SecretError, generate_key

app = typer.Typer(help="Manage the keys that encrypt client secrets at rest.", no_args_is_help=True)


@app.command()
def generate() -> None:
    """Print a new key to put first in PSAHUB_SECRET_KEYS."""
    console.print(generate_key())


@app.command()
def rotate() -> None:
    """Re-encrypt every stored secret with the newest key of PSAHUB_SECRET_KEYS."""
    try:
        runtime = open_runtime(get_settings())
    except SecretError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(2) from None
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("Re-encrypting secrets", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            count = rotate_secrets(runtime, advance)
    except SecretError as error:
        errors.print(f"[bold red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        runtime.close()
    console.print(
        f"Re-encrypted {count} secret(s) with key {runtime.keys.current_id}. Older keys can now "
        "be removed from PSAHUB_SECRET_KEYS."
    )
