"""Create, update and delete for resources other than tickets: array POSTs and DELETE."""

from __future__ import annotations

from typing import Any

from psahub.sandbox.auth import Outcome
from psahub.sandbox.clock import now_stamp
from psahub.sandbox.data.mutations import CHANGE_STAMPS
from psahub.sandbox.entities import Resource
from psahub.sandbox.instance import Instance
from psahub.sandbox.tickets import Refusal


def post_records(instance: Instance, resource: Resource, body: Any) -> Outcome:
    """Apply ``POST /{Resource}`` with a JSON array: items with an ``id`` update, others create."""
    if not isinstance(body, list):
        raise Refusal(400, {"": f"The request body must be a JSON array of {resource.path}."})
    if not body:
        raise Refusal(400, {"": f"At least one {resource.path} record is required."})
    table = instance.table(resource.table)
    # Opportunities are ticket records: they take their ids from the tickets' sequence.
    ids = instance.table("tickets" if resource.table == "opportunities" else resource.table)
    keys = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise Refusal(400, {f"[{index}]": "Each record must be a JSON object."})
        key = _record_id(item, index)
        if key and table.get(key) is None:
            raise Refusal(404, {"Message": f"{resource.path} {key} was not found."})
        if not key and "name" in resource.search and not item.get("name"):
            raise Refusal(400, {f"[{index}].name": "Please enter a Name."})
        keys.append(key)
    stamp = now_stamp()
    saved = []
    for item, key in zip(body, keys, strict=True):
        record = dict(table.get(key) or {}) if key else _defaults(resource)
        record.update(item)
        record["id"] = key or ids.next_id()
        if "client_id" in record and resource.table == "sites":
            record["client_id"] = float(record["client_id"] or 0)
        for name in CHANGE_STAMPS:
            if name in record or name == resource.updated:
                record[name] = stamp
        saved.append(table.put(record))
    return Outcome(201, saved[0] if len(saved) == 1 else saved)


def _record_id(item: dict[str, Any], index: int) -> int:
    raw = item.get("id")
    if raw in (None, ""):
        return 0
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Refusal(400, {f"[{index}].id": f"The value '{raw}' is not valid."}) from None


def _defaults(resource: Resource) -> dict[str, Any]:
    if resource.inactive is None:
        return {}
    field, inactive_value = resource.inactive
    return {field: not inactive_value}


def delete_record(instance: Instance, resource: Resource, key: Any) -> Outcome:
    """Apply ``DELETE /{Resource}/{id}``."""
    removed = instance.table(resource.table).delete(key)
    if removed is None:
        raise Refusal(404, {"Message": f"{resource.path} {key} was not found."})
    if resource.table == "tickets":
        instance.extra_actions.pop(key, None)
    return Outcome(200, {"id": key, "deleted": True})
