"""Changes made to an instance's data from outside a client: other Halo users at work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psahub.sandbox import catalog as cat
from psahub.sandbox.clock import EMPTY_DATE, now_stamp, utcnow
from psahub.sandbox.data import Generator
from psahub.sandbox.instance import Instance
from psahub.sandbox.store import Record

#: Fields that stamp a record's last change; every update refreshes those a record has.
CHANGE_STAMPS = (
    "last_update",
    "alastupdate",
    "slastupdate",
    "ulastupdate",
    "dlastupdate",
    "last_update_time",
    "last_modified",
    "lastactiondate",
)


def _creator(gen: Generator, table: str) -> Callable[[int], list[Record]]:
    """Return a function that adds ``n`` new records to ``table``."""
    inst = gen.instance
    rng = gen.rng

    def per_client(make: Callable[[int, Record], Record]) -> Callable[[int], list[Record]]:
        def create(n: int) -> list[Record]:
            clients = list(inst.table("clients"))
            target = inst.table(table)
            made = []
            for _ in range(n if clients else 0):
                made.append(target.put(make(target.next_id(), rng.choice(clients))))
            return made

        return create

    def bulk(fill: Callable[[int], None]) -> Callable[[int], list[Record]]:
        def create(n: int) -> list[Record]:
            target = inst.table(table)
            before = set(target.records)
            fill(n)
            return [r for k, r in target.records.items() if k not in before]

        return create

    def first_site(client: Record) -> Record:
        site = inst.table("sites").get(client.get("main_site_id"))
        return site or {"id": 0, "name": ""}

    creators: dict[str, Callable[[int], list[Record]]] = {
        "tickets": bulk(gen.tickets),
        "opportunities": bulk(gen.opportunities),
        "clients": bulk(gen.customers),
        "crm_notes": per_client(gen.crm_note),
        "sites": per_client(lambda i, c: gen.site(i, c, 1)),
        "users": per_client(lambda i, c: gen.user(i, c, first_site(c))),
        "contracts": per_client(gen.contract),
        "quotes": per_client(lambda i, c: gen.quote(i, c, 0)),
        "invoices": per_client(lambda i, c: gen.invoice(i, c, 0, False)),
        "recurring_invoices": per_client(lambda i, c: gen.invoice(i, c, 0, True)),
        "licences": per_client(lambda i, c: gen.licence(i, c, {})),
        "assets": per_client(lambda i, c: gen.asset(i, c, first_site(c), None)),
        "suppliers": per_client(lambda i, c: gen.supplier(i, f"{c['name']} Supplies", "other")),
        "items": per_client(lambda i, _c: gen.item(i, rng.choice(cat.ITEMS), 0)),
    }
    return creators[table]


MUTABLE_TABLES = (
    "tickets",
    "opportunities",
    "clients",
    "crm_notes",
    "sites",
    "users",
    "contracts",
    "quotes",
    "invoices",
    "recurring_invoices",
    "licences",
    "assets",
    "suppliers",
    "items",
)


def _edit(record: Record, rng_value: float) -> None:
    """Change something a person would change on this kind of record."""
    if "status_id" in record and "hasbeenclosed" in record:
        status = cat.STATUSES[int(rng_value * len(cat.STATUSES))][0]
        record["status_id"] = status
        record["status_name"] = next(n for s, n, _t in cat.STATUSES if s == status)
        record["hasbeenclosed"] = status in cat.CLOSED_STATUS_IDS
        record["dateclosed"] = now_stamp() if record["hasbeenclosed"] else EMPTY_DATE
    elif "notes" in record:
        record["notes"] = f"Reviewed {now_stamp()}"
    elif "note" in record:
        record["note"] = f"{record['note']} (edited)"
    elif "licences_in_use" in record:
        record["licences_in_use"] = int(record.get("count", 1) * rng_value)
    elif "periodchargeamount" in record:
        record["periodchargeamount"] = round(float(record["periodchargeamount"]) * 1.05, 2)
    elif "baseprice" in record:
        record["baseprice"] = round(float(record["baseprice"]) * 1.05, 2)
    elif "total" in record:
        record["paymentstatus"] = 2
    else:
        record["phone_number"] = f"0800 {int(rng_value * 1e6):06d}"


def mutate(
    instance: Instance, table: str, create: int = 0, update: int = 0, delete: int = 0
) -> dict[str, Any]:
    """Create, update and delete records of ``table`` as another Halo user would.

    Every touched record gets a fresh change stamp. Returns the ids affected.

    Raises:
        ValueError: for a table that cannot be mutated or negative counts.
    """
    if table not in MUTABLE_TABLES:
        raise ValueError(f"cannot mutate {table!r}; choose one of {', '.join(MUTABLE_TABLES)}")
    if min(create, update, delete) < 0:
        raise ValueError("counts must not be negative")
    gen = Generator(instance, rng=instance.rng, now=utcnow())
    target = instance.table(table)
    stamp = now_stamp()
    before = {name: set(t.records) for name, t in instance.tables.items()}
    created = _creator(gen, table)(create) if create else []
    # Creating a client also creates its sites and users: every new record is stamped now.
    new_anywhere = [
        record
        for name, t in instance.tables.items()
        for key, record in t.records.items()
        if create and key not in before[name]
    ]
    for record in new_anywhere:
        for name in ("dateoccurred", "datecreated", *CHANGE_STAMPS):
            if name in record:
                record[name] = stamp
        if "hasbeenclosed" in record:
            record.update(
                status_id=1, status_name="New", hasbeenclosed=False, dateclosed=EMPTY_DATE
            )
    new_ids = {r["id"] for r in created}
    keys = [k for k in target.records if k not in new_ids]
    updated = instance.rng.sample(keys, min(update, len(keys)))
    for key in updated:
        record = target.records[key]
        _edit(record, instance.rng.random())
        for name in CHANGE_STAMPS:
            if name in record:
                record[name] = stamp
    touched = set(updated)
    remaining = [k for k in keys if k not in touched]
    deleted = instance.rng.sample(remaining, min(delete, len(remaining)))
    for key in deleted:
        target.delete(key)
        if table == "tickets":
            instance.extra_actions.pop(key, None)
    target.touch()
    return {
        "table": table,
        "created": [r["id"] for r in created],
        "updated": updated,
        "deleted": deleted,
    }
