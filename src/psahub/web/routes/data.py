"""The mirrored data: clients and the tables of every entity (filled in by the data pages).

Every query is scoped to the viewer's account (its id and its integrations' ids), paged in
the database (``LIMIT``/``OFFSET`` with a ``COUNT(*)``) and exported as streamed CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from psahub.mirror.clients import (
    CLIENT_FIGURES,
    client_name,
    client_record,
    client_rows,
    clients_page,
)
from psahub.mirror.specs import (
    CLIENT_TABLES,
    DATA_TABLES,
    PAGE_SIZE,
    TYPED,
    Filters,
    Page,
    Scope,
    TableSpec,
    scope_of,
)
from psahub.mirror.tables import lookup_columns, table_page, table_rows
from psahub.runtime import Runtime
from psahub.web.deps import RuntimeDep, ViewerDep
from psahub.web.templating import render

router = APIRouter(tags=["mirrored data"])

_TRUE = ("1", "true", "on", "yes")
#: Characters that make a spreadsheet read a CSV cell as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_CLIENT_COLUMNS = ("halo_id", "name", "client_id", "inactive", "changed_at", *CLIENT_FIGURES)


def _number(value: str | None) -> int | None:
    """A whole number from a query parameter; empty or malformed means "not given"."""
    try:
        return int(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    number = _number(value)
    return number if number is not None and number > 0 else 1


def _filters(
    spec: TableSpec,
    q: str | None,
    client_id: str | None,
    status: str | None,
    include_deleted: str | None,
) -> Filters:
    state = (status or "all").strip().lower() or "all"
    if state not in spec.status_choices:
        raise HTTPException(
            422, f"status must be one of {', '.join(spec.status_choices)}, not {status!r}"
        )
    return Filters(
        q=(q or "").strip(),
        client_id=_number(client_id) if spec.by_client else None,
        status=state,
        include_deleted=(include_deleted or "").strip().lower() in _TRUE,
    )


def _query(filters: Filters) -> dict[str, str]:
    """The filters as query parameters (only those set), for links and the export."""
    params: dict[str, str] = {}
    if filters.q:
        params["q"] = filters.q
    if filters.client_id is not None:
        params["client_id"] = str(filters.client_id)
    if filters.status != "all":
        params["status"] = filters.status
    if filters.include_deleted:
        params["include_deleted"] = "1"
    return params


def _links(path: str, params: dict[str, str], page: Page) -> dict[str, str | None]:
    def url(number: int) -> str:
        query = urlencode({**params, "page": str(number)} if number > 1 else params)
        return f"{path}?{query}" if query else path

    return {
        "prev_url": url(page.number - 1) if page.number > 1 else None,
        "next_url": url(page.number + 1) if page.number < page.pages else None,
    }


def _wants_results(request: Request) -> bool:
    """An htmx request swapping only the results (the full page otherwise)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == "results"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def _spec(entity: str) -> TableSpec | None:
    return DATA_TABLES.get(entity)


def _unknown(entity: str) -> str:
    return f"There is no table of {entity!r}. Choose one of: {', '.join(DATA_TABLES)}."


