"""The clients view: clients with their figures, and one client's records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    CTE,
    ColumnElement,
    Subquery,
    and_,
    case,
    func,
    select,
)

from psahub.mirror.specs import PAGE_SIZE, Page, Query, Scope
from psahub.mirror.tables import clamp_page, counted, data_version, remembered
from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord

CLIENT_FIGURES = (
    "sites",
    "users",
    "assets",
    "open_tickets",
    "active_contracts",
    "recurring_revenue",
)


def _figures(scope: Scope, client_ids: Any) -> Subquery:
    """Per (integration, client): the figures, in one ``GROUP BY`` over the client index.

    ``client_ids`` (a subquery of client ids) bounds the scan to the clients shown.
    """
    record = MirrorRecord

    def count(*conditions: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    recurring = and_(record.entity == "recurring_invoices", record.inactive.is_(False))
    revenue = func.sum(case((recurring, record.amount), else_=0.0))
    return (
        select(
            record.integration_id,
            record.client_id,
            count(record.entity == "sites").label("sites"),
            count(record.entity == "users").label("users"),
            count(record.entity == "assets").label("assets"),
            count(record.entity == "tickets", record.closed.is_(False)).label("open_tickets"),
            count(record.entity == "contracts", record.inactive.is_(False)).label(
                "active_contracts"
            ),
            func.coalesce(revenue, 0.0).label("recurring_revenue"),
        )
        .where(
            *scope.where(),
            record.entity.in_(
                ("sites", "users", "assets", "tickets", "contracts", "recurring_invoices")
            ),
            record.deleted_at.is_(None),
            record.client_id.in_(client_ids),
        )
        .group_by(record.integration_id, record.client_id)
        .subquery("figures")
    )


def _clients(scope: Scope, q: str) -> Query:
    record = MirrorRecord
    query = select(
        record.id,
        record.integration_id,
        record.halo_id,
        record.name,
        record.client_id,
        record.inactive,
        record.changed_at,
    ).where(*scope.where(), record.entity == "clients", record.deleted_at.is_(None))
    if q.strip():
        query = query.where(func.lower(record.name).contains(q.strip().lower(), autoescape=True))
    return query


def _with_figures(scope: Scope, clients: CTE) -> Query:
    figures = _figures(scope, select(clients.c.client_id))
    return (
        select(
            clients,
            *(func.coalesce(figures.c[name], 0).label(name) for name in CLIENT_FIGURES),
        )
        .select_from(clients)
        .outerjoin(
            figures,
            and_(
                figures.c.integration_id == clients.c.integration_id,
                figures.c.client_id == clients.c.client_id,
            ),
        )
        .order_by(func.lower(clients.c.name), clients.c.id)
    )


def _client_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    shown = dict(row)
    shown["state"] = "inactive" if row["inactive"] else "active"
    shown["recurring_revenue"] = float(row["recurring_revenue"] or 0)
    return shown


def clients_page(
    runtime: Runtime, scope: Scope, q: str = "", page: int = 1, size: int = PAGE_SIZE
) -> Page:
    """One page of the account's clients by name, each with its figures.

    Two queries: a ``COUNT(*)`` of the matching clients, then the page (a ``LIMIT``/``OFFSET``
    CTE) joined to one grouped subquery of the figures restricted to the page's client ids
    (served by the covering client index) — never one query per client. Both are reused
    while the mirror is unchanged: every user of the account sees the same page until a sync
    writes.
    """
    if not scope.integration_ids:
        return Page([], 0, 1, size)
    clients = _clients(scope, q)
    with runtime.sessions() as session:
        version = data_version(session, scope)
        total = counted(session, select(func.count()).select_from(clients.subquery()), version)
        number = clamp_page(page, total, size)

        def page_rows() -> list[dict[str, Any]]:
            shown = (
                clients.order_by(func.lower(MirrorRecord.name), MirrorRecord.id)
                .limit(size)
                .offset((number - 1) * size)
                .cte("shown")
            )
            query = _with_figures(scope, shown)
            return [_client_row(r) for r in session.execute(query).mappings()]

        rows = remembered(("clients", *version, q.strip().lower(), number, size), page_rows)
    return Page(rows, total, number, size)


def client_rows(runtime: Runtime, scope: Scope, q: str = "") -> Iterator[dict[str, Any]]:
    """Every matching client with its figures, streamed (the CSV export)."""
    if not scope.integration_ids:
        return
    query = _with_figures(scope, _clients(scope, q).cte("shown"))
    with runtime.sessions() as session:
        for row in session.execute(query.execution_options(yield_per=1000)).mappings():
            yield _client_row(row)


@dataclass(frozen=True)
class ClientRecord:
    """One mirrored client: where it lives, its name and a readable subset of its fields."""

    integration_id: int
    halo_id: str
    client_id: int
    name: str
    inactive: bool
    deleted_at: datetime | None
    fields: list[tuple[str, str]]


#: The client fields shown on its page, in order, with their labels.
CLIENT_FIELDS = (
    ("ref", "Reference"),
    ("toplevel_name", "Top level"),
    ("main_site_name", "Main site"),
    ("website", "Website"),
    ("is_vip", "VIP"),
    ("inactive", "Inactive"),
    ("open_ticket_count", "Open tickets (HaloPSA's count)"),
    ("datecreated", "Created"),
    ("alastupdate", "Last updated in HaloPSA"),
    ("notes", "Notes"),
)


def _readable(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def client_record(runtime: Runtime, scope: Scope, halo_id: str) -> ClientRecord | None:
    """The account's client with this Halo id (the first integration's, if several have it)."""
    if not scope.integration_ids:
        return None
    record = MirrorRecord
    with runtime.sessions() as session:
        row = session.execute(
            select(
                record.integration_id,
                record.halo_id,
                record.client_id,
                record.name,
                record.inactive,
                record.deleted_at,
                record.raw_json,
            )
            .where(*scope.where(), record.entity == "clients", record.halo_id == halo_id)
            .order_by(record.integration_id)
            .limit(1)
        ).first()
    if row is None:
        return None
    raw = orjson.loads(row.raw_json)
    fields = [
        (label, text)
        for name, label in CLIENT_FIELDS
        if (text := _readable(raw.get(name))) is not None
    ]
    return ClientRecord(
        row.integration_id,
        row.halo_id,
        row.client_id if row.client_id is not None else int(row.halo_id),
        row.name or f"Client {row.halo_id}",
        row.inactive,
        row.deleted_at,
        fields,
    )


def client_name(runtime: Runtime, scope: Scope, client_id: int) -> str | None:
    """The name of the account's client with this id, if it is mirrored."""
    if not scope.integration_ids:
        return None
    record = MirrorRecord
    with runtime.sessions() as session:
        return session.scalar(
            select(record.name)
            .where(*scope.where(), record.entity == "clients", record.client_id == client_id)
            .order_by(record.integration_id)
            .limit(1)
        )
