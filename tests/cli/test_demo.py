"""``psahub demo``: sandbox, connect and report, on the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from psahub.cli import app
from psahub.config import get_settings
from tests.cli.test_sandbox import _free_port


def test_demo_refuses_without_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSAHUB_ALLOW_LOOPBACK", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["demo"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "PSAHUB_ALLOW_LOOPBACK=true" in " ".join(result.output.split())


def test_demo_connects_to_its_sandbox(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PSAHUB_DATA_DIR": str(tmp_path),
        "PSAHUB_ALLOW_LOOPBACK": "true",
        "PSAHUB_ALLOW_HTTP": "true",
        "COLUMNS": "200",
    }
    env.pop("PSAHUB_DATABASE_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "psahub.cli",
            "demo",
            "--size",
            "tiny",
            "--port",
            str(_free_port()),
            "--web-port",
            str(web_port := _free_port()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Not connected." in line or "sign in as" in line:
                break
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{web_port}/healthz").json()
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    output = "".join(lines)
    assert "Connected. 0 failed, 0 warnings." in output, output
    assert "Sync: healthy" in output and "owner@demo.psahub.example" in output
    assert health is not None and health["runner"] == "running"
    assert (tmp_path / "psahub.db").exists() and (tmp_path / "secret.key").exists()