# -- CSV -----------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text in chunks of about 64 KB: the header, then a line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
        if buffer.tell() > 65_536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download(name: str, header: Sequence[str], rows: Iterable[dict[str, Any]]) -> Response:
    return StreamingResponse(
        _csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


# -- clients -------------------------------------------------------------------------------------


@router.get("/clients.csv")
def clients_csv(runtime: RuntimeDep, viewer: ViewerDep, q: str | None = None) -> Response:
    """Every matching client with its figures, as CSV (all pages, streamed)."""
    scope = scope_of(runtime, viewer.account_id)
    return _download("clients", _CLIENT_COLUMNS, client_rows(runtime, scope, (q or "").strip()))


@router.get("/clients")
def clients_list(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    """The account's clients, searchable by name, 50 a page, each with its figures."""
    scope = scope_of(runtime, viewer.account_id)
    search = (q or "").strip()
    shown = clients_page(runtime, scope, search, _page_number(page))
    params = {"q": search} if search else {}
    context: dict[str, Any] = {
        "viewer": viewer,
        "active": "clients",
        "connected": bool(scope.integration_ids),
        "q": search,
        "page": shown,
        "export_url": "/clients.csv" + (f"?{urlencode(params)}" if params else ""),
        **_links("/clients", params, shown),
    }
    name = "clients_results.html" if _wants_results(request) else "clients.html"
    return render(request, name, **context)


def _client_tables(
    runtime: Runtime, scope: Scope, client_id: int
) -> list[tuple[TableSpec, Page, str | None]]:
    """The client's tables: (spec, first 50 rows with the total, link to the full table)."""
    mine = Filters(client_id=client_id)
    tables: list[tuple[TableSpec, Filters]] = [
        (CLIENT_TABLES["sites"], mine),
        (CLIENT_TABLES["users"], mine),
        (DATA_TABLES["tickets"], Filters(client_id=client_id, status="open")),
        (DATA_TABLES["contracts"], mine),
        (DATA_TABLES["assets"], mine),
        (DATA_TABLES["licences"], mine),
        (CLIENT_TABLES["recurring_invoices"], mine),
    ]
    shown = []
    for spec, filters in tables:
        page = table_page(runtime, scope, spec, filters, 1, PAGE_SIZE)
        link = None
        if spec.entity in DATA_TABLES:
            link = f"/data/{spec.entity}?{urlencode(_query(filters))}"
        shown.append((spec, page, link))
    return shown


@router.get("/clients/{halo_id}")
def client_page(request: Request, runtime: RuntimeDep, viewer: ViewerDep, halo_id: str) -> Response:
    """One client: its fields and its sites, users, open tickets, contracts, assets, etc."""
    scope = scope_of(runtime, viewer.account_id)
    client = client_record(runtime, scope, halo_id)
    if client is None:
        return render(
            request,
            "data_missing.html",
            404,
            viewer=viewer,
            active="clients",
            title="No such client",
            message=f"There is no client {halo_id!r} in your account's mirror.",
        )
    own = Scope(scope.account_id, (client.integration_id,))
    return render(
        request,
        "client.html",
        viewer=viewer,
        active="clients",
        client=client,
        tables=_client_tables(runtime, own, client.client_id),
    )


# -- the entity tables ---------------------------------------------------------------------------


@router.get("/data/{entity}.csv")
def table_csv(
    runtime: RuntimeDep,
    viewer: ViewerDep,
    entity: str,
    q: str | None = None,
    client_id: str | None = None,
    status: str | None = None,
    include_deleted: str | None = None,
) -> Response:
    """The filtered table as CSV: every page, typed columns and labels, streamed."""
    spec = _spec(entity)
    if spec is None:
        raise HTTPException(404, _unknown(entity))
    filters = _filters(spec, q, client_id, status, include_deleted)
    scope = scope_of(runtime, viewer.account_id)
    header = (*TYPED, *lookup_columns(spec))
    return _download(entity, header, table_rows(runtime, scope, spec, filters))


@router.get("/data/{entity}")
def table(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    entity: str,
    q: str | None = None,
    client_id: str | None = None,
    status: str | None = None,
    include_deleted: str | None = None,
    page: str | None = None,
) -> Response:
    """One entity's mirrored records: filtered, newest change first, 50 a page."""
    spec = _spec(entity)
    if spec is None:
        return render(
            request,
            "data_missing.html",
            404,
            viewer=viewer,
            active=None,
            title="No such table",
            message=_unknown(entity),
        )
    filters = _filters(spec, q, client_id, status, include_deleted)
    scope = scope_of(runtime, viewer.account_id)
    shown = table_page(runtime, scope, spec, filters, _page_number(page))
    params = _query(filters)
    path = f"/data/{entity}"
    context: dict[str, Any] = {
        "viewer": viewer,
        "active": entity,
        "connected": bool(scope.integration_ids),
        "spec": spec,
        "filters": filters,
        "client_label": (
            client_name(runtime, scope, filters.client_id)
            if filters.client_id is not None
            else None
        ),
        "page": shown,
        "path": path,
        "export_url": f"/data/{entity}.csv" + (f"?{urlencode(params)}" if params else ""),
        **_links(path, params, shown),
    }
    name = "table_results.html" if _wants_results(request) else "table.html"
    return render(request, name, **context)
