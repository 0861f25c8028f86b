"""Reading the mirror: counts, last runs and records, always scoped to one integration."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeAlias

import orjson
from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from psahub.runtime import Runtime
from psahub.store.models import Integration, MirrorRecord, SyncRun
from psahub.sync.health import latest_runs


def entity_counts(runtime: Runtime, integration_id: int) -> dict[str, tuple[int, int]]:
    """Per entity: (records present, records tombstoned)."""
    gone = func.sum(case((MirrorRecord.deleted_at.is_not(None), 1), else_=0))
    with runtime.sessions() as session:
        rows = session.execute(
            select(MirrorRecord.entity, func.count(), gone)
            .where(MirrorRecord.integration_id == integration_id)
            .group_by(MirrorRecord.entity)
        )
        return {
            entity: (int(total) - int(dead or 0), int(dead or 0)) for entity, total, dead in rows
        }


def last_runs(runtime: Runtime, integration_id: int) -> list[SyncRun]:
    """The latest finished run of each entity."""
    with runtime.sessions() as session:
        return latest_runs(session, integration_id)


# -- the data pages: paged, filtered tables of the mirror, scoped to one account -----------------

PAGE_SIZE = 50

_Query: TypeAlias = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Scope:
    """Whose mirror a query reads: one account and the ids of its integrations."""

    account_id: int
    integration_ids: tuple[int, ...]

    def where(self, record: type[MirrorRecord] | Any = MirrorRecord) -> list[ColumnElement[bool]]:
        """Conditions limiting ``record`` (the model or an alias of it) to this account."""
        ids = self.integration_ids
        return [
            record.account_id == self.account_id,
            record.integration_id == ids[0] if len(ids) == 1 else record.integration_id.in_(ids),
        ]


def scope_of(runtime: Runtime, account_id: int) -> Scope:
    """The account's scope; ``integration_ids`` is empty while nothing is connected."""
    with runtime.sessions() as session:
        ids = session.scalars(
            select(Integration.id)
            .where(Integration.account_id == account_id)
            .order_by(Integration.id)
        )
        return Scope(account_id, tuple(ids))


@dataclass(frozen=True)
class Column:
    """A column of a data table: the row's key, its heading and how to show it.

    ``format`` is one of text, when (a timestamp), day (a date), money, count and state.
    """

    key: str
    label: str
    format: str = "text"


@dataclass(frozen=True)
class Lookup:
    """A label joined in from another mirrored entity, e.g. a ticket's client name.

    The row's ``source`` typed column holds the ``halo_id`` of a record of ``entity`` in the
    same integration; its ``name`` becomes the row's ``key``.
    """

    key: str
    source: str
    entity: str


@dataclass(frozen=True)
class TableSpec:
    """How one entity is shown as a table.

    ``states`` names the two values of the ``status`` filter (open/closed for tickets, read from
    ``closed``; active/inactive elsewhere, read from ``inactive``); ``raw`` names Halo fields
    read from ``raw_json`` for the rows shown only.
    """

    entity: str
    title: str
    columns: tuple[Column, ...]
    lookups: tuple[Lookup, ...] = ()
    states: tuple[str, str] | None = ("active", "inactive")
    by_client: bool = True
    raw: tuple[str, ...] = ()

    @property
    def status_choices(self) -> tuple[str, ...]:
        """The values the ``status`` filter accepts."""
        return ("all", *self.states) if self.states else ("all",)


_ID = Column("halo_id", "ID")
_CLIENT = Lookup("client_name", "client_id", "clients")
_AGENT = Lookup("agent_name", "agent_id", "agents")
_SUPPLIER = Lookup("supplier_name", "parent_id", "suppliers")
_STATE = Column("state", "State", "state")

