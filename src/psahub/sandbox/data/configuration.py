"""Generated configuration: departments, teams, agents, lookups, suppliers and items."""

from __future__ import annotations

from typing import Any

from psahub.sandbox import catalog as cat
from psahub.sandbox.clock import day
from psahub.sandbox.data.base import GeneratorBase
from psahub.sandbox.directory import Agent, Department, DepartmentAccess, Team
from psahub.sandbox.store import Record


class ConfigurationData(GeneratorBase):
    """Makes the instance's configuration and catalogue."""

    def directory(self, ticket_count: int) -> None:
        """Departments, teams and agents (agent 1 is Halo's "Unassigned")."""
        d = self.instance.directory
        for i, name in enumerate(cat.DEPARTMENTS, start=1):
            d.departments[i] = Department(i, name)
        for i, (name, dept) in enumerate(cat.TEAMS, start=1):
            d.teams[i] = Team(i, name, dept + 1)
        d.agents[1] = Agent(1, "Unassigned", "", departments={})
        staff = min(60, 8 + ticket_count // 5_000)
        for agent_id in range(2, staff + 2):
            first, last = self.rng.choice(cat.FIRST_NAMES), self.rng.choice(cat.SURNAMES)
            team = self.rng.randint(1, len(cat.TEAMS))
            d.agents[agent_id] = Agent(
                agent_id,
                f"{first} {last}",
                f"{first}.{last}{agent_id}@msp.example".lower(),
                departments={d.teams[team].department_id: DepartmentAccess.VIEW_ALL},
                team_ids=[team],
            )

    def lookups(self) -> None:
        """Ticket types, statuses, SLAs, priorities, services, top levels and asset types."""
        tables = self.instance.tables
        for tid, name, team in cat.TICKET_TYPES:
            tables["ticket_types"].put(
                {
                    "id": tid,
                    "name": name,
                    "use": "opp" if tid == 7 else "ticket",
                    "inactive": False,
                    "visible": True,
                    "agentscanselect": True,
                    "enduserscanselect": tid in (1, 2),
                    "default_team": cat.TEAMS[team][0],
                    "default_priority": 3,
                    "group_id": 1,
                    "group_name": "Service Desk",
                }
            )
        for sid, name, kind in cat.STATUSES:
            tables["statuses"].put(
                {
                    "id": sid,
                    "name": name,
                    "shortname": name[:4].upper(),
                    "type": kind,
                    "colour": f"#{self.rng.getrandbits(24):06x}",
                    "sequence": sid,
                }
            )
        for sla_id, name in cat.SLAS:
            tables["slas"].put({"id": sla_id, "name": name, "workdays": "Mon-Fri"})
            for pid, pname, response, fix in cat.PRIORITIES:
                guid = self._guid()
                tables["priorities"].put(
                    {
                        "id": guid,
                        "priorityid": pid,
                        "slaid": sla_id,
                        "name": pname,
                        "responsetime": response / 2,
                        "responseunits": "h",
                        "fixtime": fix,
                        "fixunits": "h",
                        "ishidden": False,
                        "colour": "#c00000",
                    }
                )
        for i, name in enumerate(cat.SERVICES, start=1):
            tables["services"].put(
                {"id": i, "name": name, "inactive": False, "monitored": i % 2 == 0, "status": 1}
            )
        for i, name in enumerate(cat.TOP_LEVELS, start=1):
            tables["top_levels"].put({"id": i, "name": name, "inactive": False})
        for i, (name, group, cost) in enumerate(cat.ASSET_TYPES, start=1):
            tables["asset_types"].put(
                {
                    "id": i,
                    "name": name,
                    "assetgroup_id": 1 + i % 4,
                    "assetgroup_name": group,
                    "keyfield_id": 1,
                    "keyfield_name": "Hostname",
                    "cost": cost,
                    "show_to_users": True,
                }
            )
        for i, (vendor, vendor_kind) in enumerate(cat.SUPPLIERS, start=1):
            tables["suppliers"].put(self.supplier(i, vendor, vendor_kind))
        suppliers = {s["name"]: s["id"] for s in self._rows("suppliers")}
        for i, spec in enumerate(cat.ITEMS, start=1):
            tables["items"].put(self.item(i, spec, suppliers.get(spec[1], 0)))

    def supplier(self, sid: int, name: str, kind: str) -> Record:
        """A supplier (``Company``)."""
        domain = name.lower().replace(" ", "").replace("&", "") + ".example"
        return {
            "id": sid,
            "name": name,
            "inactive": False,
            "toplevel_id": 0,
            "toplevel_name": "",
            "contact_name": f"{self.rng.choice(cat.FIRST_NAMES)} {self.rng.choice(cat.SURNAMES)}",
            "email_address": f"partners@{domain}",
            "phone_number": f"0800 000 {sid:04d}",
            "website": f"https://www.{domain}",
            "address": "",
            "accounts_id": f"SUP{sid:04d}",
            "contract_count": 0,
            "datecreated": day(self._ago(1500, 700)),
            "default_currency_code": "GBP",
            "purchase_tax_code": 1,
            "type": kind,
        }

    def item(self, iid: int, spec: tuple[Any, ...], supplier_id: int) -> Record:
        """A product (``Item``) with its cost and sell prices."""
        name, supplier, cost, price, recurring, group = spec
        return {
            "id": iid,
            "name": name,
            "description": name,
            "inactive": False,
            "status": 0,
            "use": "recurring" if recurring else "one-off",
            "assetgroup_id": 1,
            "assetgroup_name": group,
            "supplier_id": supplier_id,
            "supplier_name": supplier,
            "internalreference": f"ITEM-{iid:04d}",
            "externalreference": "",
            "supplier_part_code": f"{supplier[:3].upper()}-{iid:05d}" if supplier else "",
            "baseprice": price,
            "recurringprice": price if recurring else 0.0,
            "costprice": cost,
            "recurringcost": cost if recurring else 0.0,
            "margin": round(price - cost, 2),
            "taxcode": 1,
            "taxcode_name": "Standard 20%",
            "taxable": True,
            "quantity_in_stock": 0 if recurring else self.rng.randint(0, 25),
            "isrecurringitem": recurring,
            "third_party_id": "",
            "datecreated": day(self._ago(900)),
        }
