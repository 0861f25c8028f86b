"""Every HaloPSA entity psahub reads, declared once as data.

Sync, the doctor, export and the UI lists all read this table; nothing else in psahub knows a
Halo path or envelope key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The role's access levels, in the guide's words (step 2, role Permissions tab).
TICKETS = "Tickets Access Level"
CUSTOMERS = "Customers/Clients Access Level"
USERS = "User Access Level"
CRM = "CRM Access Level"
ASSETS = "Assets Access Level"
SUPPLIERS = "Suppliers Access Level"
ITEMS = "Products/Items Access Level"
QUOTES = "Quotations Access Level"
BILLING = "Billing Details Access Level"
INVOICES = "Invoices Access Level"
AGREEMENTS = "Customer Agreements Access Level"

_ALL_STATES: Mapping[str, str] = MappingProxyType(
    {"includeinactive": "true", "includeactive": "true"}
)
_CLOSED_TOO: Mapping[str, str] = MappingProxyType({"includeclosed": "true"})
_LINES: Mapping[str, str] = MappingProxyType({"includelines": "true"})


@dataclass(frozen=True)
class Columns:
    """Which Halo fields fill psahub's typed columns (the full record is always kept too).

    ``inactive`` is a field and the value of it that means inactive; ``closed`` a field whose
    true value means closed. Missing names leave the column empty.
    """

    name: str | None = "name"
    client_id: str | None = "client_id"
    site_id: str | None = "site_id"
    parent_id: str | None = None
    status: str | None = None
    kind: str | None = None
    agent_id: str | None = None
    amount: str | None = None
    occurred_at: str | None = None
    inactive: tuple[str, bool] | None = None
    closed: str | None = None


_NAMED = Columns(client_id=None, site_id=None)
_TICKET = Columns(
    name="summary",
    status="status_id",
    kind="tickettype_id",
    agent_id="agent_id",
    occurred_at="dateoccurred",
    closed="hasbeenclosed",
)


@dataclass(frozen=True)
class Entity:
    """One Halo entity as psahub reads it.

    ``key`` is the array's key in the list envelope, ``None`` when Halo answers a bare array.
    ``incremental`` is the query parameter for "changed since" and ``cursor`` the record field it
    compares, both ``None`` where Halo has no such filter (those entities are re-read in full and
    compared by content). ``params`` are sent on every list request (e.g. to include inactive
    or closed records). ``per_ticket`` entities are listed one ticket at a time. ``preview``
    entities are read first, so client mapping can start while the rest syncs.
    """

    name: str
    path: str
    key: str | None
    scope: str
    permission: str | None
    primary_key: tuple[str, ...] = ("id",)
    incremental: str | None = None
    cursor: str | None = None
    paged: bool = True
    params: Mapping[str, str] = field(default_factory=dict)
    per_ticket: bool = False
    cost_fields: tuple[str, ...] = ()
    preview: bool = False
    columns: Columns = Columns()

    @property
    def label(self) -> str:
        """A human name, e.g. "recurring invoices"."""
        return self.name.replace("_", " ")


# fmt: off
ENTITIES: tuple[Entity, ...] = (
    Entity("clients", "Client", "clients", "read:customers", CUSTOMERS, preview=True,
           incremental="lastupdatefromdate", cursor="alastupdate", params=_ALL_STATES,
           columns=Columns(client_id="id", site_id="main_site_id", kind="toplevel_id",
                           occurred_at="datecreated", inactive=("inactive", True))),
    Entity("sites", "Site", "sites", "read:customers", CUSTOMERS,
           incremental="lastupdatefromdate", cursor="slastupdate", params=_ALL_STATES,
           columns=Columns(site_id="id", inactive=("inactive", True))),
    Entity("users", "Users", "users", "read:customers", USERS,
           incremental="lastupdatefromdate", cursor="ulastupdate", params=_ALL_STATES,
           columns=Columns(site_id="site_id_int", inactive=("inactive", True))),
    Entity("agents", "Agent", None, "read:tickets", None, paged=False, preview=True,
           params={"includeenabled": "true", "includedisabled": "true",
                   "includeapiagents": "true", "includeunassigned": "true"},
           columns=Columns(client_id=None, site_id=None, kind="team",
                           inactive=("isdisabled", True))),
    Entity("teams", "Team", None, "read:tickets", None, paged=False, preview=True,
           params={"includeinactive": "true"},
           columns=Columns(client_id=None, site_id=None, parent_id="department_id",
                           inactive=("inactive", True))),
    Entity("ticket_types", "TicketType", None, "read:tickets", None, paged=False,
           preview=True, params={"showinactive": "true"},
           columns=Columns(client_id=None, site_id=None, inactive=("inactive", True))),
    Entity("statuses", "Status", None, "read:tickets", None, paged=False, preview=True,
           columns=_NAMED),
    Entity("priorities", "Priority", None, "read:tickets", None, paged=False, preview=True,
           columns=Columns(client_id=None, site_id=None, kind="priorityid",
                           parent_id="slaid")),
    Entity("tickets", "Tickets", "tickets", "read:tickets", TICKETS,
           incremental="lastupdatefromdate", cursor="last_update", params=_CLOSED_TOO,
           columns=_TICKET),
    Entity("actions", "Actions", "actions", "read:tickets", TICKETS, paged=False,
           per_ticket=True, primary_key=("ticket_id", "id"),
           columns=Columns(name="note", client_id=None, site_id=None, parent_id="ticket_id",
                           kind="outcome_id", agent_id="who_agentid",
                           occurred_at="datetime")),
    Entity("opportunities", "Opportunities", "tickets", "read:crm", CRM,
           incremental="lastupdatefromdate", cursor="last_update", params=_CLOSED_TOO,
           columns=Columns(name="summary", status="status_id", agent_id="agent_id",
                           amount="oppvalue", occurred_at="dateoccurred",
                           closed="hasbeenclosed")),
    Entity("crm_notes", "CRMNote", "crmnotes", "read:crm", CRM, paged=False,
           columns=Columns(name="note", agent_id="who_agentid", occurred_at="datetime")),
    Entity("contracts", "ClientContract", "contracts", "read:contracts", AGREEMENTS,
           params=_ALL_STATES, cost_fields=("costperperiod",),
           columns=Columns(name="ref", status="status", kind="contracttype_name",
                           amount="periodchargeamount", occurred_at="start_date",
                           inactive=("active", False))),
    Entity("suppliers", "Supplier", "suppliers", "read:suppliers", SUPPLIERS,
           params=_ALL_STATES,
           columns=Columns(client_id=None, site_id=None, inactive=("inactive", True))),
    Entity("items", "Item", "items", "read:items", ITEMS, params=_ALL_STATES,
           cost_fields=("costprice", "recurringcost"),
           columns=Columns(client_id=None, site_id=None, parent_id="supplier_id",
                           kind="assetgroup_name", amount="baseprice",
                           inactive=("inactive", True))),
    Entity("quotes", "Quotation", "quotes", "read:quotes", QUOTES, params=_LINES,
           columns=Columns(name="title", parent_id="ticket_id", status="status",
                           agent_id="agent_id", amount="total", occurred_at="date")),
    Entity("invoices", "Invoice", "invoices", "read:invoices", INVOICES, params=_LINES,
           columns=Columns(name="invoicenumber", site_id=None, status="paymentstatus",
                           amount="total", occurred_at="invoice_date")),
    Entity("recurring_invoices", "RecurringInvoice", "invoices", "read:invoices", BILLING,
           params=_LINES,
           columns=Columns(name="invoicenumber", site_id=None, amount="total",
                           occurred_at="startdate", inactive=("disabled", True))),
    Entity("licences", "SoftwareLicence", "licences", "read:software", ASSETS,
           params=_ALL_STATES,
           columns=Columns(parent_id="supplier_id", kind="vendor", amount="price",
                           occurred_at="start_date", inactive=("is_active", False))),
    Entity("assets", "Asset", "assets", "read:assets", ASSETS, params=_ALL_STATES,
           incremental="lastupdatefromdate", cursor="dlastupdate",
           cost_fields=("item_cost",),
           columns=Columns(name="inventory_number", status="status_id", kind="assettype_id",
                           inactive=("inactive", True))),
    Entity("asset_types", "AssetType", None, "read:assets", ASSETS, paged=False,
           columns=Columns(client_id=None, site_id=None, kind="assetgroup_name")),
)
# fmt: on

BY_NAME: Mapping[str, Entity] = MappingProxyType({e.name: e for e in ENTITIES})


def entity(name: str) -> Entity:
    """Look an entity up by its psahub name.

    Raises:
        KeyError: with the list of names when there is no such entity.
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown entity {name!r}; choose from {', '.join(BY_NAME)}") from None