#: The tables of ``/data/{entity}``, in the order of the navigation.
DATA_TABLES: Mapping[str, TableSpec] = MappingProxyType(
    {
        spec.entity: spec
        for spec in (
            TableSpec(
                "tickets",
                "Tickets",
                (
                    _ID,
                    Column("name", "Summary"),
                    Column("client_name", "Client"),
                    _STATE,
                    Column("status_name", "Status"),
                    Column("type_name", "Type"),
                    Column("agent_name", "Agent"),
                    Column("occurred_at", "Opened", "when"),
                    Column("changed_at", "Changed", "when"),
                ),
                (
                    _CLIENT,
                    Lookup("status_name", "status", "statuses"),
                    Lookup("type_name", "kind", "ticket_types"),
                    _AGENT,
                ),
                states=("open", "closed"),
            ),
            TableSpec(
                "assets",
                "Assets",
                (
                    _ID,
                    Column("name", "Inventory number"),
                    Column("client_name", "Client"),
                    Column("type_name", "Type"),
                    _STATE,
                    Column("changed_at", "Changed", "when"),
                ),
                (_CLIENT, Lookup("type_name", "kind", "asset_types")),
            ),
            TableSpec(
                "contracts",
                "Contracts",
                (
                    _ID,
                    Column("name", "Reference"),
                    Column("client_name", "Client"),
                    Column("kind", "Type"),
                    Column("status", "Status"),
                    _STATE,
                    Column("amount", "Charge per period", "money"),
                    Column("occurred_at", "Starts", "day"),
                ),
                (_CLIENT,),
            ),
            TableSpec(
                "items",
                "Items",
                (
                    _ID,
                    Column("name", "Item"),
                    Column("kind", "Group"),
                    Column("supplier_name", "Supplier"),
                    Column("amount", "Price", "money"),
                    _STATE,
                ),
                (_SUPPLIER,),
                by_client=False,
            ),
            TableSpec(
                "invoices",
                "Invoices",
                (
                    _ID,
                    Column("name", "Number"),
                    Column("client_name", "Client"),
                    Column("status", "Payment status"),
                    Column("amount", "Total", "money"),
                    Column("occurred_at", "Date", "day"),
                ),
                (_CLIENT,),
                states=None,
            ),
            TableSpec(
                "quotes",
                "Quotes",
                (
                    _ID,
                    Column("name", "Title"),
                    Column("client_name", "Client"),
                    Column("status", "Status"),
                    Column("agent_name", "Agent"),
                    Column("amount", "Total", "money"),
                    Column("occurred_at", "Date", "day"),
                ),
                (_CLIENT, _AGENT),
                states=None,
            ),
            TableSpec(
                "suppliers",
                "Suppliers",
                (_ID, Column("name", "Supplier"), _STATE),
                by_client=False,
            ),
            TableSpec(
                "licences",
                "Licences",
                (
                    _ID,
                    Column("name", "Licence"),
                    Column("client_name", "Client"),
                    Column("kind", "Vendor"),
                    Column("supplier_name", "Supplier"),
                    Column("amount", "Price", "money"),
                    Column("occurred_at", "Starts", "day"),
                    _STATE,
                ),
                (_CLIENT, _SUPPLIER),
            ),
        )
    }
)

#: The smaller tables of a client's page (besides the data tables above).
CLIENT_TABLES: Mapping[str, TableSpec] = MappingProxyType(
    {
        "sites": TableSpec(
            "sites",
            "Sites",
            (_ID, Column("name", "Site"), Column("phonenumber", "Phone"), _STATE),
            raw=("phonenumber",),
        ),
        "users": TableSpec(
            "users",
            "Users",
            (
                _ID,
                Column("name", "User"),
                Column("emailaddress", "Email"),
                Column("site_name", "Site"),
                _STATE,
            ),
            (Lookup("site_name", "site_id", "sites"),),
            raw=("emailaddress",),
        ),
        "recurring_invoices": TableSpec(
            "recurring_invoices",
            "Recurring invoices",
            (
                _ID,
                Column("name", "Number"),
                Column("amount", "Total", "money"),
                Column("occurred_at", "Starts", "day"),
                _STATE,
            ),
        ),
    }
)

