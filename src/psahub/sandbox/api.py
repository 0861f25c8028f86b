"""Halo's resource server: ``{base}/api/{Resource}[/{id}]`` with its scope and role checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psahub.sandbox.auth import Outcome, authinfo, check_bearer
from psahub.sandbox.data.mutations import MUTABLE_TABLES, mutate
from psahub.sandbox.entities import BY_PATH, Resource
from psahub.sandbox.instance import Caller, Instance
from psahub.sandbox.listing import BadParameter, int_param, list_outcome, row_view, truthy
from psahub.sandbox.permissions import AREA_LABELS, Access
from psahub.sandbox.tickets import (
    Refusal,
    TicketWriter,
    add_actions,
    post_response,
    ticket_actions,
    visible_ticket,
)
from psahub.sandbox.world import Sandbox
from psahub.sandbox.writes import delete_record, post_records

NULL_REFERENCE = {
    "ClassName": "System.NullReferenceException",
    "Message": "Object reference not set to an instance of an object.",
}


def _not_found(what: str) -> Outcome:
    return Outcome(404, {"Message": f"No HTTP resource was found that matches {what}."})


def _scope_refusal(resource: Resource, verb: str, caller: Caller) -> Outcome | None:
    if resource.scope is None:
        return None
    needed = [f"{verb}:{area}" for area in (resource.scope, *resource.alt_scopes)]
    if any(scope in caller.scopes for scope in needed):
        return None
    return Outcome(
        401,
        {
            "message": f"The application is not permitted to access {resource.path}: it needs the"
            f" '{needed[0]}' permission."
        },
        {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed[0]}"'},
    )


def _role_refusal(resource: Resource, write: bool, caller: Caller) -> Outcome | None:
    if resource.area is None:
        return None
    needed = Access.MODIFY if write else Access.READ
    if caller.level(resource.area) >= needed:
        return None
    label = AREA_LABELS[resource.area]
    doing = "modify" if write else "view"
    return Outcome(
        403,
        {
            "ClassName": "System.UnauthorizedAccessException",
            "Message": f"You do not have permission to {doing} {resource.path}"
            f" ({label}: {caller.level(resource.area).label}).",
        },
    )


def _parse_id(resource: Resource, raw: str) -> Any:
    if resource.table == "priorities":
        return raw
    try:
        return int(raw)
    except ValueError:
        raise BadParameter("id", f"The value '{raw}' is not valid.") from None


def _get_one(
    instance: Instance, resource: Resource, raw_id: str, params: Mapping[str, str], caller: Caller
) -> Outcome:
    if resource.table == "agents" and raw_id.lower() == "me":
        return Outcome(200, instance.table("agents").get(caller.agent.id))
    key = _parse_id(resource, raw_id)
    view = row_view(resource, caller, detail=True, lines=True)
    if resource.table == "actions":
        ticket = visible_ticket(instance, caller, int_param(params, "ticket_id") or 0)
        if ticket is None:
            return Outcome(500, NULL_REFERENCE)
        action = next((a for a in ticket_actions(instance, ticket) if a["id"] == key), None)
        return Outcome(200, action) if action else _not_found(f"action {key}")
    if resource.table == "tickets":
        record = visible_ticket(instance, caller, key)
    else:
        record = instance.table(resource.table).get(key)
    if record is None:
        return Outcome(404, {"Message": f"{resource.path} {key} was not found."})
    return Outcome(200, view(record))


def _list(
    instance: Instance, resource: Resource, params: Mapping[str, str], caller: Caller
) -> Outcome:
    if resource.table == "actions":
        ticket = visible_ticket(instance, caller, int_param(params, "ticket_id") or 0)
        if ticket is None:
            return Outcome(500, NULL_REFERENCE)
        actions = ticket_actions(instance, ticket)
        return Outcome(
            200, {"record_count": len(actions), "ticket_id": ticket["id"], "actions": actions}
        )
    outcome = list_outcome(instance, resource, params, caller)
    churn = instance.faults.churn.get(resource.table)
    if churn and truthy(params.get("pageinate")) and resource.table in MUTABLE_TABLES:
        changed = mutate(instance, resource.table, **churn)
        instance.counters.events["churn_changes"] += sum(
            len(changed[k]) for k in ("created", "updated", "deleted")
        )
    return outcome


def _write(
    instance: Instance,
    resource: Resource,
    method: str,
    rest: list[str],
    body: Any,
    caller: Caller,
) -> Outcome:
    if method == "DELETE":
        if len(rest) != 2 or not resource.writable or resource.table == "actions":
            return Outcome(405, {"Message": "The requested resource does not support DELETE."})
        key = _parse_id(resource, rest[1])
        if resource.table == "tickets" and visible_ticket(instance, caller, key) is None:
            return Outcome(404, {"Message": f"Tickets {key} was not found."})
        return delete_record(instance, resource, key)
    if len(rest) != 1 or not resource.writable:
        return Outcome(405, {"Message": "The requested resource does not support POST."})
    if resource.table == "tickets":
        writer = TicketWriter(instance, caller)
        return post_response(writer.apply(writer.plan(body)))
    if resource.table == "actions":
        return add_actions(instance, caller, body)
    return post_records(instance, resource, body)


def handle(
    sandbox: Sandbox,
    instance: Instance,
    method: str,
    rest: list[str],
    params: Mapping[str, str],
    authorization: str | None,
    body: Any,
    root_url: str,
) -> Outcome:
    """Answer one request to the resource server; ``rest`` is the path after ``/api``."""
    if not rest or not rest[0]:
        return _not_found("the API root")
    if rest[0].lower() == "authinfo" and method == "GET":
        if instance.faults.hide_authinfo:
            return _not_found("/api/authinfo")
        return Outcome(200, authinfo(instance, root_url))
    resource = BY_PATH.get(rest[0].lower())
    if resource is None or len(rest) > 2:
        return _not_found("/api/" + "/".join(rest))
    instance.counters.requests[f"{method} {resource.path}"] += 1
    grant = check_bearer(sandbox, instance, authorization)
    if isinstance(grant, Outcome):
        return grant
    caller = instance.caller(grant)
    if caller is None:
        return Outcome(401, {"message": "The agent behind this token can no longer log in."})
    write = method in ("POST", "DELETE")
    refusal = _scope_refusal(resource, "edit" if write else "read", caller) or _role_refusal(
        resource, write, caller
    )
    if refusal is not None:
        return refusal
    try:
        if write:
            return _write(instance, resource, method, rest, body, caller)
        if len(rest) == 2:
            return _get_one(instance, resource, rest[1], params, caller)
        return _list(instance, resource, params, caller)
    except BadParameter as bad:
        return Outcome(400, bad.body)
    except Refusal as refused:
        return Outcome(refused.status, refused.body)
