"""``psahub tokens create`` as a user runs it, and the token it prints against the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from psahub.cli import app
from psahub.config import get_settings
from psahub.runtime import open_runtime
from psahub.web.app import create_app
from tests.helpers import HaloInstance

runner = CliRunner()
TOKEN = re.compile(r"psh_[A-Za-z0-9_-]{20,}")


def create_token(*args: str) -> str:
    result = runner.invoke(app, ["tokens", "create", *args])
    assert result.exit_code == 0, result.output
    assert "cannot be shown again" in " ".join(result.output.split())
    tokens = [match.group(0) for match in TOKEN.finditer(result.output)]
    assert len(tokens) == 1, result.output
    return tokens[0]


@pytest.fixture
def api(cli_env: Path) -> Iterator[TestClient]:
    """The app ``psahub serve`` would run on the CLI's database."""
    runtime = open_runtime(get_settings())
    try:
        with TestClient(create_app(runtime, run_jobs=False)) as client:
            yield client
    finally:
        runtime.close()


def test_the_printed_token_opens_the_api(api: TestClient, connected: HaloInstance) -> None:
    c = connected.credentials
    token = create_token("--name", "reporting")
    other = create_token("--name", "reporting", "--account", "other")
    assert token != other
    mine = api.get("/api/v1/integrations", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200, mine.text
    assert [i["tenant"] for i in mine.json()] == [c["tenant"]]
    assert c["client_secret"] not in mine.text
    theirs = api.get("/api/v1/integrations", headers={"Authorization": f"Bearer {other}"})
    assert theirs.status_code == 200 and theirs.json() == []


def test_a_token_for_a_new_account(api: TestClient) -> None:
    token = create_token("--name", "ci", "--account", "fresh")
    response = api.get("/api/v1/integrations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == []
    assert api.get("/api/v1/integrations").status_code == 401


def test_a_name_is_required(cli_env: Path) -> None:
    missing = runner.invoke(app, ["tokens", "create"])
    assert missing.exit_code == 2 and "--name" in missing.output
    blank = runner.invoke(app, ["tokens", "create", "--name", "  "])
    assert blank.exit_code == 2 and "name" in blank.output
    assert not TOKEN.search(blank.output)
