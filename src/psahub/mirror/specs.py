"""The tables the web pages show: their columns, lookups, filters and pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Select,
    select,
)

from psahub.runtime import Runtime
from psahub.store.models import Integration, MirrorRecord

PAGE_SIZE = 50

Query: TypeAlias = Select[*tuple[Any, ...]]


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
