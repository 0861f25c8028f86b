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
    table = instance.table(resource.table)
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise Refusal(400, {f"[{index}]": "Each record must be a JSON object."})
        key = item.get("id")
        if key not in (None, 0, "") and table.get(key) is None:
            raise Refusal(404, {"Message": f"{resource.path} {key} was not found."})
        if key in (None, 0, "") and "name" in resource.search and not item.get("name"):
            raise Refusal(400, {f"[{index}].name": "Please enter a Name."})
    stamp = now_stamp()
    saved = []
    for item in body:
        key = item.get("id")
        record = dict(table.get(key) or {}) if key not in (None, 0, "") else {}
        record.update(item)
        if not record.get("id"):
            record["id"] = table.next_id()
        for name in CHANGE_STAMPS:
            if name in record or name == resource.updated:
                record[name] = stamp
        saved.append(table.put(record))
    return Outcome(201, saved[0] if len(saved) == 1 else saved)


def delete_record(instance: Instance, resource: Resource, key: Any) -> Outcome:
    """Apply ``DELETE /{Resource}/{id}``."""
    removed = instance.table(resource.table).delete(key)
    if removed is None:
        raise Refusal(404, {"Message": f"{resource.path} {key} was not found."})
    if resource.table == "tickets":
        instance.extra_actions.pop(key, None)
    return Outcome(200, {"id": key, "deleted": True})
