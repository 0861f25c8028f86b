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


@dataclass(frozen=True)
class Entity:
    """One Halo entity as psahub reads it.

    ``key`` is the array's key in the list envelope, ``None`` when Halo answers a bare array.
    ``incremental`` is the query parameter for "changed since" and ``cursor`` the record field it
    compares, both ``None`` where Halo has no such filter (those entities are re-read in full and
    compared by content). ``params`` are sent on every list request (e.g. to include inactive
    or closed records). ``per_ticket`` entities are listed one ticket at a time.
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

    @property
    def label(self) -> str:
        """A human name, e.g. "recurring invoices"."""
        return self.name.replace("_", " ")


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "clients",
        "Client",
        "clients",
        "read:customers",
        CUSTOMERS,
        incremental="lastupdatefromdate",
        cursor="alastupdate",
        params=_ALL_STATES,
        preview=True,
    ),
    Entity(
        "sites",
        "Site",
        "sites",
        "read:customers",
        CUSTOMERS,
        incremental="lastupdatefromdate",
        cursor="slastupdate",
        params=_ALL_STATES,
    ),
    Entity(
        "users",
        "Users",
        "users",
        "read:customers",
        USERS,
        incremental="lastupdatefromdate",
        cursor="ulastupdate",
        params=_ALL_STATES,
    ),
    Entity(
        "agents",
        "Agent",
        None,
        "read:tickets",
        None,
        paged=False,
        params={"includeenabled": "true", "includedisabled": "true"},
        preview=True,
    ),
    Entity(
        "teams",
        "Team",
        None,
        "read:tickets",
        None,
        paged=False,
        params={"includeinactive": "true"},
        preview=True,
    ),
    Entity(
        "ticket_types",
        "TicketType",
        None,
        "read:tickets",
        None,
        paged=False,
        params={"showinactive": "true"},
        preview=True,
    ),
    Entity("statuses", "Status", None, "read:tickets", None, paged=False, preview=True),
    Entity("priorities", "Priority", None, "read:tickets", None, paged=False, preview=True),
    Entity(
        "tickets",
        "Tickets",
        "tickets",
        "read:tickets",
        TICKETS,
        incremental="lastupdatefromdate",
        cursor="last_update",
        params={"includeclosed": "true"},
    ),
    Entity(
        "actions",
        "Actions",
        "actions",
        "read:tickets",
        TICKETS,
        primary_key=("ticket_id", "id"),
        paged=False,
        per_ticket=True,
    ),
    Entity(
        "opportunities",
        "Opportunities",
        "tickets",
        "read:crm",
        CRM,
        incremental="lastupdatefromdate",
        cursor="last_update",
        params={"includeclosed": "true"},
    ),
    Entity("crm_notes", "CRMNote", "crmnotes", "read:crm", CRM, paged=False),
    Entity(
        "contracts",
        "ClientContract",
        "contracts",
        "read:contracts",
        AGREEMENTS,
        params=_ALL_STATES,
        cost_fields=("costperperiod",),
    ),
    Entity("suppliers", "Supplier", "suppliers", "read:suppliers", SUPPLIERS, params=_ALL_STATES),
    Entity(
        "items",
        "Item",
        "items",
        "read:items",
        ITEMS,
        params=_ALL_STATES,
        cost_fields=("costprice", "recurringcost"),
    ),
    Entity("quotes", "Quotation", "quotes", "read:quotes", QUOTES, params={"includelines": "true"}),
    Entity(
        "invoices",
        "Invoice",
        "invoices",
        "read:invoices",
        INVOICES,
        params={"includelines": "true"},
    ),
    Entity(
        "recurring_invoices",
        "RecurringInvoice",
        "invoices",
        "read:invoices",
        BILLING,
        params={"includelines": "true"},
    ),
    Entity("licences", "SoftwareLicence", "licences", "read:software", ASSETS, params=_ALL_STATES),
    Entity(
        "assets",
        "Asset",
        "assets",
        "read:assets",
        ASSETS,
        incremental="lastupdatefromdate",
        cursor="dlastupdate",
        params=_ALL_STATES,
        cost_fields=("item_cost",),
    ),
    Entity("asset_types", "AssetType", None, "read:assets", ASSETS, paged=False),
)

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
