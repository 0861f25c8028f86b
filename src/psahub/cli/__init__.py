"""The ``psahub`` command line."""

from __future__ import annotations

import typer

from psahub import __version__
from psahub.cli import connect, demo, keys, mirror, sandbox, serve, tokens, users
from psahub.cli.render import console
from psahub.config import get_settings
from psahub.log import configure_logging

app = typer.Typer(
    help="psahub: connect HaloPSA to an MSP security platform, mirror it, write tickets back.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Set up logging for every command."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


@app.command()
def version() -> None:
    """Print psahub's version."""
    console.print(f"psahub {__version__}")


app.command()(demo.demo)
app.command()(sandbox.sandbox)
app.command()(connect.connect)
app.command()(connect.doctor)
app.command()(mirror.sync)
app.command()(mirror.status)
app.command()(mirror.export)
app.command()(mirror.configure)
app.command()(serve.serve)
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")

if __name__ == "__main__":  # pragma: no cover
    app()
