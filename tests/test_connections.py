"""Connecting: form, doctor and storage together; secrets encrypted and bound to their row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text, update

from psahub.connections import (
    ConnectResult,
    connect,
    integrations_of,
    recheck,
    rotate_secrets,
    stored_settings,
)
from psahub.halo.budget import RollingWindowBudget
from psahub.runtime import Runtime
from psahub.security.secrets import KeyRing, SecretError, generate_key
from psahub.store.models import Integration
from tests.halo.conftest import FAST
from tests.helpers import HaloInstance


def _connect(
    runtime: Runtime, halo: HaloInstance, account: str = "acme", **fields: str
) -> ConnectResult:
    values = {**halo.credentials, **fields}
    return connect(runtime, account, values, retry=FAST, budget=RollingWindowBudget())


def test_connect_stores_the_integration_with_an_encrypted_secret(
    runtime: Runtime, halo: HaloInstance
) -> None:
    result = _connect(runtime, halo)
    assert result.ok and result.report is not None and result.report.ok
    [integration] = integrations_of(runtime, "acme")
    assert integration.id == result.integration_id
    assert integration.base_url == f"{halo.root}/{halo.name}"
    assert integration.tenant == halo.credentials["tenant"]
    assert integration.server_type == "cloud"
    secret = halo.credentials["client_secret"]
    assert secret not in integration.secret_ciphertext
    with runtime.engine.connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM integrations")).fetchall())
    assert secret not in dump
    assert stored_settings(runtime, integration).client_secret == secret
    assert integration.last_report is not None and integration.last_report["ok"] is True


def test_bad_fields_are_refused_before_any_request(runtime: Runtime, halo: HaloInstance) -> None:
    result = _connect(runtime, halo, client_id=halo.credentials["client_secret"])
    assert not result.ok and result.report is None
    assert "client_id" in result.form_errors
    assert halo.counters()["requests_total"] == 0
    assert integrations_of(runtime, "acme") == []


def test_failed_doctor_stores_nothing(runtime: Runtime, halo: HaloInstance) -> None:
    result = _connect(runtime, halo, client_secret="0" * 40)
    assert not result.ok and result.report is not None and not result.report.ok
    assert integrations_of(runtime, "acme") == []


def test_reconnecting_the_same_instance_keeps_the_integration(
    runtime: Runtime, halo: HaloInstance
) -> None:
    first = _connect(runtime, halo)
    response = halo.admin.patch(
        halo.admin_path("/applications/1"),
        json={"regenerate_client_id": True, "regenerate_secret": True},
    )
    new = response.json()["credentials"]
    second = _connect(
        runtime,
        halo,
        client_id=new["client_id"],
        client_secret=new["client_secret"],
        api_url=f"{halo.api}/",
    )
    assert second.integration_id == first.integration_id
    [integration] = integrations_of(runtime, "acme")
    assert integration.client_id == new["client_id"]
    assert stored_settings(runtime, integration).client_secret == new["client_secret"]


def test_empty_secret_keeps_the_stored_one(runtime: Runtime, halo: HaloInstance) -> None:
    first = _connect(runtime, halo)
    again = connect(
        runtime,
        "acme",
        {**halo.credentials, "client_secret": ""},
        keep_secret_of=first.integration_id,
        retry=FAST,
        budget=RollingWindowBudget(),
    )
    assert again.ok and again.integration_id == first.integration_id
    other_account = connect(
        runtime,
        "other",
        {**halo.credentials, "client_secret": ""},
        keep_secret_of=first.integration_id,
        retry=FAST,
        budget=RollingWindowBudget(),
    )
    assert "client_secret" in other_account.form_errors


def test_accounts_do_not_share_integrations(runtime: Runtime, halo: HaloInstance) -> None:
    _connect(runtime, halo, account="one")
    _connect(runtime, halo, account="two")
    [one], [two] = integrations_of(runtime, "one"), integrations_of(runtime, "two")
    assert one.id != two.id
    assert integrations_of(runtime, "three") == []


def test_ciphertext_copied_to_another_row_does_not_open(
    runtime: Runtime, make_instance: Callable[..., HaloInstance]
) -> None:
    first, second = make_instance(), make_instance()
    a = _connect(runtime, first).integration_id
    b = _connect(runtime, second).integration_id
    with runtime.sessions.begin() as session:
        stolen = session.scalar(select(Integration.secret_ciphertext).where(Integration.id == a))
        session.execute(
            update(Integration).where(Integration.id == b).values(secret_ciphertext=stolen)
        )
    with runtime.sessions() as session:
        target = session.get(Integration, b)
        assert target is not None
        with pytest.raises(SecretError, match="belongs to another record"):
            stored_settings(runtime, target)


def test_rotation_moves_every_secret_to_the_new_key(runtime: Runtime, halo: HaloInstance) -> None:
    _connect(runtime, halo)
    old_key = runtime.settings.secret_keys[0].get_secret_value()
    new_key = generate_key()
    runtime.keys = KeyRing([new_key, old_key])
    progress: list[tuple[int, int]] = []
    assert rotate_secrets(runtime, lambda done, total: progress.append((done, total))) == 1
    assert progress == [(1, 1)]
    runtime.keys = KeyRing([new_key])
    [integration] = integrations_of(runtime, "acme")
    assert integration.secret_key_id == runtime.keys.current_id
    assert stored_settings(runtime, integration).client_secret == halo.credentials["client_secret"]


def test_recheck_runs_the_doctor_again_and_keeps_the_report(
    runtime: Runtime, halo: HaloInstance
) -> None:
    result = _connect(runtime, halo)
    assert result.integration_id is not None
    halo.set_role(can_view_item_costs=False)
    report = recheck(runtime, result.integration_id, retry=FAST, budget=RollingWindowBudget())
    assert not report.ok
    [integration] = integrations_of(runtime, "acme")
    assert integration.last_report is not None and integration.last_report["ok"] is False
