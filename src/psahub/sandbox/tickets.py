"""Ticket writes with Halo's rules: create, re-assign, change type or status, and actions."""

from __future__ import annotations

from typing import Any

from psahub.sandbox import catalog as cat
from psahub.sandbox.auth import Outcome
from psahub.sandbox.clock import EMPTY_DATE, now_stamp
from psahub.sandbox.data import generated_actions
from psahub.sandbox.directory import UNASSIGNED_AGENT_ID
from psahub.sandbox.instance import Caller, Instance
from psahub.sandbox.listing import ticket_visibility
from psahub.sandbox.permissions import FLAG_LABELS
from psahub.sandbox.store import Record


class Refusal(Exception):
    """A write Halo refuses; carries the status and body to answer with."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def _forbidden(flag: str) -> Refusal:
    return Refusal(
        403,
        {
            "ClassName": "System.UnauthorizedAccessException",
            "Message": f"You do not have permission to do this: '{FLAG_LABELS[flag]}' is not "
            "enabled for your role.",
        },
    )


def _as_int(item: dict[str, Any], name: str, where: str) -> int | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise Refusal(400, {f"{where}.{name}": f"The value '{value}' is not valid."}) from None


def visible_ticket(instance: Instance, caller: Caller, ticket_id: int) -> Record | None:
    """The ticket with this id if the caller may see it."""
    ticket = instance.table("tickets").get(ticket_id)
    if ticket is None or not ticket_visibility(caller)(ticket):
        return None
    return ticket


class TicketWriter:
    """Validates a batch of ticket changes completely, then applies them."""

    def __init__(self, instance: Instance, caller: Caller) -> None:
        self.instance = instance
        self.caller = caller
        self.directory = instance.directory
        self.types = {r["id"]: r for r in instance.table("ticket_types")}
        self.statuses = {r["id"]: r for r in instance.table("statuses")}

    def _changes(self, item: dict[str, Any], where: str, current: Record | None) -> Record:
        """Validate the fields of one posted ticket; return the values to store."""
        out: Record = {}
        for text in (
            "summary",
            "details",
            "details_html",
            "category_1",
            "third_party_id_string",
            "user_name",
            "reportedby",
            "user_email",
        ):
            if text in item and item[text] is not None:
                out[text] = str(item[text])
        for number in ("impact", "urgency", "source", "third_party_id", "priority_id"):
            value = _as_int(item, number, where)
            if value is not None:
                out[number] = value
        if "priority_id" in out and out["priority_id"] not in {p[0] for p in cat.PRIORITIES}:
            raise Refusal(400, {f"{where}.priority_id": "The priority is not valid for the SLA."})
        type_id = _as_int(item, "tickettype_id", where)
        if type_id is not None:
            if type_id not in self.types:
                raise Refusal(400, {f"{where}.tickettype_id": f"Ticket Type {type_id} not found."})
            if current is not None and type_id != current["tickettype_id"]:
                self._require("can_change_ticket_type")
            out["tickettype_id"], out["tickettype_name"] = type_id, self.types[type_id]["name"]
        status_id = _as_int(item, "status_id", where)
        if status_id is not None:
            if status_id not in self.statuses:
                raise Refusal(400, {f"{where}.status_id": f"Status {status_id} not found."})
            out["status_id"], out["status_name"] = status_id, self.statuses[status_id]["name"]
        self._assignment(item, where, current, out)
        self._customer(item, where, out)
        return out

    def _assignment(
        self, item: dict[str, Any], where: str, current: Record | None, out: Record
    ) -> None:
        agent_id = _as_int(item, "agent_id", where)
        if agent_id is not None:
            agent = self.directory.agents.get(agent_id or UNASSIGNED_AGENT_ID)
            if agent is None or agent.is_api_only:
                raise Refusal(400, {f"{where}.agent_id": f"Agent {agent_id} not found."})
            out["agent_id"], out["agent_name"] = agent.id, agent.name
        team_name = item.get("team")
        if team_name not in (None, ""):
            team = self.directory.team_by_name(str(team_name))
            if team is None:
                raise Refusal(400, {f"{where}.team": f"Team '{team_name}' not found."})
            out["team"], out["team_id"], out["department_id"] = (
                team.name,
                team.id,
                team.department_id,
            )
        if current is not None and (
            out.get("agent_id", current["agent_id"]) != current["agent_id"]
            or out.get("team_id", current["team_id"]) != current["team_id"]
        ):
            self._require("can_reassign")

    def _customer(self, item: dict[str, Any], where: str, out: Record) -> None:
        client_id = _as_int(item, "client_id", where)
        if client_id is None:
            return
        client = self.instance.table("clients").get(client_id)
        if client is None:
            raise Refusal(400, {f"{where}.client_id": f"Customer {client_id} not found."})
        out["client_id"], out["client_name"] = client_id, client["name"]
        site_id = _as_int(item, "site_id", where) or client.get("main_site_id") or 0
        site = self.instance.table("sites").get(site_id)
        out["site_id"], out["site_name"] = site_id, site["name"] if site else ""
        user_id = _as_int(item, "user_id", where)
        if user_id and user_id > 0:
            user = self.instance.table("users").get(user_id)
            if user is None:
                raise Refusal(400, {f"{where}.user_id": f"User {user_id} not found."})
            out["user_id"], out["user_name"] = user_id, user["name"]
            out["user_email"] = user["emailaddress"]

    def _require(self, flag: str) -> None:
        if not self.caller.can(flag):
            raise _forbidden(flag)

    def plan(self, body: Any) -> list[tuple[Record | None, Record]]:
        """Check every posted ticket; return (existing ticket or None, changes) pairs."""
        if not isinstance(body, list) or not body:
            raise Refusal(400, {"": "The request body must be a non-empty JSON array of tickets."})
        plan: list[tuple[Record | None, Record]] = []
        for index, item in enumerate(body):
            where = f"[{index}]"
            if not isinstance(item, dict):
                raise Refusal(400, {where: "Each ticket must be a JSON object."})
            ticket_id = _as_int(item, "id", where)
            if ticket_id and ticket_id > 0:
                current = visible_ticket(self.instance, self.caller, ticket_id)
                if current is None:
                    raise Refusal(404, {"Message": f"Ticket {ticket_id} was not found."})
                plan.append((current, self._changes(item, where, current)))
                continue
            self._require("can_add_tickets")
            if not str(item.get("summary") or "").strip():
                raise Refusal(400, {f"{where}.summary": "Please enter a Summary."})
            if item.get("client_id") in (None, "", 0):
                raise Refusal(400, {f"{where}.client_id": "Please select a Customer."})
            plan.append((None, self._changes(item, where, None)))
        return plan

    def apply(self, plan: list[tuple[Record | None, Record]]) -> list[Record]:
        """Store the planned changes; return the resulting tickets."""
        table = self.instance.table("tickets")
        stamp = now_stamp()
        results = []
        for current, changes in plan:
            if current is None:
                record = self._new_ticket(table.next_id(), changes, stamp)
                self.instance.counters.events["tickets_created"] += 1
            else:
                record = current
                if changes.get("agent_id", record["agent_id"]) != record["agent_id"]:
                    record["dateassigned"] = stamp
                record.update(changes)
                self.instance.counters.events["tickets_updated"] += 1
            closed = record["status_id"] in cat.CLOSED_STATUS_IDS
            if closed and not record["hasbeenclosed"]:
                record["dateclosed"] = stamp
            elif not closed:
                record["dateclosed"] = EMPTY_DATE
            record["hasbeenclosed"] = closed
            record["last_update"] = stamp
            table.put(record)
            results.append(record)
        return results

    def _new_ticket(self, ticket_id: int, changes: Record, stamp: str) -> Record:
        type_id = changes.get("tickettype_id", 1)
        team = self.directory.team_by_name(str(self.types[type_id]["default_team"]))
        unassigned = self.directory.agents[UNASSIGNED_AGENT_ID]
        record: Record = {
            "id": ticket_id,
            "summary": "",
            "details": "",
            "tickettype_id": type_id,
            "tickettype_name": self.types[type_id]["name"],
            "status_id": 1,
            "status_name": "New",
            "priority_id": 3,
            "priority_name": "Medium",
            "sla_id": 1,
            "client_id": 0,
            "client_name": "",
            "site_id": 0,
            "site_name": "",
            "user_id": 0,
            "user_name": "General User",
            "user_email": "",
            "reportedby": "",
            "agent_id": unassigned.id,
            "agent_name": unassigned.name,
            "team_id": team.id if team else 0,
            "team": team.name if team else "",
            "department_id": team.department_id if team else 0,
            "category_1": "",
            "categoryid_1": 0,
            "impact": 3,
            "urgency": 3,
            "source": 0,
            "dateoccurred": stamp,
            "datecreated": stamp,
            "dateassigned": EMPTY_DATE,
            "dateclosed": EMPTY_DATE,
            "last_update": stamp,
            "lastactiondate": stamp,
            "respondbydate": EMPTY_DATE,
            "fixbydate": EMPTY_DATE,
            "deadlinedate": EMPTY_DATE,
            "hasbeenclosed": False,
            "inactive": False,
            "deleted": False,
            "onhold": False,
            "flagged": False,
            "timetaken": 0.0,
            "estimate": 0.0,
            "is_opportunity": False,
            "is_project": False,
            "third_party_id": 0,
            "third_party_id_string": "",
            "attachment_count": 0,
            "parent_id": 0,
            "child_count": 0,
            "customfields": [],
        }
        if changes.get("agent_id", UNASSIGNED_AGENT_ID) != UNASSIGNED_AGENT_ID:
            record["dateassigned"] = stamp
        record.update(changes)
        return record


def post_response(tickets: list[Record]) -> Outcome:
    """Halo answers a ticket POST with the ticket(s), using ``lastupdate`` not ``last_update``."""
    shown = []
    for ticket in tickets:
        row = {k: v for k, v in ticket.items() if k != "last_update"}
        row["lastupdate"] = ticket["last_update"]
        shown.append(row)
    return Outcome(201, shown[0] if len(shown) == 1 else shown)


def ticket_actions(instance: Instance, ticket: Record) -> list[Record]:
    """Every action of a ticket: the generated history plus those added through the API."""
    return generated_actions(instance, ticket) + instance.extra_actions.get(ticket["id"], [])


def add_actions(instance: Instance, caller: Caller, body: Any) -> Outcome:
    """``POST /Actions``: add notes to tickets, optionally changing the ticket with them.

    Like a ticket POST, the whole batch is checked before anything is stored.
    """
    if not isinstance(body, list) or not body:
        raise Refusal(400, {"": "The request body must be a non-empty JSON array of actions."})
    writer = TicketWriter(instance, caller)
    planned = []
    for index, item in enumerate(body):
        where = f"[{index}]"
        if not isinstance(item, dict):
            raise Refusal(400, {where: "Each action must be a JSON object."})
        ticket_id = _as_int(item, "ticket_id", where)
        ticket = visible_ticket(instance, caller, ticket_id or 0)
        if ticket is None:
            raise Refusal(404, {"Message": f"Ticket {ticket_id} was not found."})
        outcome_id = _as_int(item, "outcome_id", where)
        if outcome_id is None:
            raise Refusal(
                400, {f"{where}.outcome_id": "An Outcome must be entered for this Action"}
            )
        change: dict[str, Any] = {"id": ticket["id"]}
        for source, target in (
            ("new_status", "status_id"),
            ("new_agent", "agent_id"),
            ("new_team", "team"),
            ("new_tickettype", "tickettype_id"),
        ):
            if item.get(source) not in (None, "", 0):
                change[target] = item[source]
        plan = writer.plan([change]) if len(change) > 1 else []
        planned.append((item, ticket, outcome_id, plan))
    created = []
    for item, ticket, outcome_id, plan in planned:
        if plan:
            writer.apply(plan)
        stamp = now_stamp()
        existing = ticket_actions(instance, ticket)
        outcome = next((name for oid, name in cat.OUTCOMES if oid == outcome_id), "Note")
        action = {
            "id": len(existing) + 1,
            "ticket_id": ticket["id"],
            "outcome": outcome,
            "outcome_id": outcome_id,
            "who": caller.agent.name,
            "who_agentid": caller.agent.id,
            "actionby_agent_id": caller.agent.id,
            "datetime": stamp,
            "actiondatecreated": stamp,
            "last_updated": stamp,
            "note": str(item.get("note") or item.get("note_html") or ""),
            "hiddenfromuser": bool(item.get("hiddenfromuser", False)),
            "timetaken": float(item.get("timetaken") or 0),
            "actisbillable": False,
            "chargerate": 0,
            "new_status": int(ticket["status_id"]) if plan else 0,
        }
        instance.extra_actions.setdefault(ticket["id"], []).append(action)
        ticket["lastactiondate"] = stamp
        ticket["last_update"] = stamp
        instance.table("tickets").touch()
        created.append(action)
    return Outcome(201, created[0] if len(created) == 1 else created)