#: The typed columns every table query reads (and every CSV export writes).
TYPED = (
    "halo_id",
    "name",
    "client_id",
    "site_id",
    "parent_id",
    "agent_id",
    "status",
    "kind",
    "amount",
    "occurred_at",
    "changed_at",
    "inactive",
    "closed",
    "deleted_at",
)


@dataclass(frozen=True)
class Filters:
    """A data table's filters: name contains ``q``, one client, a state, tombstones too."""

    q: str = ""
    client_id: int | None = None
    status: str = "all"
    include_deleted: bool = False


@dataclass(frozen=True)
class Page:
    """One page of a table: its rows, the total matching and where it stands."""

    rows: list[dict[str, Any]]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the table has (at least one)."""
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 1-based position of the first row shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The 1-based position of the last row shown."""
        return (self.number - 1) * self.size + len(self.rows)


def _conditions(scope: Scope, spec: TableSpec, filters: Filters) -> list[ColumnElement[bool]]:
    record = MirrorRecord
    where = [*scope.where(), record.entity == spec.entity]
    if not filters.include_deleted:
        where.append(record.deleted_at.is_(None))
    if filters.q.strip():
        where.append(func.lower(record.name).contains(filters.q.strip().lower(), autoescape=True))
    if filters.client_id is not None:
        where.append(record.client_id == filters.client_id)
    if spec.states and filters.status in spec.states:
        flag = record.closed if spec.states[0] == "open" else record.inactive
        where.append(flag.is_(filters.status != spec.states[0]))
    return where


def _labelled(spec: TableSpec, rows: FromClause) -> _Query:
    """Select ``rows`` (the page, or every match) with the labels of the spec's lookups."""
    labels = []
    joins: list[tuple[Any, ColumnElement[bool]]] = []
    for lookup in spec.lookups:
        other = aliased(MirrorRecord, name=f"lookup_{lookup.key}")
        source = rows.c[lookup.source]
        key = source if lookup.source in ("status", "kind") else cast(source, String)
        joins.append(
            (
                other,
                and_(
                    other.integration_id == rows.c.integration_id,
                    other.entity == lookup.entity,
                    other.halo_id == key,
                ),
            )
        )
        labels.append(other.name.label(lookup.key))
    query = select(rows, *labels).select_from(rows)
    for other, on in joins:
        query = query.outerjoin(other, on)
    return query


def _base(spec: TableSpec, scope: Scope, filters: Filters) -> _Query:
    record = MirrorRecord
    columns = [record.id, record.integration_id, *(getattr(record, c) for c in TYPED)]
    if spec.raw:
        columns.append(record.raw_json)
    return select(*columns).where(*_conditions(scope, spec, filters))


def _newest_first(columns: Any) -> tuple[Any, Any]:
    return columns.changed_at.desc(), columns.id.desc()


def _state(spec: TableSpec, row: Mapping[Any, Any]) -> str:
    if row.get("deleted_at") is not None:
        return "deleted"
    if spec.states == ("open", "closed"):
        return "closed" if row.get("closed") else "open"
    return "inactive" if row.get("inactive") else "active"


def _shown(spec: TableSpec, row: Mapping[Any, Any]) -> dict[str, Any]:
    shown = dict(row)
    shown["state"] = _state(spec, row)
    raw = shown.pop("raw_json", None)
    if spec.raw and raw:
        record = orjson.loads(raw)
        for name in spec.raw:
            value = record.get(name)
            shown[name] = value if isinstance(value, str | int | float) else None
    return shown


#: How long a table's total may be reused while the mirror has not changed. Totals are a
#: COUNT over the whole filtered table, the most expensive part of a page at 200,000 tickets.
COUNT_TTL = 60.0
_counts: dict[tuple[str, tuple[Any, ...]], tuple[float, int]] = {}
_counts_lock = threading.Lock()


