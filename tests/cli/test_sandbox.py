"""The psahub command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from psahub.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and "psahub" in result.output


def test_sandbox_refuses_a_bad_size_clearly() -> None:
    result = runner.invoke(app, ["sandbox", "--size", "enormous"])
    assert result.exit_code == 2
    assert "size must be one of tiny, small, medium, large" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sandbox_command_serves_and_writes_the_connect_values(tmp_path: Path) -> None:
    port = _free_port()
    creds_file = tmp_path / "creds.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "psahub.cli",
            "sandbox",
            "--size",
            "tiny",
            "--port",
            str(port),
            "--credentials-file",
            str(creds_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/authinfo").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the sandbox did not start"
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.1)
        values = json.loads(creds_file.read_text())
        assert set(values) == {"server_type", "client_id", "client_secret", "api_url", "tenant"}
        assert values["server_type"] == "Cloud" and values["tenant"] == "demo"
        assert oct(os.stat(creds_file).st_mode & 0o777) == "0o600"
        token = httpx.post(
            f"{values['api_url'].removesuffix('/api')}/auth/token",
            params={"tenant": values["tenant"]},
            data={
                "grant_type": "client_credentials",
                "client_id": values["client_id"],
                "client_secret": values["client_secret"],
                "scope": "all",
            },
        )
        assert token.status_code == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "Api Domain Url" in output and values["client_id"] in output
