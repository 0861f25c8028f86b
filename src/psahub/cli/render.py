"""How the command line shows things: tables, reports and errors."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from psahub.halo.form import LABELS
from psahub.halo.report import Report, Status

console = Console()
errors = Console(stderr=True)

_STYLE = {
    Status.PASS: "[green]pass[/]",
    Status.WARN: "[yellow]warn[/]",
    Status.FAIL: "[bold red]FAIL[/]",
    Status.SKIP: "[dim]skip[/]",
}


def show_connect_values(values: dict[str, str], title: str) -> None:
    """Print the five values of the Connect form as a table."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("Connect form field")
    table.add_column("Value", overflow="fold")
    for key in ("server_type", "client_id", "client_secret", "api_url", "tenant"):
        table.add_row(LABELS[key], values[key] or "(leave empty)")
    console.print(table)


def show_form_errors(form_errors: dict[str, str]) -> None:
    """Print what is wrong with each field of the Connect form."""
    errors.print("[bold red]The connection details need fixing before psahub can try them:[/]")
    for field, message in form_errors.items():
        errors.print(f"  [bold]{LABELS.get(field, field)}[/]: {message}")


def show_report(report: Report) -> None:
    """Print the doctor's report: one line per check, then the fixes."""
    table = Table(title=f"HaloPSA at {report.api_url}", header_style="bold", show_lines=False)
    table.add_column("")
    table.add_column("Check")
    table.add_column("Result", overflow="fold")
    for check in report.checks:
        table.add_row(_STYLE[check.status], check.title, check.summary)
    console.print(table)
    to_fix = [c for c in report.checks if c.fix and c.status in (Status.FAIL, Status.WARN)]
    for check in to_fix:
        console.print(f"{_STYLE[check.status]} [bold]{check.title}[/]: {check.summary}")
        if check.evidence:
            console.print(f"    [dim]{check.evidence}[/]")
        console.print(f"    [bold]Fix:[/] {check.fix}")
    verdict = "[green]Connected.[/]" if report.ok else "[bold red]Not connected.[/]"
    console.print(
        f"{verdict} {len(report.failures)} failed, "
        f"{sum(c.status is Status.WARN for c in report.checks)} warnings."
    )
