"""``psahub sync``, ``status`` and ``export`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from psahub.cli import app
from psahub.config import get_settings
from tests.helpers import HaloInstance

runner = CliRunner()


def test_sync_status_and_export(connected: HaloInstance, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 0, result.output
    assert "Sync: healthy" in result.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "healthy" in status.output
    jsonl = runner.invoke(app, ["export", "tickets"])
    lines = [json.loads(line) for line in jsonl.output.splitlines() if line.strip()]
    assert {r["id"] for r in lines} == {t["id"] for t in connected.truth("tickets")}
    target = tmp_path / "clients.csv"
    written = runner.invoke(app, ["export", "clients", "--format", "csv", "--output", str(target)])
    assert written.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert {r["halo_id"] for r in rows} == {str(c["id"]) for c in connected.truth("clients")}
    assert "name" in rows[0] and "toplevel_name" in rows[0]


def test_sync_one_entity_and_full(connected: HaloInstance) -> None:
    result = runner.invoke(app, ["sync", "--entity", "clients", "--entity", "items", "--full"])
    assert result.exit_code == 0, result.output
    assert "clients" in result.output and "tickets" not in result.output


def test_export_includes_tombstones_only_when_asked(connected: HaloInstance) -> None:
    assert runner.invoke(app, ["sync"]).exit_code == 0
    connected.admin.post(connected.admin_path("/mutations"), json={"entity": "items", "delete": 2})
    assert runner.invoke(app, ["sync", "--entity", "items"]).exit_code == 0
    live = runner.invoke(app, ["export", "items"]).output.splitlines()
    everything = runner.invoke(app, ["export", "items", "--include-deleted"]).output.splitlines()
    assert len(everything) == len(live) + 2


def test_bad_entity_and_format_are_explained(connected: HaloInstance) -> None:
    bad = runner.invoke(app, ["sync", "--entity", "ticket"])
    assert bad.exit_code == 2 and "unknown entity ticket" in bad.output
    listing = runner.invoke(app, ["export", "--list"])
    assert listing.exit_code == 0 and "recurring_invoices" in listing.output
    wrong = runner.invoke(app, ["export", "tickets", "--format", "xml"])
    assert wrong.exit_code == 2 and "jsonl, csv" in wrong.output


def test_failed_sync_exits_1_with_the_fix(connected: HaloInstance) -> None:
    connected.set_role({"items": "none"})
    result = runner.invoke(app, ["sync", "--entity", "items"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert '"Products/Items Access Level" to "Read Only"' in text
    status = runner.invoke(app, ["status"])
    assert "permission_missing" in status.output


def test_sync_without_an_integration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PSAHUB_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["sync"])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "psahub connect" in result.output


def test_configure_changes_schedule_and_limit(connected: HaloInstance) -> None:
    result = runner.invoke(
        app,
        [
            "configure",
            "--sync-every",
            "5",
            "--reconcile-every",
            "12",
            "--rate-limit",
            "250",
            "--rate-window",
            "300",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "every 5 min" in text and "every 12 h" in text and "250 requests per 300 s" in text
    assert runner.invoke(app, ["configure", "--sync-every", "0"]).exit_code == 2
