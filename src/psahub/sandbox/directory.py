"""The people and configuration of one Halo instance: departments, teams, agents, API apps."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from psahub.sandbox.permissions import SEED_GUIDE_SCOPES, Role, seed_guide_role

UNASSIGNED_AGENT_ID = 1


class DepartmentAccess(StrEnum):
    """How much of a department's tickets an agent may see."""

    VIEW_ALL = "view_all"
    VIEW_OWN_TEAMS = "view_own_teams"


@dataclass
class Department:
    """A Halo department; teams belong to one."""

    id: int
    name: str


@dataclass
class Team:
    """A Halo team (``SectionDetail``)."""

    id: int
    name: str
    department_id: int
    inactive: bool = False


@dataclass
class Agent:
    """A Halo agent; API-only agents cannot log in and are what applications log in as."""

    id: int
    name: str
    email: str
    role_ids: list[int] = field(default_factory=list)
    departments: dict[int, DepartmentAccess] = field(default_factory=dict)
    team_ids: list[int] = field(default_factory=list)
    show_all_teams: bool = True
    is_api_only: bool = False
    isdisabled: bool = False


@dataclass
class Application:
    """A Halo API application using "Client ID and Secret (Services)" with login type Agent."""

    id: int
    name: str
    client_id: str
    client_secret: str
    agent_id: int
    scopes: set[str]
    auth_method: str = "client_credentials"
    login_type: str = "agent"
    active: bool = True

    def regenerate_client_id(self) -> str:
        """Give the application a new Client ID, as Halo does when it is first saved."""
        self.client_id = new_client_id()
        return self.client_id


def new_client_id() -> str:
    """A Halo Client ID: a GUID."""
    return str(uuid.uuid4())


def new_client_secret() -> str:
    """A Halo client secret: two GUIDs joined with ``-``."""
    return f"{uuid.uuid4()}-{uuid.uuid4()}"


@dataclass
class Directory:
    """Departments, teams, roles, agents and applications of one instance."""

    departments: dict[int, Department] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    roles: dict[int, Role] = field(default_factory=dict)
    agents: dict[int, Agent] = field(default_factory=dict)
    applications: dict[int, Application] = field(default_factory=dict)

    @staticmethod
    def next_id(table: Mapping[int, object]) -> int:
        """The next free id in one of the directory's tables."""
        return max(table, default=0) + 1

    def team_by_name(self, name: str) -> Team | None:
        """Find a team by its name, case-insensitively, as Halo matches ``team`` on writes."""
        wanted = name.strip().lower()
        return next((t for t in self.teams.values() if t.name.lower() == wanted), None)

    def application_by_client_id(self, client_id: str) -> Application | None:
        """Find an application by its Client ID."""
        return next((a for a in self.applications.values() if a.client_id == client_id), None)

    def roles_of(self, agent: Agent) -> list[Role]:
        """The roles an agent holds."""
        return [self.roles[r] for r in agent.role_ids if r in self.roles]

    def add_seed_guide_integration(self, name: str = "HighGround") -> Application:
        """Set up what the seed guide's step 2 creates: role, API-only agent, application.

        The agent gets View All on every department (with every team shown) and the
        application gets exactly the guide's eleven scopes.
        """
        role = seed_guide_role(self.next_id(self.roles), f"{name}AgentRole")
        self.roles[role.id] = role
        agent = Agent(
            id=self.next_id(self.agents),
            name=f"{name}Agent",
            email=f"{name.lower()}agent@api.invalid",
            role_ids=[role.id],
            departments=dict.fromkeys(self.departments, DepartmentAccess.VIEW_ALL),
            is_api_only=True,
        )
        self.agents[agent.id] = agent
        app = Application(
            id=self.next_id(self.applications),
            name=name,
            client_id=new_client_id(),
            client_secret=new_client_secret(),
            agent_id=agent.id,
            scopes=set(SEED_GUIDE_SCOPES),
        )
        self.applications[app.id] = app
        return app


def random_token(nbytes: int = 24) -> str:
    """An unguessable URL-safe string."""
    return secrets.token_urlsafe(nbytes)
