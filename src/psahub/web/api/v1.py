"""``/api/v1``: integrations, sync runs and mirrored records, for an account's API tokens.

Every request is authenticated with ``Authorization: Bearer <token>`` (``psahub tokens create``)
and sees only the token's account: another account's integration answers 404, exactly like one
that does not exist. Session cookies are never accepted here, so no CSRF token is needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from psahub.halo.entities import BY_NAME
from psahub.jobs import queue
from psahub.mirror.status import entity_counts
from psahub.runtime import Runtime
from psahub.store.models import Integration, Job, MirrorRecord, SyncRun
from psahub.web.accounts import account_of_token
from psahub.web.api import schemas
from psahub.web.deps import RuntimeDep

MAX_PAGE_SIZE = 500
MAX_RUNS = 500

_NOT_FOUND = "There is no such integration in this account."
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIToken",
    description="A per-account token from `psahub tokens create`, sent as "
    "`Authorization: Bearer <token>`.",
)


def token_account(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> int:
    """The account of the request's API token; 401 without a valid one.

    Only the ``Authorization`` header counts: a signed-in browser session is not an API login.
    """
    if credentials is None:
        raise HTTPException(
            401,
            "An API token is required: send 'Authorization: Bearer <token>' "
            "(create one with 'psahub tokens create').",
            headers={"WWW-Authenticate": "Bearer"},
        )
    account_id = account_of_token(runtime, credentials.credentials)
    if account_id is None:
        raise HTTPException(
            401,
            "The API token is not valid.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return account_id


AccountDep = Annotated[int, Depends(token_account)]

_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": schemas.Problem, "description": "No API token, or not a valid one."}
}
_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.Problem, "description": "No such integration in the token's account."}
}

router = APIRouter(prefix="/api/v1", tags=["api v1"], responses=_UNAUTHORIZED)


def _owned(session: Session, account_id: int, integration_id: int) -> Integration:
    integration = session.get(Integration, integration_id)
    if integration is None or integration.account_id != account_id:
        raise HTTPException(404, _NOT_FOUND)
    return integration


def _fields(runtime: Runtime, integration: Integration) -> dict[str, Any]:
    counts = entity_counts(runtime, integration.id)
    return {
        "id": integration.id,
        "kind": integration.kind,
        "api_url": integration.api_url,
        "server_type": integration.server_type,
        "tenant": integration.tenant,
        "health": integration.health,
        "connected_at": integration.connected_at,
        "next_sync_at": integration.next_sync_at,
        "next_reconcile_at": integration.next_reconcile_at,
        "preview_ready_at": integration.preview_ready_at,
        "sync_every": integration.sync_every,
        "reconcile_every": integration.reconcile_every,
        "rate_limit": schemas.RateLimit(
            requests=integration.rate_limit_requests,
            window_seconds=integration.rate_limit_window,
        ),
        "counts": {
            entity: schemas.EntityCount(present=present, deleted=deleted)
            for entity, (present, deleted) in sorted(counts.items())
        },
    }


def _summary(report: dict[str, Any] | None) -> schemas.ReportSummary | None:
    if not isinstance(report, dict):
        return None
    checks = report.get("checks")
    failed = [
        str(check.get("key"))
        for check in (checks if isinstance(checks, list) else [])
        if isinstance(check, dict) and check.get("status") == "fail"
    ]
    return schemas.ReportSummary(ok=bool(report.get("ok")), failed_checks=failed)


@router.get(
    "/integrations",
    response_model=list[schemas.Integration],
    summary="List the account's integrations",
)
def list_integrations(runtime: RuntimeDep, account_id: AccountDep) -> list[schemas.Integration]:
    """Every HaloPSA integration of the token's account, oldest first.

    Each says where it points, its health and schedule, its rate limit and how many records of
    each entity are mirrored. Client secrets are never returned.
    """
    with runtime.sessions() as session:
        integrations = list(
            session.scalars(
                select(Integration)
                .where(Integration.account_id == account_id)
                .order_by(Integration.id)
            )
        )
    return [schemas.Integration(**_fields(runtime, i)) for i in integrations]


@router.get(
    "/integrations/{integration_id}",
    response_model=schemas.IntegrationDetail,
    responses=_MISSING,
    summary="Get one integration",
)
def get_integration(
    runtime: RuntimeDep, account_id: AccountDep, integration_id: int
) -> schemas.IntegrationDetail:
    """One integration of the token's account.

    Besides what the list says, it has the summary of the last connection check (the doctor):
    whether it passed and the keys of the checks that failed.
    """
    with runtime.sessions() as session:
        integration = _owned(session, account_id, integration_id)
    return schemas.IntegrationDetail(
        **_fields(runtime, integration), last_report=_summary(integration.last_report)
    )


@router.get(
    "/integrations/{integration_id}/runs",
    response_model=list[schemas.SyncRun],
    responses=_MISSING,
    summary="List an integration's sync runs",
)
def list_runs(
    runtime: RuntimeDep,
    account_id: AccountDep,
    integration_id: int,
    entity: Annotated[
        str | None, Query(description="Only this entity's runs, e.g. `tickets`.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RUNS, description="How many runs at most.")] = 50,
) -> list[schemas.SyncRun]:
    """The integration's sync runs, newest first.

    One run per entity and pass, with its counts, timing and, for a failed run, the error and
    its fix in the setup guide's words.
    """
    if entity is not None and entity not in BY_NAME:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "entity"),
                    "msg": f"unknown entity {entity}; choose from {', '.join(BY_NAME)}",
                    "input": entity,
                }
            ]
        )
    with runtime.sessions() as session:
        _owned(session, account_id, integration_id)
        query = select(SyncRun).where(
            SyncRun.integration_id == integration_id, SyncRun.account_id == account_id
        )
        if entity is not None:
            query = query.where(SyncRun.entity == entity)
        runs = session.scalars(query.order_by(SyncRun.id.desc()).limit(limit))
        return [schemas.SyncRun.model_validate(run) for run in runs]


@router.post(
    "/integrations/{integration_id}/sync",
    status_code=202,
    response_model=schemas.SyncQueued,
    responses=_MISSING,
    summary="Queue a sync",
)
def queue_sync(
    request: Request,
    runtime: RuntimeDep,
    account_id: AccountDep,
    integration_id: int,
    body: schemas.SyncRequest | None = None,
) -> schemas.SyncQueued:
    """Queue a sync of the integration (all entities, or the named ones) and return its job.

    The body may be omitted. When a sync of the integration is already queued or running, that
    job is returned instead of a new one (a queued one is made full when `full` is asked); the
    answer says what the job will sync.
    """
    wanted = body or schemas.SyncRequest()
    with runtime.sessions() as session:
        _owned(session, account_id, integration_id)
    params: dict[str, Any] = {"full": wanted.full}
    if wanted.entities:
        params["entities"] = wanted.entities
    job_id = queue.enqueue(runtime.sessions, account_id, integration_id, "sync", params)
    runner = request.app.state.runner
    if runner is not None:
        runner.wake()
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        entities = job.params.get("entities") or []
        return schemas.SyncQueued(
            job_id=job.id,
            status=job.status,
            full=bool(job.params.get("full")),
            entities=[str(name) for name in entities],
        )


_RECORD_COLUMNS = tuple(name for name in schemas.Record.model_fields if name != "record")


@router.get(
    "/integrations/{integration_id}/records/{entity}",
    response_model=schemas.RecordPage,
    responses={
        404: {
            "model": schemas.Problem,
            "description": "No such integration in the token's account, or no such entity.",
        }
    },
    summary="Page through an entity's mirrored records",
)
def list_records(
    runtime: RuntimeDep,
    account_id: AccountDep,
    integration_id: int,
    entity: str,
    page: Annotated[int, Query(ge=1, description="The page, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Records per page.")] = 100,
    client_id: Annotated[
        int | None, Query(description="Only records of this Halo client id.")
    ] = None,
    changed_since: Annotated[
        datetime | None,
        Query(
            description="Only records HaloPSA changed at or after this moment (ISO 8601; "
            "without a zone it is UTC). Entities whose records carry no change stamp match none."
        ),
    ] = None,
    include_deleted: Annotated[
        bool, Query(description="Also return records tombstoned as deleted in HaloPSA.")
    ] = False,
) -> schemas.RecordPage:
    """One page of the entity's mirrored records, in the order psahub stored them.

    Each record has psahub's typed columns and the Halo record exactly as received. Records
    deleted in HaloPSA are left out unless `include_deleted` is set.
    """
    with runtime.sessions() as session:
        _owned(session, account_id, integration_id)
        if entity not in BY_NAME:
            raise HTTPException(404, f"unknown entity {entity}; choose from {', '.join(BY_NAME)}")
        where: list[ColumnElement[bool]] = [
            MirrorRecord.integration_id == integration_id,
            MirrorRecord.account_id == account_id,
            MirrorRecord.entity == entity,
        ]
        if client_id is not None:
            where.append(MirrorRecord.client_id == client_id)
        if changed_since is not None:
            where.append(MirrorRecord.changed_at >= changed_since)
        if not include_deleted:
            where.append(MirrorRecord.deleted_at.is_(None))
        total = session.scalar(select(func.count()).select_from(MirrorRecord).where(*where))
        rows = session.scalars(
            select(MirrorRecord)
            .where(*where)
            .order_by(MirrorRecord.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        records = [
            schemas.Record(
                record=orjson.loads(row.raw_json),
                **{name: getattr(row, name) for name in _RECORD_COLUMNS},
            )
            for row in rows
        ]
    return schemas.RecordPage(
        entity=entity, page=page, page_size=page_size, total=total or 0, records=records
    )
