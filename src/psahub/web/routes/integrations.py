"""The Integrations tab: the HaloPSA card, the Connect pop-out, and an integration's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select

from psahub.connections import connect
from psahub.halo.form import FIELDS, LABELS
from psahub.jobs import queue
from psahub.mirror.status import entity_counts, last_runs
from psahub.runtime import Runtime
from psahub.store.models import Account, Integration, SyncRun
from psahub.sync.service import plan
from psahub.web.deps import ManagerDep, RuntimeDep, Viewer, ViewerDep, verify_csrf
from psahub.web.templating import render

router = APIRouter(tags=["integrations"])

#: Where in HaloPSA each field of the Connect form comes from (the guide's words).
HINTS = {
    "server_type": "Cloud if Halo hosts your HaloPSA (it has a Tenant); Hosted if it runs on "
    "your own or a partner's server.",
    "client_id": "Configuration > Integrations > HaloPSA API > View Applications > your "
    "application (step 2). Copy it after the first Save: it can change then.",
    "client_secret": "Shown when you created the application (step 2). Leave empty when "
    "editing to keep the stored one.",
    "api_url": "The Resource Server from Configuration > Integrations > HaloPSA API, e.g. "
    "https://yourcompany.halopsa.com/api (step 1 names the instance URL).",
    "tenant": "The Tenant from HaloPSA API > API Details (Cloud only; leave empty for Hosted).",
}


def owned_integration(runtime: Runtime, viewer: Viewer, integration_id: int) -> Integration:
    """The viewer's account's integration with this id; 404 for anyone else's."""
    with runtime.sessions() as session:
        integration = session.get(Integration, integration_id)
        if integration is None or integration.account_id != viewer.account_id:
            raise HTTPException(404, "There is no such integration in your account.")
        return integration


def _account_integrations(runtime: Runtime, viewer: Viewer) -> list[Integration]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Integration)
                .where(Integration.account_id == viewer.account_id)
                .order_by(Integration.id)
            )
        )


def _slug(runtime: Runtime, viewer: Viewer) -> str:
    with runtime.sessions() as session:
        account = session.get(Account, viewer.account_id)
        assert account is not None
        return account.slug


def _form_context(values: dict[str, str], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    shown = {k: v for k, v in values.items() if k != "client_secret"}
    return {
        "fields": FIELDS,
        "labels": LABELS,
        "hints": HINTS,
        "values": shown,
        "errors": errors,
        **extra,
    }


@router.get("/integrations")
def integrations_page(request: Request, runtime: RuntimeDep, viewer: ViewerDep) -> Response:
    """The Integrations tab with the HaloPSA card."""
    return render(
        request,
        "integrations.html",
        viewer=viewer,
        integrations=_account_integrations(runtime, viewer),
        **_form_context({"server_type": "Cloud"}, {}, action="/integrations/halopsa"),
    )


@router.post("/integrations/halopsa", dependencies=[Depends(verify_csrf)])
def connect_halopsa(
    request: Request,
    runtime: RuntimeDep,
    viewer: ManagerDep,
    server_type: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    api_url: Annotated[str, Form()] = "",
    tenant: Annotated[str, Form()] = "",
    integration_id: Annotated[int | None, Form()] = None,
) -> Response:
    """Continue: check the fields, run the doctor, store, and queue the first sync."""
    values = {
        "server_type": server_type,
        "client_id": client_id,
        "client_secret": client_secret,
        "api_url": api_url,
        "tenant": tenant,
    }
    if integration_id is not None:
        owned_integration(runtime, viewer, integration_id)
    result = connect(runtime, _slug(runtime, viewer), values, keep_secret_of=integration_id)
    action = "/integrations/halopsa"
    if result.form_errors:
        return render(
            request,
            "connect_form.html",
            viewer=viewer,
            report=None,
            integration_id=integration_id,
            **_form_context(values, result.form_errors, action=action),
        )
    if result.integration_id is not None:
        queue.enqueue(runtime.sessions, viewer.account_id, result.integration_id, "sync")
        if request.app.state.runner is not None:
            request.app.state.runner.wake()
    return render(
        request,
        "connect_form.html",
        viewer=viewer,
        report=result.report,
        connected_id=result.integration_id,
        integration_id=integration_id,
        **_form_context(values, {}, action=action),
    )


@router.get("/integrations/{integration_id}")
def integration_page(
    request: Request, runtime: RuntimeDep, viewer: ViewerDep, integration_id: int
) -> Response:
    """One integration: health, live progress, last runs, last error with its fix."""
    integration = owned_integration(runtime, viewer, integration_id)
    values = {
        "server_type": integration.server_type.title(),
        "client_id": integration.client_id,
        "api_url": integration.api_url,
        "tenant": integration.tenant,
    }
    return render(
        request,
        "integration.html",
        viewer=viewer,
        integration=integration,
        **_progress(runtime, integration),
        **_form_context(values, {}, action="/integrations/halopsa"),
    )


def _progress(runtime: Runtime, integration: Integration) -> dict[str, Any]:
    with runtime.sessions() as session:
        running = list(
            session.scalars(
                select(SyncRun)
                .where(SyncRun.integration_id == integration.id, SyncRun.status == "running")
                .order_by(SyncRun.id)
            )
        )
    runs = {r.entity: r for r in last_runs(runtime, integration.id)}
    failed = [r for r in runs.values() if r.status == "failed"]
    return {
        "running": running,
        "runs": runs,
        "counts": entity_counts(runtime, integration.id),
        "order": [e.name for e in plan()],
        "failed": failed,
        "syncing": bool(running)
        or queue.conflict(runtime.sessions, integration.id, "sync") is not None,
    }


@router.get("/integrations/{integration_id}/progress")
def integration_progress(
    request: Request, runtime: RuntimeDep, viewer: ViewerDep, integration_id: int
) -> Response:
    """The live part of the integration page (polled while a sync runs)."""
    integration = owned_integration(runtime, viewer, integration_id)
    return render(
        request, "progress.html", integration=integration, **_progress(runtime, integration)
    )


@router.post("/integrations/{integration_id}/sync", dependencies=[Depends(verify_csrf)])
def sync_now(
    request: Request,
    runtime: RuntimeDep,
    viewer: ManagerDep,
    integration_id: int,
    full: Annotated[bool, Form()] = False,
) -> Response:
    """Sync now: queue a sync (or reuse the one already queued) and wake the runner."""
    owned_integration(runtime, viewer, integration_id)
    queue.enqueue(runtime.sessions, viewer.account_id, integration_id, "sync", {"full": full})
    if request.app.state.runner is not None:
        request.app.state.runner.wake()
    return RedirectResponse(f"/integrations/{integration_id}", 303)


@router.post("/integrations/{integration_id}/disconnect", dependencies=[Depends(verify_csrf)])
def disconnect(runtime: RuntimeDep, viewer: ManagerDep, integration_id: int) -> Response:
    """Remove the integration, its stored credentials and everything mirrored from it."""
    owned_integration(runtime, viewer, integration_id)
    with runtime.sessions.begin() as session:
        session.execute(
            delete(Integration).where(
                Integration.id == integration_id, Integration.account_id == viewer.account_id
            )
        )
    return RedirectResponse("/integrations", 303)
