"""``psahub connect``, ``psahub doctor`` and ``psahub keys`` as a user runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from psahub.cli import app
from psahub.config import get_settings
from psahub.security.secrets import generate_key
from tests.helpers import HaloInstance

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_env")


def _args(halo: HaloInstance, *extra: str) -> list[str]:
    c = halo.credentials
    return [
        "connect",
        "--server-type",
        c["server_type"],
        "--client-id",
        c["client_id"],
        "--api-url",
        c["api_url"],
        "--tenant",
        c["tenant"],
        *extra,
    ]


def test_connect_with_the_secret_from_the_environment(
    halo: HaloInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSAHUB_HALO_CLIENT_SECRET", halo.credentials["client_secret"])
    result = runner.invoke(app, _args(halo))
    assert result.exit_code == 0, result.output
    assert "Connected." in result.output and "Stored as integration 1" in result.output
    assert halo.credentials["client_secret"] not in result.output


def test_connect_with_the_secret_on_stdin_and_json(halo: HaloInstance) -> None:
    result = runner.invoke(
        app,
        _args(halo, "--client-secret", "-", "--json"),
        input=halo.credentials["client_secret"] + "\n",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and len(report["checks"]) > 30
    doctor = runner.invoke(app, ["doctor", "--json"])
    assert doctor.exit_code == 0
    assert json.loads(doctor.output)["ok"] is True


def test_failed_check_exits_1_with_the_fix(halo: HaloInstance) -> None:
    halo.set_scopes(["read:tickets", "edit:tickets"])
    result = runner.invoke(app, _args(halo, "--client-secret", halo.credentials["client_secret"]))
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "Not connected." in text and "tick read:customers" in text


def test_bad_input_exits_2_without_a_traceback(halo: HaloInstance) -> None:
    args = _args(halo, "--client-secret", halo.credentials["client_id"])
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "same as the Client Id" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert halo.counters()["requests_total"] == 0


def test_doctor_without_an_integration_says_what_to_do() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert "psahub connect" in result.output


def test_doctor_reports_a_permission_taken_away_later(halo: HaloInstance) -> None:
    assert (
        runner.invoke(
            app, _args(halo, "--client-secret", halo.credentials["client_secret"])
        ).exit_code
        == 0
    )
    halo.set_role(can_view_item_costs=False)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert '"Can View Item Costs" to Yes' in " ".join(result.output.split())


def test_keys_generate_and_rotate(halo: HaloInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    first = generate_key()
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", first)
    get_settings.cache_clear()
    assert (
        runner.invoke(
            app, _args(halo, "--client-secret", halo.credentials["client_secret"])
        ).exit_code
        == 0
    )
    new = runner.invoke(app, ["keys", "generate"]).output.strip()
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", f"{new},{first}")
    get_settings.cache_clear()
    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert "Re-encrypted 1 secret" in rotated.output
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", new)
    get_settings.cache_clear()
    assert runner.invoke(app, ["doctor"]).exit_code == 0


def test_unreadable_secret_after_a_key_change_explains_itself(
    halo: HaloInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", generate_key())
    get_settings.cache_clear()
    assert (
        runner.invoke(
            app, _args(halo, "--client-secret", halo.credentials["client_secret"])
        ).exit_code
        == 0
    )
    monkeypatch.setenv("PSAHUB_SECRET_KEYS", generate_key())
    get_settings.cache_clear()
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "psahub keys rotate" in " ".join(result.output.split())
