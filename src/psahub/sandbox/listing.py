"""Reading lists the way Halo does: filters, visibility, ordering, paging and envelopes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from psahub.sandbox.auth import Outcome
from psahub.sandbox.clock import parse_query_date
from psahub.sandbox.directory import UNASSIGNED_AGENT_ID
from psahub.sandbox.entities import Resource
from psahub.sandbox.instance import Caller, Instance
from psahub.sandbox.store import Predicate, Record

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
#: Rows a paged resource returns when the client asks neither for pages nor a ``count``.
DEFAULT_UNPAGED_ROWS = 100


class BadParameter(ValueError):
    """A query parameter Halo would refuse; carries the field-keyed 400 body."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.body = {name: message}


def truthy(value: str | None) -> bool:
    """Read Halo's loose booleans (``true``, ``True``, ``1``)."""
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def int_param(params: Mapping[str, str], name: str) -> int | None:
    """An optional integer parameter."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(float(raw))
    except ValueError:
        raise BadParameter(name, f"The value '{raw}' is not valid for {name}.") from None


def ticket_visibility(caller: Caller) -> Predicate:
    """Which tickets an agent may see: its departments, then the unassigned/others rules."""
    me = caller.agent.id
    view_all = caller.view_all_departments
    own_depts = caller.own_team_departments
    own_teams = frozenset(caller.agent.team_ids)
    see_unassigned = caller.can("can_view_unassigned")
    see_others = caller.can("can_view_others")

    def visible(ticket: Record) -> bool:
        dept = ticket.get("department_id")
        if dept not in view_all and not (dept in own_depts and ticket.get("team_id") in own_teams):
            return False
        agent = ticket.get("agent_id")
        if agent == UNASSIGNED_AGENT_ID or not agent:
            return see_unassigned
        return agent == me or see_others

    return visible


def _id_equals(name: str, value: int) -> Predicate:
    # Sites carry client_id as a decimal, so compare as integers.
    return lambda r: int(r.get(name) or 0) == value


def _stamp_bound(field: str, bound: str, lower: bool) -> Predicate:
    # Stamps share one width and format, so string order is time order.
    if lower:
        return lambda r: str(r.get(field) or "") >= bound
    return lambda r: str(r.get(field) or "") <= bound


def _build_filters(
    resource: Resource, params: Mapping[str, str], caller: Caller
) -> tuple[tuple[Any, ...], list[Predicate]]:
    checks: list[Predicate] = []
    signature: list[Any] = []
    for name in resource.filters:
        value = int_param(params, name)
        if value is not None:
            signature.append((name, value))
            checks.append(_id_equals(name, value))
    search = (params.get("search") or "").strip().lower()
    if search:
        signature.append(("search", search))
        fields = resource.search
        checks.append(lambda r: any(search in str(r.get(f) or "").lower() for f in fields))
    if resource.inactive:
        field, inactive_value = resource.inactive
        with_inactive = (
            truthy(params.get("includeinactive"))
            or truthy(params.get("includedisabled") if resource.table == "agents" else None)
            or truthy(params.get("showinactive"))
        )
        with_active = params.get("includeactive") is None or truthy(params.get("includeactive"))
        signature.append(("active", with_active, with_inactive))
        if not (with_active or with_inactive):
            checks.append(lambda r: False)
        elif not (with_active and with_inactive):
            checks.append(lambda r: (r.get(field) == inactive_value) == with_inactive)
    if resource.updated:
        for name, op in (("lastupdatefromdate", "ge"), ("lastupdatetodate", "le")):
            raw = params.get(name)
            if raw:
                try:
                    bound = parse_query_date(raw)
                except ValueError:
                    raise BadParameter(name, f"'{raw}' is not a valid date for {name}.") from None
                signature.append((name, bound))
                checks.append(_stamp_bound(resource.updated, bound, op == "ge"))
    if resource.table == "tickets":
        checks.extend(_ticket_state_checks(params, signature))
        checks.append(ticket_visibility(caller))
        signature.append(
            (
                "caller",
                caller.agent.id,
                caller.view_all_departments,
                tuple(sorted(caller.flags.items())),
            )
        )
    if resource.table == "agents":
        if not truthy(params.get("includeapiagents")):
            checks.append(lambda r: not r.get("is_api_only"))
        if not truthy(params.get("includeunassigned")):
            checks.append(lambda r: r.get("id") != UNASSIGNED_AGENT_ID)
        signature.append(
            ("agents", params.get("includeapiagents"), params.get("includeunassigned"))
        )
    return tuple(signature), checks


def _ticket_state_checks(params: Mapping[str, str], signature: list[Any]) -> list[Predicate]:
    if truthy(params.get("closed_only")):
        signature.append("closed_only")
        return [lambda r: bool(r.get("hasbeenclosed"))]
    if truthy(params.get("open_only")):
        signature.append("open_only")
        return [lambda r: not r.get("hasbeenclosed")]
    if truthy(params.get("includeclosed")) or truthy(params.get("includeallclosed")):
        signature.append("all")
        return []
    signature.append("open")
    return [lambda r: not r.get("hasbeenclosed")]


def _combine(checks: list[Predicate]) -> Predicate | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda r: all(check(r) for check in checks)


def select(
    instance: Instance, resource: Resource, params: Mapping[str, str], caller: Caller
) -> list[Record]:
    """All records of ``resource`` the caller may see that match the query, in order."""
    signature, checks = _build_filters(resource, params, caller)
    order = (params.get("order") or "").strip().lower() or None
    descending = truthy(params.get("orderdesc"))
    return instance.table(resource.table).query(signature, _combine(checks), order, descending)


def row_view(
    resource: Resource, caller: Caller, detail: bool, lines: bool
) -> Callable[[Record], Record]:
    """How one stored record is shown: list rows lose detail fields; costs need permission."""
    hide_costs = not caller.can("can_view_item_costs")
    drop = set() if detail else set(resource.detail_only)
    if resource.has_lines and not (detail or lines):
        drop.add("lines")
    costs = resource.cost_fields if hide_costs else ()
    line_costs = resource.line_cost_fields if hide_costs else ()
    blank_custom = not detail and resource.table in (
        "tickets",
        "opportunities",
        "clients",
        "assets",
    )
    if not (drop or costs or line_costs or blank_custom):
        return lambda r: r

    def view(record: Record) -> Record:
        row = {k: v for k, v in record.items() if k not in drop}
        for name in costs:
            if name in row:
                row[name] = None
        if line_costs and "lines" in row:
            row["lines"] = [{**ln, **dict.fromkeys(line_costs)} for ln in row["lines"]]
        if blank_custom and "customfields" in row:
            row["customfields"] = None
        return row

    return view


def list_outcome(
    instance: Instance, resource: Resource, params: Mapping[str, str], caller: Caller
) -> Outcome:
    """Answer ``GET /{Resource}``: a bare array or ``{record_count, <key>: [...]}``."""
    rows = select(instance, resource, params, caller)
    view = row_view(resource, caller, detail=False, lines=truthy(params.get("includelines")))
    paginate = resource.paged and truthy(params.get("pageinate"))
    if not paginate:
        count = int_param(params, "count")
        if count is None and resource.paged and resource.key is not None:
            count = DEFAULT_UNPAGED_ROWS
        chosen = rows if count is None else rows[: max(0, count)]
        if resource.key is None:
            return Outcome(200, [view(r) for r in chosen])
        return Outcome(200, {"record_count": len(chosen), resource.key: [view(r) for r in chosen]})
    requested = int_param(params, "page_size")
    page_size = min(max(1, DEFAULT_PAGE_SIZE if requested is None else requested), MAX_PAGE_SIZE)
    page_no = max(1, int_param(params, "page_no") or 1)
    start = (page_no - 1) * page_size
    page = [view(r) for r in rows[start : start + page_size]]
    key = resource.paged_key or resource.key or "records"
    return Outcome(
        200,
        {"page_no": page_no, "page_size": page_size, "record_count": len(rows), key: page},
    )
