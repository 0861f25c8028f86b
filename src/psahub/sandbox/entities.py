"""The sandbox's table of Halo resources: path, envelope, scope, role area and filters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    """One Halo REST resource as the sandbox serves it.

    ``key`` is the array's key in the list envelope; ``None`` means Halo answers with a bare
    array. ``scope`` is the area of the ``read:``/``edit:`` scopes (``None``: any valid token).
    ``area`` is the role access area. ``updated`` is the field ``lastupdatefromdate`` filters
    on, only where Halo has that filter. ``inactive`` names the field and the value that mean
    "inactive" for ``includeinactive``.
    """

    table: str
    path: str
    key: str | None
    scope: str | None
    area: str | None
    paged: bool = True
    paged_key: str | None = None
    updated: str | None = None
    inactive: tuple[str, bool] | None = None
    search: tuple[str, ...] = ("name",)
    filters: tuple[str, ...] = ("client_id", "site_id")
    cost_fields: tuple[str, ...] = ()
    line_cost_fields: tuple[str, ...] = ()
    alt_scopes: tuple[str, ...] = ()
    requires: str | None = None
    writable: bool = True
    detail_only: tuple[str, ...] = ()
    has_lines: bool = False


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "tickets",
        "Tickets",
        "tickets",
        "tickets",
        "tickets",
        updated="last_update",
        search=("summary", "details"),
        filters=("client_id", "site_id", "agent_id", "team_id", "tickettype_id", "status_id"),
        detail_only=("status_name", "tickettype_name", "priority_name", "agent_name"),
    ),
    Resource(
        "actions",
        "Actions",
        "actions",
        "tickets",
        "tickets",
        paged=False,
        search=("note",),
        filters=("ticket_id",),
        requires="ticket_id",
    ),
    Resource(
        "opportunities",
        "Opportunities",
        "tickets",
        "crm",
        "crm",
        updated="last_update",
        search=("summary",),
    ),
    Resource(
        "crm_notes",
        "CRMNote",
        "crmnotes",
        "crm",
        "crm",
        paged=False,
        search=("note",),
        filters=("client_id", "supplier_id"),
    ),
    Resource(
        "clients",
        "Client",
        "clients",
        "customers",
        "customers",
        updated="alastupdate",
        inactive=("inactive", True),
        filters=("toplevel_id",),
    ),
    Resource(
        "sites",
        "Site",
        "sites",
        "customers",
        "customers",
        updated="slastupdate",
        inactive=("inactive", True),
        filters=("client_id",),
    ),
    Resource(
        "users",
        "Users",
        "users",
        "customers",
        "users",
        updated="ulastupdate",
        inactive=("inactive", True),
        search=("name", "emailaddress"),
    ),
    Resource(
        "agents",
        "Agent",
        None,
        None,
        None,
        paged_key="results",
        inactive=("isdisabled", True),
        filters=(),
        writable=False,
    ),
    Resource(
        "teams",
        "Team",
        None,
        None,
        None,
        paged=False,
        inactive=("inactive", True),
        filters=("department_id",),
        writable=False,
    ),
    Resource(
        "ticket_types",
        "TicketType",
        None,
        None,
        None,
        paged=False,
        inactive=("inactive", True),
        filters=(),
        writable=False,
    ),
    Resource("statuses", "Status", None, None, None, paged=False, filters=(), writable=False),
    Resource(
        "priorities", "Priority", None, None, None, paged=False, filters=("slaid",), writable=False
    ),
    Resource("slas", "SLA", None, None, None, paged=False, filters=(), writable=False),
    Resource(
        "services",
        "Service",
        None,
        "tickets",
        "service_catalogue",
        paged=False,
        inactive=("inactive", True),
        filters=(),
    ),
    Resource(
        "contracts",
        "ClientContract",
        "contracts",
        "contracts",
        "contracts",
        inactive=("active", False),
        search=("ref",),
        cost_fields=("costperperiod",),
    ),
    Resource(
        "suppliers",
        "Supplier",
        "suppliers",
        "suppliers",
        "suppliers",
        inactive=("inactive", True),
        filters=(),
    ),
    Resource(
        "items",
        "Item",
        "items",
        "items",
        "items",
        inactive=("inactive", True),
        filters=("supplier_id",),
        cost_fields=("costprice", "recurringcost", "margin"),
    ),
    Resource(
        "quotes",
        "Quotation",
        "quotes",
        "quotes",
        "quotes",
        search=("title",),
        cost_fields=("margin",),
        line_cost_fields=("costprice", "margin"),
        has_lines=True,
    ),
    Resource(
        "invoices",
        "Invoice",
        "invoices",
        "invoices",
        "invoices",
        search=("invoicenumber",),
        filters=("client_id",),
        line_cost_fields=("unit_cost",),
        has_lines=True,
    ),
    Resource(
        "recurring_invoices",
        "RecurringInvoice",
        "invoices",
        "invoices",
        "billing",
        search=("invoicenumber",),
        filters=("client_id",),
        line_cost_fields=("unit_cost",),
        has_lines=True,
    ),
    Resource(
        "licences",
        "SoftwareLicence",
        "licences",
        "software",
        "assets",
        inactive=("is_active", False),
        alt_scopes=("softwarelicensing",),
        cost_fields=("purchase_price",),
    ),
    Resource(
        "assets",
        "Asset",
        "assets",
        "assets",
        "assets",
        updated="dlastupdate",
        inactive=("inactive", True),
        search=("inventory_number", "key_field"),
        filters=("client_id", "site_id", "assettype_id"),
        cost_fields=("item_cost",),
    ),
    Resource(
        "asset_types",
        "AssetType",
        None,
        "assets",
        "assets",
        paged=False,
        filters=(),
        cost_fields=("cost",),
        writable=False,
    ),
    Resource(
        "top_levels", "TopLevel", "tree", "customers", "customers", filters=(), writable=False
    ),
)

BY_PATH: dict[str, Resource] = {r.path.lower(): r for r in RESOURCES}
BY_TABLE: dict[str, Resource] = {r.table: r for r in RESOURCES}
