"""Halo's permission model: API scopes, role access levels and the role's ticket flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

#: Every scope name Halo's token endpoint accepts; anything else is ``invalid_scope``.
KNOWN_SCOPES = frozenset(
    {
        "all",
        "all:standard",
        "admin",
        "all:teams",
        "editMine:timesheets",
        "access:chat",
        "access:adpasswordreset",
        "openid",
        "email",
        "profile",
        "offline_access",
        "roles",
    }
    | {
        f"{verb}:{area}"
        for verb in ("read", "edit")
        for area in (
            "tickets",
            "calendar",
            "customers",
            "crm",
            "timesheets",
            "contracts",
            "suppliers",
            "items",
            "projects",
            "sales",
            "quotes",
            "sos",
            "pos",
            "invoices",
            "reporting",
            "software",
            "softwarelicensing",
            "kb",
            "assets",
            "distributionlists",
            "mailcampaign",
            "events",
        )
    }
)

#: Scopes that stand for "everything the application allows".
WILDCARD_SCOPES = frozenset({"all", "all:standard"})

#: The scopes the seed guide tells the MSP to tick on its API application.
SEED_GUIDE_SCOPES = (
    "read:tickets",
    "edit:tickets",
    "read:customers",
    "read:crm",
    "read:contracts",
    "read:suppliers",
    "read:items",
    "read:quotes",
    "read:invoices",
    "read:software",
    "read:assets",
)


def expand_scopes(scopes: set[str]) -> set[str]:
    """Return ``scopes`` plus what they imply: ``edit:X`` includes ``read:X``."""
    expanded = set(scopes)
    for scope in scopes:
        if scope.startswith("edit:"):
            expanded.add("read:" + scope.removeprefix("edit:"))
    return expanded


class Access(IntEnum):
    """A role's access level to one area, as Halo's role screen names them."""

    NONE = 0
    READ = 1
    MODIFY = 2

    @property
    def label(self) -> str:
        """The wording of Halo's role screen."""
        return {0: "No Access", 1: "Read Only", 2: "Read and Modify"}[self.value]


#: Role areas, keyed by our short name, with the label of Halo's permission screen.
AREA_LABELS = {
    "tickets": "Tickets Access Level",
    "customers": "Customers/Clients Access Level",
    "users": "User Access Level",
    "crm": "CRM Access Level",
    "assets": "Assets Access Level",
    "suppliers": "Suppliers Access Level",
    "items": "Products/Items Access Level",
    "quotes": "Quotations Access Level",
    "billing": "Billing Details Access Level",
    "invoices": "Invoices Access Level",
    "contracts": "Customer Agreements Access Level",
    "service_catalogue": "Service Catalogue Access Level",
}

#: The role's yes/no ticket and billing permissions, with Halo's wording.
FLAG_LABELS = {
    "can_add_tickets": "Can add new Tickets",
    "can_view_unassigned": "Can view Unassigned Tickets",
    "can_view_others": "Can view Tickets that are assigned to other Agents",
    "can_change_ticket_type": "Can change a Ticket's Ticket Type",
    "can_reassign": "Can Re-Assign Tickets",
    "can_view_item_costs": "Can View Item Costs",
}


@dataclass
class Role:
    """A Halo role: an access level per area plus yes/no permissions."""

    id: int
    name: str
    access: dict[str, Access] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)

    def level(self, area: str) -> Access:
        """The role's access level to ``area`` (No Access when unset)."""
        return self.access.get(area, Access.NONE)

    def allows(self, flag: str) -> bool:
        """Whether the yes/no permission ``flag`` is granted."""
        return self.flags.get(flag, False)

    def to_json(self) -> dict[str, object]:
        """The role as the admin API shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "access": {area: self.level(area).name.lower() for area in AREA_LABELS},
            "flags": {flag: self.allows(flag) for flag in FLAG_LABELS},
        }


def seed_guide_role(role_id: int, name: str = "HighGroundAgentRole") -> Role:
    """The role exactly as the seed guide's step 2 configures it."""
    access = dict.fromkeys(AREA_LABELS, Access.READ)
    access["tickets"] = Access.MODIFY
    return Role(role_id, name, access, dict.fromkeys(FLAG_LABELS, True))


def parse_access(value: str) -> Access:
    """Read an access level from the admin API (``none``, ``read``, ``modify``)."""
    try:
        return Access[value.strip().upper()]
    except KeyError:
        raise ValueError(f"access level must be none, read or modify, not {value!r}") from None
