"""One HaloPSA instance of the sandbox: its configuration, data, tokens, limits and faults."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psahub.sandbox.directory import Agent, DepartmentAccess, Directory
from psahub.sandbox.entities import RESOURCES
from psahub.sandbox.faults import Counters, Faults, RateLimit
from psahub.sandbox.permissions import FLAG_LABELS, Access
from psahub.sandbox.store import Record, Table

HOSTINGS = ("cloud", "self-hosted")


@dataclass
class Grant:
    """An access token and what it allows."""

    token: str
    instance: str
    app_id: int
    agent_id: int
    scopes: frozenset[str]
    expires_at: float

    def expired(self, now: float | None = None) -> bool:
        """Whether the token's lifetime is over."""
        return (time.time() if now is None else now) >= self.expires_at


@dataclass
class Caller:
    """The agent behind a request, with its effective access."""

    agent: Agent
    scopes: frozenset[str]
    access: dict[str, Access]
    flags: dict[str, bool]
    view_all_departments: frozenset[int]
    own_team_departments: frozenset[int]

    def can(self, flag: str) -> bool:
        """Whether any of the agent's roles grants the yes/no permission ``flag``."""
        return self.flags.get(flag, False)

    def level(self, area: str) -> Access:
        """The agent's highest access level to ``area`` over all its roles."""
        return self.access.get(area, Access.NONE)


@dataclass
class Instance:
    """A Halo instance: Halo-hosted ("cloud", needs a tenant) or self-hosted."""

    name: str
    hosting: str
    tenant: str
    seed: int
    generated_at: datetime
    directory: Directory = field(default_factory=Directory)
    tables: dict[str, Table] = field(default_factory=dict)
    token_lifetime: int = 3600
    rate_limit: RateLimit = field(default_factory=RateLimit)
    faults: Faults = field(default_factory=Faults)
    counters: Counters = field(default_factory=Counters)
    grants: dict[str, Grant] = field(default_factory=dict)
    extra_actions: dict[int, list[Record]] = field(default_factory=dict)
    signing_key: bytes = b""
    history_upto: int = 0
    expired_answers: int = 0

    def __post_init__(self) -> None:
        if self.hosting not in HOSTINGS:
            raise ValueError(f"hosting must be one of {HOSTINGS}, not {self.hosting!r}")
        for resource in RESOURCES:
            self.tables.setdefault(resource.table, Table(resource.table))
        self.rng = random.Random(self.seed ^ 0x5EED)

    def table(self, name: str) -> Table:
        """The record table called ``name``."""
        return self.tables[name]

    def caller(self, grant: Grant) -> Caller | None:
        """Resolve the agent behind a token, or ``None`` if it no longer exists."""
        agent = self.directory.agents.get(grant.agent_id)
        if agent is None or agent.isdisabled:
            return None
        roles = self.directory.roles_of(agent)
        access: dict[str, Access] = {}
        for role in roles:
            for area, level in role.access.items():
                access[area] = max(access.get(area, Access.NONE), level)
        flags = {flag: any(role.allows(flag) for role in roles) for flag in FLAG_LABELS}
        view_all = frozenset(
            d for d, lvl in agent.departments.items() if lvl is DepartmentAccess.VIEW_ALL
        )
        own = frozenset(
            d for d, lvl in agent.departments.items() if lvl is DepartmentAccess.VIEW_OWN_TEAMS
        )
        return Caller(agent, grant.scopes, access, flags, view_all, own)

    def refresh_directory_rows(self) -> None:
        """Rebuild the ``/Agent`` and ``/Team`` rows from the directory after it changes."""
        teams = self.directory.teams
        departments = self.directory.departments
        agent_table = Table("agents")
        for agent in self.directory.agents.values():
            agent_teams = [teams[t] for t in agent.team_ids if t in teams]
            agent_table.put(
                {
                    "id": agent.id,
                    "name": agent.name,
                    "email": agent.email,
                    "initials": "".join(p[0] for p in agent.name.split() if p)[:3].upper(),
                    "isdisabled": agent.isdisabled,
                    "is_agent": True,
                    "is_api_only": agent.is_api_only,
                    "team": agent_teams[0].name if agent_teams else "",
                    "teams": [
                        {"team_id": t.id, "team_name": t.name, "department_id": t.department_id}
                        for t in agent_teams
                    ],
                    "departments": [
                        {
                            "department_id": d,
                            "department_name": departments[d].name if d in departments else "",
                            "access": level.value,
                            "show_all_teams": agent.show_all_teams,
                        }
                        for d, level in agent.departments.items()
                    ],
                    "roles": [{"id": r.id, "name": r.name} for r in self.directory.roles_of(agent)],
                    "jobtitle": "API Agent" if agent.is_api_only else "Engineer",
                    "chargerate": 0 if agent.is_api_only else 95,
                    "costprice": 0 if agent.is_api_only else 38,
                }
            )
        self.tables["agents"] = agent_table
        team_table = Table("teams")
        for team in teams.values():
            members = [a.id for a in self.directory.agents.values() if team.id in a.team_ids]
            team_table.put(
                {
                    "id": team.id,
                    "name": team.name,
                    "inactive": team.inactive,
                    "department_id": team.department_id,
                    "department_name": departments[team.department_id].name
                    if team.department_id in departments
                    else "",
                    "forrequests": True,
                    "foropps": team.name == "Sales",
                    "forprojects": team.name == "Projects",
                    "agents": [{"id": a} for a in members],
                    "last_modified": self.generated_at.strftime("%Y-%m-%dT%H:%M:%S"),
                }
            )
        self.tables["teams"] = team_table

    def summary(self) -> dict[str, Any]:
        """A short description for the admin API."""
        return {
            "name": self.name,
            "hosting": self.hosting,
            "tenant": self.tenant,
            "seed": self.seed,
            "counts": {name: len(table) for name, table in self.tables.items()},
        }