def data_version(session: Session, scope: Scope) -> tuple[Any, ...]:
    """A value that changes whenever the scope's mirror changes.

    Every page a sync writes and every tombstone is counted on its run.
    """
    row = session.execute(
        select(
            func.max(SyncRun.id),
            func.sum(SyncRun.pages + SyncRun.tombstoned + SyncRun.added + SyncRun.updated),
        ).where(SyncRun.integration_id.in_(scope.integration_ids))
    ).one()
    return (str(session.get_bind().engine.url), tuple(scope.integration_ids), *row)


def counted(session: Session, query: Select[int], version: tuple[Any, ...]) -> int:
    """Run a ``COUNT`` query, reusing its answer while ``version`` stays the same.

    The cache key is the database, the data version and the compiled SQL with its
    parameters, so it never mixes two accounts', two filters' or two moments' totals.
    """
    compiled = query.compile(dialect=session.get_bind().dialect)
    params = tuple(sorted((k, str(v)) for k, v in compiled.params.items()))
    key = (str(compiled), (*version, *params))
    now = time.monotonic()
    with _counts_lock:
        hit = _counts.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    total = int(session.scalar(query) or 0)
    with _counts_lock:
        if len(_counts) > 10_000:
            _counts.clear()
        _counts[key] = (now + COUNT_TTL, total)
    return total


def _clamp(page: int, total: int, size: int) -> int:
    return min(max(1, page), max(1, -(-total // size)))


def table_page(
    runtime: Runtime,
    scope: Scope,
    spec: TableSpec,
    filters: Filters,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of an entity's table, newest change first, with the total matching.

    Two queries: a ``COUNT(*)`` and the page itself, ordered by ``changed_at`` and limited in
    the database (the ``(integration_id, entity, changed_at)`` index serves it); the lookups
    are joined to the page's rows only.
    """
    if not scope.integration_ids:
        return Page([], 0, 1, size)
    conditions = _conditions(scope, spec, filters)
    with runtime.sessions() as session:
        count = select(func.count()).select_from(MirrorRecord).where(*conditions)
        total = counted(session, count, data_version(session, scope))
        number = _clamp(page, total, size)
        rows = (
            _base(spec, scope, filters)
            .order_by(*_newest_first(MirrorRecord))
            .limit(size)
            .offset((number - 1) * size)
            .subquery("page")
        )
        query = _labelled(spec, rows).order_by(*_newest_first(rows.c))
        shown = [_shown(spec, r) for r in session.execute(query).mappings()]
    return Page(shown, total or 0, number, size)


def table_rows(
    runtime: Runtime, scope: Scope, spec: TableSpec, filters: Filters
) -> Iterator[dict[str, Any]]:
    """Every row of an entity's table (all pages), streamed from the database."""
    if not scope.integration_ids:
        return
    rows = _base(spec, scope, filters).subquery("rows")
    query = _labelled(spec, rows).order_by(*_newest_first(rows.c))
    with runtime.sessions() as session:
        result = session.execute(query.execution_options(yield_per=1000))
        for row in result.mappings():
            yield _shown(spec, row)


def lookup_columns(spec: TableSpec) -> tuple[str, ...]:
    """The label columns a table adds to the typed ones (e.g. ``client_name``)."""
    return tuple(lookup.key for lookup in spec.lookups)


# -- clients -------------------------------------------------------------------------------------

#: The per-client figures of the clients table.
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


def _clients(scope: Scope, q: str) -> _Query:
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


def _with_figures(scope: Scope, clients: CTE) -> _Query:
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
    (served by the ``(integration_id, entity, client_id)`` index) — never one query per client.
    """
    if not scope.integration_ids:
        return Page([], 0, 1, size)
    clients = _clients(scope, q)
    with runtime.sessions() as session:
        total = counted(
            session,
            select(func.count()).select_from(clients.subquery()),
            data_version(session, scope),
        )
        number = _clamp(page, total, size)
        shown = (
            clients.order_by(func.lower(MirrorRecord.name), MirrorRecord.id)
            .limit(size)
            .offset((number - 1) * size)
            .cte("shown")
        )
        rows = [_client_row(r) for r in session.execute(_with_figures(scope, shown)).mappings()]
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
