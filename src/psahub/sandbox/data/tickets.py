"""Generated service desk data: tickets, their actions, opportunities and CRM notes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from psahub.sandbox import catalog as cat
from psahub.sandbox.clock import EMPTY_DATE, stamp
from psahub.sandbox.data.base import GeneratorBase
from psahub.sandbox.instance import Instance
from psahub.sandbox.store import Record

_TYPE_WEIGHTS = (40, 30, 4, 8, 14, 4)
_OPEN_STATUSES = (1, 2, 3, 4, 5)
_STATUS_NAMES = {sid: name for sid, name, _kind in cat.STATUSES}
_TYPE_NAMES = {tid: name for tid, name, _team in cat.TICKET_TYPES}
_PRIORITY_NAMES = {pid: name for pid, name, _r, _f in cat.PRIORITIES}


class TicketData(GeneratorBase):
    """Makes tickets, opportunities and CRM notes; actions are made on demand."""

    def _people(
        self,
    ) -> tuple[dict[int, list[Record]], dict[int, list[Record]], dict[int, list[Record]]]:
        sites: dict[int, list[Record]] = {}
        users: dict[int, list[Record]] = {}
        assets: dict[int, list[Record]] = {}
        for site in self.instance.table("sites"):
            sites.setdefault(int(site["client_id"]), []).append(site)
        for user in self.instance.table("users"):
            users.setdefault(user["client_id"], []).append(user)
        for asset in self.instance.table("assets"):
            assets.setdefault(asset["client_id"], []).append(asset)
        return sites, users, assets

    def _agents_by_team(self) -> dict[int, list[int]]:
        by_team: dict[int, list[int]] = {}
        for agent in self.instance.directory.agents.values():
            for team_id in agent.team_ids:
                by_team.setdefault(team_id, []).append(agent.id)
        return by_team

    def tickets(self, count: int) -> None:
        """``count`` tickets spread over clients, types, teams, agents and two years."""
        rng = self.rng
        table = self.instance.table("tickets")
        directory = self.instance.directory
        clients = self._rows("clients") or [self.client_placeholder()]
        sites, users, assets = self._people()
        weights = [1 + 3 * len(users.get(c["id"], ())) for c in clients]
        chosen_clients = rng.choices(clients, weights=weights, k=count)
        chosen_types = rng.choices(range(1, 7), weights=_TYPE_WEIGHTS, k=count)
        agents_by_team = self._agents_by_team()
        teams = directory.teams
        span = 730.0 * 86_400
        for client, type_id in zip(chosen_clients, chosen_types, strict=True):
            tid = table.next_id()
            team_id = cat.TICKET_TYPES[type_id - 1][2] + 1
            if rng.random() < 0.25:
                team_id = rng.choice((1, 2, 3)) if type_id in (1, 2) else team_id
            team = teams[team_id]
            staff = agents_by_team.get(team_id) or [1]
            agent_id = 1 if rng.random() < 0.12 else rng.choice(staff)
            client_sites = sites.get(client["id"]) or [{"id": 0, "name": ""}]
            client_users = users.get(client["id"]) or [{"id": 0, "name": "", "emailaddress": ""}]
            site, user = rng.choice(client_sites), rng.choice(client_users)
            client_assets = assets.get(client["id"])
            asset_name = rng.choice(client_assets)["key_field"] if client_assets else "PC01"
            summary = rng.choice(cat.SUMMARIES[type_id]).format(
                user=user["name"], site=site["name"], asset=asset_name
            )
            occurred = self.now - timedelta(seconds=rng.random() * span)
            age = (self.now - occurred).total_seconds()
            updated = occurred + timedelta(seconds=rng.random() * min(age, 30 * 86_400))
            closed = rng.random() < 0.72 and age > 86_400
            status_id = rng.choice((8, 9, 9, 9)) if closed else rng.choice(_OPEN_STATUSES)
            priority = rng.choice((1, 2, 3, 3, 3, 4, 4))
            table.put(
                self.ticket_record(
                    tid,
                    summary,
                    type_id,
                    status_id,
                    priority,
                    client,
                    site,
                    user,
                    agent_id,
                    team.id,
                    team.name,
                    team.department_id,
                    occurred,
                    updated,
                )
            )

    def client_placeholder(self) -> Record:
        """A stand-in client for an instance generated without any."""
        return {"id": 1, "name": "Internal", "inactive": False}

    def ticket_record(
        self,
        tid: int,
        summary: str,
        type_id: int,
        status_id: int,
        priority: int,
        client: Record,
        site: Record,
        user: Record,
        agent_id: int,
        team_id: int,
        team_name: str,
        department_id: int,
        occurred: datetime,
        updated: datetime,
    ) -> Record:
        """One ticket (``Faults``) as Halo stores it."""
        closed = status_id in cat.CLOSED_STATUS_IDS
        agent = self.instance.directory.agents.get(agent_id)
        occurred_s, updated_s = stamp(occurred), stamp(updated)
        return {
            "id": tid,
            "summary": summary,
            "details": f"{summary}. Reported via the portal.",
            "tickettype_id": type_id,
            "tickettype_name": _TYPE_NAMES[type_id],
            "status_id": status_id,
            "status_name": _STATUS_NAMES[status_id],
            "priority_id": priority,
            "priority_name": _PRIORITY_NAMES[priority],
            "sla_id": 1,
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": site["id"],
            "site_name": site["name"],
            "user_id": user["id"],
            "user_name": user["name"],
            "user_email": user.get("emailaddress", ""),
            "reportedby": user["name"],
            "agent_id": agent_id,
            "agent_name": agent.name if agent else "",
            "team_id": team_id,
            "team": team_name,
            "department_id": department_id,
            "category_1": "",
            "categoryid_1": 0,
            "impact": 3,
            "urgency": 3,
            "source": 0,
            "dateoccurred": occurred_s,
            "datecreated": occurred_s,
            "dateassigned": occurred_s if agent_id != 1 else EMPTY_DATE,
            "dateclosed": updated_s if closed else EMPTY_DATE,
            "last_update": updated_s,
            "lastactiondate": updated_s,
            "respondbydate": EMPTY_DATE,
            "fixbydate": EMPTY_DATE,
            "deadlinedate": EMPTY_DATE,
            "hasbeenclosed": closed,
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

    def opportunities(self, count: int) -> None:
        """Sales opportunities: ticket records with ``opp*`` fields, sharing the ticket ids."""
        rng = self.rng
        ids = self.instance.table("tickets")
        table = self.instance.table("opportunities")
        clients = self._rows("clients")
        for _ in range(count if clients else 0):
            client = rng.choice(clients)
            when = self._ago(365)
            value = float(rng.choice((1200, 3500, 8000, 15000, 42000)))
            record = {
                "id": ids.next_id(),
                "summary": f"Security upgrade for {client['name']}",
                "details": "",
                "tickettype_id": 7,
                "status_id": rng.choice((1, 2, 9)),
                "client_id": client["id"],
                "client_name": client["name"],
                "site_id": client["main_site_id"],
                "agent_id": rng.randint(2, 9),
                "team": "Sales",
                "is_opportunity": True,
                "dateoccurred": stamp(when),
                "last_update": stamp(when + timedelta(days=rng.randint(0, 20))),
                "oppcontactname": "",
                "oppcompanyname": client["name"],
                "oppemailaddress": "",
                "opptel": "",
                "oppvalue": value,
                "oppconversionprobability": rng.choice((10, 25, 50, 75, 90)),
                "oppvalueadjusted": value / 2,
                "oppprofit": round(value * 0.3, 2),
                "opptype": 1,
                "oppconverteddate": EMPTY_DATE,
                "oppclosurecategory": 0,
                "pipeline_stage_id": rng.randint(1, 5),
                "pipeline_stage_name": "Qualified",
                "hasbeenclosed": False,
                "customfields": [],
            }
            table.put(record)

    def crm_note(self, nid: int, client: Record) -> Record:
        """A CRM note (``AreaNote``) against a client."""
        return {
            "id": nid,
            "client_id": client["id"],
            "site_id": 0,
            "user_id": 0,
            "supplier_id": 0,
            "quote_id": 0,
            "invoice_id": 0,
            "ticketid": 0,
            "datetime": stamp(self._ago(400)),
            "who_agentid": self.rng.randint(2, 9),
            "note": self.rng.choice(cat.CRM_NOTES),
            "detail": "",
            "timetaken": 0.5,
            "nextcalldate": EMPTY_DATE,
            "third_party_id": "",
        }

    def crm_notes(self, per_client: int) -> None:
        """Up to ``per_client`` CRM notes for every client."""
        table = self.instance.table("crm_notes")
        for client in self._rows("clients"):
            for _ in range(self.rng.randint(0, per_client)):
                table.put(self.crm_note(table.next_id(), client))


def generated_actions(instance: Instance, ticket: Record) -> list[Record]:
    """The actions (notes, emails, updates) of a ticket, made the same way on every call.

    Action ids count from 1 within their ticket, as Halo's do. Only tickets that existed when
    the instance was generated have a history; actions added through the API are appended by
    the caller.
    """
    if int(ticket["id"]) > instance.history_upto:
        return []
    rng = random.Random(instance.seed * 1_000_003 + int(ticket["id"]))
    count = rng.randint(2, 4) if ticket.get("hasbeenclosed") else rng.randint(1, 3)
    moment = datetime.fromisoformat(str(ticket["dateoccurred"]).replace("Z", "+00:00"))
    actions = []
    for n in range(1, count + 1):
        moment += timedelta(minutes=rng.randint(5, 2_000))
        when = stamp(moment)
        outcome_id, outcome = rng.choice(cat.OUTCOMES)
        closing = n == count and ticket.get("hasbeenclosed")
        actions.append(
            {
                "id": n,
                "ticket_id": ticket["id"],
                "outcome": outcome,
                "outcome_id": outcome_id,
                "who": ticket.get("agent_name", ""),
                "who_agentid": ticket.get("agent_id", 0),
                "actionby_agent_id": ticket.get("agent_id", 0),
                "datetime": when,
                "actiondatecreated": when,
                "last_updated": when,
                "note": cat.ACTION_NOTES[4] if closing else rng.choice(cat.ACTION_NOTES),
                "hiddenfromuser": outcome_id == 7,
                "timetaken": rng.choice((0.1, 0.25, 0.5, 1.0)),
                "actisbillable": rng.random() < 0.6,
                "chargerate": 0,
                "new_status": ticket["status_id"] if closing else 0,
            }
        )
    return actions
