"""A deterministic generator of a believable MSP's HaloPSA data.

The same seed, size and reference time always give the same records. Sizes are ``tiny``
(tens of tickets), ``small`` (a few thousand), ``medium`` (tens of thousands), ``large``
(200,000) or a number of tickets.
"""

from __future__ import annotations

from psahub.sandbox.data.commerce import CommerceData
from psahub.sandbox.data.configuration import ConfigurationData
from psahub.sandbox.data.customers import CustomerData
from psahub.sandbox.data.tickets import TicketData, generated_actions
from psahub.sandbox.instance import Instance

__all__ = ["SIZES", "Generator", "generated_actions", "parse_size", "populate"]

SIZES = {"tiny": 40, "small": 3_000, "medium": 30_000, "large": 200_000}
MAX_TICKETS = 5_000_000


def parse_size(value: str | int) -> int:
    """Turn a size name or a number of tickets into a number of tickets.

    Raises:
        ValueError: for an unknown name or a number out of range.
    """
    if isinstance(value, int) or value.strip().isdigit():
        count = int(value)
        if not 1 <= count <= MAX_TICKETS:
            raise ValueError(f"size must be between 1 and {MAX_TICKETS:,} tickets, not {count}")
        return count
    try:
        return SIZES[value.strip().lower()]
    except KeyError:
        names = ", ".join(SIZES)
        raise ValueError(
            f"size must be one of {names} or a number of tickets, not {value!r}"
        ) from None


class Generator(ConfigurationData, CustomerData, TicketData, CommerceData):
    """Every generator of records, in one object."""


def populate(instance: Instance, tickets: int) -> None:
    """Fill an empty instance with a believable MSP scaled to ``tickets`` tickets."""
    gen = Generator(instance)
    clients = max(6, min(2_000, tickets // 150))
    gen.directory(tickets)
    gen.lookups()
    gen.customers(clients)
    gen.opportunities(max(2, clients // 2))
    gen.crm_notes(3)
    gen.commerce()
    gen.tickets(tickets)
    open_counts: dict[int, int] = {}
    for ticket in instance.table("tickets"):
        if not ticket["hasbeenclosed"]:
            open_counts[ticket["client_id"]] = open_counts.get(ticket["client_id"], 0) + 1
    for client in instance.table("clients"):
        client["open_ticket_count"] = open_counts.get(client["id"], 0)
    instance.history_upto = max(instance.table("tickets").records, default=0)
    for table in instance.tables.values():
        table.touch()
    instance.refresh_directory_rows()
