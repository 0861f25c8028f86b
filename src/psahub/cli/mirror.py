"""``psahub sync``, ``psahub status`` and ``psahub export``: the mirror on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from psahub.cli.connect import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    AccountOption,
    IntegrationOption,
    open_cli_runtime,
    pick_integration,
)
from psahub.cli.render import console, errors
from psahub.export import FORMATS, export_entity
from psahub.halo.entities import BY_NAME
from psahub.jobs import queue
from psahub.jobs.functions import sync_job
from psahub.mirror.status import entity_counts, last_runs
from psahub.runtime import Runtime
from psahub.store.models import Integration
from psahub.sync.engine import Progress as PassProgress
from psahub.sync.service import SyncReport, plan


def sync(
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything and find deletions.")
    ] = False,
    entity: Annotated[
        list[str] | None, typer.Option("--entity", help="Only this entity (repeatable).")
    ] = None,
    account: AccountOption = "default",
    integration: IntegrationOption = None,
) -> None:
    """Sync the HaloPSA mirror now, with a progress bar per entity."""
    try:
        order = plan(entity)
    except KeyError as error:
        errors.print(str(error.args[0]))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    runtime = open_cli_runtime()
    try:
        target = pick_integration(runtime, account, integration)
        job_id = queue.enqueue(
            runtime.sessions,
            target.account_id,
            target.id,
            "sync",
            {"full": full, "entities": entity or []},
        )
        if queue.claim(runtime.sessions, job_id) is None:
            active = queue.conflict(runtime.sessions, target.id, "sync")
            message = str(queue.JobConflict(active)) if active else "the sync could not start"
            errors.print(f"[bold red]Not started:[/] {message}.")
            raise typer.Exit(EXIT_FAILED)
        report = run_with_progress(
            runtime, job_id, target.id, [e.name for e in order], full, entity
        )
    finally:
        runtime.close()
    show_summary(report)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


def run_with_progress(
    runtime: Runtime,
    job_id: int,
    integration_id: int,
    names: list[str],
    full: bool,
    entities: list[str] | None,
) -> SyncReport:
    """Run a claimed sync job in this process with a progress bar per entity."""
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>8} rec/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, TaskID] = {n: bar.add_task(n, total=None, rate="") for n in names}

        def on_page(state: PassProgress) -> None:
            task = tasks[state.entity]
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{state.records / elapsed:,.0f}" if elapsed > 0.1 else ""
            bar.update(task, completed=state.records, total=state.expected, rate=rate)
            if state.pages % 50 == 0:
                queue.renew(runtime.sessions, job_id)

        def on_actions(tickets: int, records: int) -> None:
            bar.update(tasks["actions"], completed=tickets, rate=str(records))

        try:
            report = sync_job(
                runtime, integration_id, {"full": full, "entities": entities}, on_page, on_actions
            )
        except Exception as error:
            queue.finish(runtime.sessions, job_id, error=f"{type(error).__name__}: {error}")
            raise
        for task in tasks.values():
            done = bar.tasks[task].completed or 1
            bar.update(task, total=done, completed=done)
    failed = [r for r in report.results if r.status == "failed"]
    queue.finish(
        runtime.sessions, job_id, error="; ".join(f"{r.entity}: {r.error}" for r in failed) or None
    )
    return report


def show_summary(report: SyncReport) -> None:
    """Print what a sync did, entity by entity, and each failure's fix."""
    table = Table(title=f"Sync: {report.health.value}", header_style="bold")
    for column in (
        "entity",
        "kind",
        "status",
        "added",
        "updated",
        "unchanged",
        "tombstoned",
        "requests",
        "429s",
    ):
        table.add_column(
            column, justify="right" if column not in ("entity", "kind", "status") else "left"
        )
    for result in report.results:
        c = result.counts
        table.add_row(
            result.entity,
            result.kind,
            result.status,
            *(
                f"{c.get(k, 0):,}"
                for k in ("added", "updated", "unchanged", "tombstoned", "requests", "rate_limited")
            ),
        )
    console.print(table)
    for result in report.results:
        if result.status == "failed":
            console.print(f"[bold red]{result.entity}[/]: {result.error}")
            if result.fix:
                console.print(f"    [bold]Fix:[/] {result.fix}")


