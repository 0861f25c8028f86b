"""The Integrations tab: Connect pop-out, checklist, integration page, and isolation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from psahub.jobs.functions import run_job
from psahub.jobs.queue import claim
from psahub.runtime import Runtime
from psahub.store.models import Integration, Job, MirrorRecord
from psahub.web.accounts import Role
from tests.helpers import HaloInstance
from tests.web.conftest import csrf_of


def _connect(client: TestClient, halo: HaloInstance, **fields: str) -> str:
    page = client.get("/integrations")
    data = {**halo.credentials, **fields, "csrf_token": csrf_of(page.text)}
    response = client.post("/integrations/halopsa", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html: str = response.text
    return html


def test_card_shows_not_connected_with_the_five_fields(
    sign_in: Callable[..., TestClient],
) -> None:
    page = sign_in().get("/integrations").text
    assert "not connected" in page and "<dialog" in page
    for label in ("Server Type", "Client Id", "Client Secret", "Api Domain Url", "Tenant Id"):
        assert label in page
    assert "View Applications" in page and "Resource Server" in page  # the guide's hints


def test_connect_shows_the_checklist_and_queues_the_first_sync(
    sign_in: Callable[..., TestClient], halo: HaloInstance, runtime: Runtime
) -> None:
    client = sign_in()
    html = _connect(client, halo)
    assert "HaloPSA is connected" in html and "The first sync has started" in html
    assert html.count('class="check pass"') > 30
    assert halo.credentials["client_secret"] not in html
    with runtime.sessions() as session:
        integration = session.scalar(select(Integration))
        assert integration is not None
        job = session.scalar(select(Job).where(Job.integration_id == integration.id))
        assert job is not None and job.status == "queued"
    claimed = claim(runtime.sessions)
    assert claimed is not None
    run_job(runtime, claimed.id)
    page = client.get(f"/integrations/{integration.id}").text
    assert "healthy" in page and "tickets" in page
    progress = client.get(f"/integrations/{integration.id}/progress").text
    assert "hx-trigger" not in progress  # nothing is syncing, so no polling


def test_field_errors_keep_what_was_typed_but_never_the_secret(
    sign_in: Callable[..., TestClient], halo: HaloInstance
) -> None:
    client = sign_in()
    html = _connect(client, halo, api_url="acme", client_secret="not-the-secret-at-all-1234")
    assert "is not a full host name" in html and 'aria-invalid="true"' in html
    assert halo.credentials["client_id"] in html  # kept
    assert "not-the-secret-at-all-1234" not in html
    assert halo.counters()["requests_total"] == 0


def test_wrong_secret_missing_scope_and_no_departments_show_their_fix(
    sign_in: Callable[..., TestClient], make_instance: Callable[..., HaloInstance]
) -> None:
    client = sign_in()
    wrong = make_instance()
    html = _connect(client, wrong, client_secret=wrong.credentials["client_secret"][::-1])
    assert "HaloPSA is not connected yet" in html and "Details tab" in html
    scope = make_instance()
    scope.set_scopes(["read:tickets", "edit:tickets", "read:customers"])
    html = _connect(client, scope)
    assert "tick read:crm" in html
    departments = make_instance()
    agent = departments.guide_agent()
    departments.admin.patch(
        departments.admin_path(f"/agents/{agent['id']}"), json={"departments": {"1": "view_all"}}
    )
    html = _connect(client, departments)
    assert "Departments &amp; Teams" in html and "View All" in html


def test_viewers_cannot_connect_or_sync(
    sign_in: Callable[..., TestClient], halo: HaloInstance
) -> None:
    viewer = sign_in(email="viewer@msp.example", role=Role.VIEWER)
    page = viewer.get("/integrations").text
    assert "<dialog" not in page
    data = {**halo.credentials, "csrf_token": csrf_of(page)}
    assert viewer.post("/integrations/halopsa", data=data).status_code == 403


def test_other_accounts_cannot_reach_this_integration(
    sign_in: Callable[..., TestClient], halo: HaloInstance, runtime: Runtime
) -> None:
    owner = sign_in()
    _connect(owner, halo)
    with runtime.sessions() as session:
        integration_id = session.scalar(select(Integration.id))
    stranger = sign_in(email="someone@else.example", account="else")
    token = csrf_of(stranger.get("/integrations").text)
    assert halo.credentials["api_url"] not in stranger.get("/integrations").text
    for path in (f"/integrations/{integration_id}", f"/integrations/{integration_id}/progress"):
        assert stranger.get(path).status_code == 404
    for path in (
        f"/integrations/{integration_id}/sync",
        f"/integrations/{integration_id}/disconnect",
    ):
        assert stranger.post(path, data={"csrf_token": token}).status_code == 404
    edit = {
        **halo.credentials,
        "integration_id": str(integration_id),
        "client_secret": "",
        "csrf_token": token,
    }
    assert stranger.post("/integrations/halopsa", data=edit).status_code == 404


def test_sync_now_and_disconnect(
    sign_in: Callable[..., TestClient], halo: HaloInstance, runtime: Runtime
) -> None:
    client = sign_in()
    _connect(client, halo)
    claimed = claim(runtime.sessions)
    assert claimed is not None
    run_job(runtime, claimed.id)
    with runtime.sessions() as session:
        integration_id = session.scalar(select(Integration.id))
    token = csrf_of(client.get(f"/integrations/{integration_id}").text)
    synced = client.post(
        f"/integrations/{integration_id}/sync", data={"csrf_token": token}, follow_redirects=False
    )
    assert synced.status_code == 303
    with runtime.sessions() as session:
        assert session.scalar(select(Job).where(Job.status == "queued")) is not None
    page = client.get(f"/integrations/{integration_id}").text
    assert "deletes every record it mirrored" in page
    gone = client.post(
        f"/integrations/{integration_id}/disconnect",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    with runtime.sessions() as session:
        assert session.scalar(select(Integration)) is None
        assert session.scalar(select(MirrorRecord)) is None


def test_edit_with_empty_secret_keeps_the_stored_one(
    sign_in: Callable[..., TestClient], halo: HaloInstance, runtime: Runtime
) -> None:
    client = sign_in()
    _connect(client, halo)
    with runtime.sessions() as session:
        integration_id = session.scalar(select(Integration.id))
    page = client.get(f"/integrations/{integration_id}").text
    assert halo.credentials["client_id"] in page  # the edit form is prefilled...
    assert halo.credentials["client_secret"] not in page  # ...except the secret
    html = _connect(client, halo, client_secret="", integration_id=str(integration_id))
    assert "HaloPSA is connected" in html