def status(account: AccountOption = "default", integration: IntegrationOption = None) -> None:
    """Print the integration's health, its last runs and what the mirror holds."""
    runtime = open_cli_runtime()
    try:
        target = pick_integration(runtime, account, integration)
        counts = entity_counts(runtime, target.id)
        runs = {r.entity: r for r in last_runs(runtime, target.id)}
    finally:
        runtime.close()
    console.print(
        f"[bold]{target.api_url}[/] — health: [bold]{target.health}[/]; next sync "
        f"{target.next_sync_at or 'when the runner starts'}; next full reconcile "
        f"{target.next_reconcile_at or 'after the first sync'}"
    )
    table = Table(header_style="bold")
    for column in ("entity", "records", "tombstoned", "last run", "status", "finished", "note"):
        table.add_column(column)
    for name in BY_NAME:
        active, gone = counts.get(name, (0, 0))
        run = runs.get(name)
        table.add_row(
            name,
            f"{active:,}",
            f"{gone:,}",
            run.kind if run else "-",
            run.status if run else "never",
            str(run.finished_at or "")[:19] if run else "",
            (run.error or run.note or "") if run else "",
        )
    console.print(table)


def export(
    entity: Annotated[str | None, typer.Argument(help="What to export (see --list).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    include_deleted: Annotated[
        bool, typer.Option("--include-deleted", help="Also tombstoned records.")
    ] = False,
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    list_entities: Annotated[bool, typer.Option("--list", help="List the entities.")] = False,
    account: AccountOption = "default",
    integration: IntegrationOption = None,
) -> None:
    """Write mirrored records: jsonl is one Halo record per line, as received."""
    if list_entities or entity is None:
        console.print("\n".join(BY_NAME))
        if entity is None and not list_entities:
            raise typer.Exit(EXIT_BAD_INPUT)
        return
    if entity not in BY_NAME or fmt not in FORMATS:
        errors.print(
            f"Choose an entity from: {', '.join(BY_NAME)}; and a format from: {', '.join(FORMATS)}."
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    runtime = open_cli_runtime()
    try:
        target = pick_integration(runtime, account, integration)
        if output is None:
            written = export_entity(
                runtime,
                target.id,
                entity,
                fmt,
                typer.get_text_stream("stdout"),
                include_deleted=include_deleted,
            )
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                written = export_entity(
                    runtime, target.id, entity, fmt, handle, include_deleted=include_deleted
                )
            errors.print(f"Wrote {written:,} {entity} to {output}.")
    finally:
        runtime.close()


def configure(
    sync_every: Annotated[
        int | None, typer.Option(help="Minutes between incremental syncs (default 15).", min=1)
    ] = None,
    reconcile_every: Annotated[
        int | None, typer.Option(help="Hours between full reconciles (default 24).", min=1)
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option(help="Requests HaloPSA allows per window (default 300).", min=1)
    ] = None,
    rate_window: Annotated[
        float | None, typer.Option(help="That window in seconds (default 300).", min=1)
    ] = None,
    account: AccountOption = "default",
    integration: IntegrationOption = None,
) -> None:
    """Change the integration's sync schedule and the rate limit psahub keeps to."""
    runtime = open_cli_runtime()
    try:
        target = pick_integration(runtime, account, integration)
        with runtime.sessions.begin() as session:
            row = session.get(Integration, target.id)
            assert row is not None
            if sync_every is not None:
                row.sync_every = sync_every * 60
                row.next_sync_at = None
            if reconcile_every is not None:
                row.reconcile_every = reconcile_every * 3600
            if rate_limit is not None:
                row.rate_limit_requests = rate_limit
            if rate_window is not None:
                row.rate_limit_window = rate_window
            console.print(
                f"Incremental sync every {row.sync_every // 60} min, full reconcile every "
                f"{row.reconcile_every // 3600} h, at most {row.rate_limit_requests} requests per "
                f"{row.rate_limit_window:g} s."
            )
    finally:
        runtime.close()
