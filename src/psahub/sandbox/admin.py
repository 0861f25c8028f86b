"""The sandbox's admin API under ``/_sandbox``: instances, permissions, data, faults, counters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, Field

from psahub.sandbox.directory import Application, DepartmentAccess
from psahub.sandbox.instance import Instance
from psahub.sandbox.permissions import AREA_LABELS, FLAG_LABELS, KNOWN_SCOPES, Role, parse_access
from psahub.sandbox.world import Sandbox

Level = Literal["none", "read", "modify"]


def get_sandbox(request: Request) -> Sandbox:
    """The sandbox the app serves."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]


def get_instance(name: str, sandbox: SandboxDep) -> Instance:
    """The instance named in the path, or 404."""
    instance = sandbox.instances.get(name)
    if instance is None:
        raise HTTPException(404, f"no instance called {name!r}")
    return instance


InstanceDep = Annotated[Instance, Depends(get_instance)]


class RateLimitBody(BaseModel):
    """A rolling-window rate limit."""

    limit: int = Field(300, ge=1)
    window_seconds: float = Field(300.0, gt=0)
    enabled: bool = True


class InstanceBody(BaseModel):
    """A new instance, set up as the seed guide describes."""

    name: str
    hosting: Literal["cloud", "self-hosted"] = "cloud"
    tenant: str | None = None
    seed: int = 1
    size: str | int = "tiny"
    token_lifetime: int = Field(3600, ge=1)
    rate_limit: RateLimitBody = RateLimitBody()


class InstancePatch(BaseModel):
    """Changes to an instance's settings."""

    token_lifetime: int | None = Field(None, ge=1)


class RoleBody(BaseModel):
    """A role: access level per area and yes/no permissions; unset means none/no."""

    name: str = "Role"
    access: dict[str, Level] = {}
    flags: dict[str, bool] = {}


class AgentBody(BaseModel):
    """An agent; ``departments`` maps department ids to access, or "all" for View All."""

    name: str = "API Agent"
    email: str = ""
    role_ids: list[int] = []
    departments: dict[int, Literal["view_all", "view_own_teams"]] | Literal["all"] = "all"
    team_ids: list[int] = []
    is_api_only: bool = True
    isdisabled: bool = False


class AgentPatch(BaseModel):
    """Changes to an agent."""

    role_ids: list[int] | None = None
    departments: dict[int, Literal["view_all", "view_own_teams"]] | Literal["all"] | None = None
    team_ids: list[int] | None = None
    isdisabled: bool | None = None


class ApplicationBody(BaseModel):
    """An API application."""

    name: str = "Integration"
    agent_id: int
    scopes: list[str] = []
    auth_method: Literal["client_credentials", "authorization_code", "password"] = (
        "client_credentials"
    )
    login_type: Literal["agent", "user"] = "agent"


class ApplicationPatch(BaseModel):
    """Changes to an application; ``regenerate_*`` issue new credentials."""

    scopes: list[str] | None = None
    active: bool | None = None
    agent_id: int | None = None
    auth_method: Literal["client_credentials", "authorization_code", "password"] | None = None
    login_type: Literal["agent", "user"] | None = None
    regenerate_client_id: bool = False
    regenerate_secret: bool = False


class NamedBody(BaseModel):
    """A department or team."""

    name: str
    department_id: int | None = None


class MutationBody(BaseModel):
    """Records to create, update and delete in one table."""

    entity: str
    create: int = Field(0, ge=0)
    update: int = Field(0, ge=0)
    delete: int = Field(0, ge=0)


class FaultsBody(BaseModel):
    """Faults to inject; see ``docs/sandbox.md``."""

    latency_ms: float = Field(0.0, ge=0)
    error_rate: float = Field(0.0, ge=0, le=1)
    drop_rate: float = Field(0.0, ge=0, le=1)
    expired_token_400: bool = True
    retry_after: int | None = Field(None, ge=0)
    churn: dict[str, dict[Literal["create", "update", "delete"], int]] = {}
    hide_authinfo: bool = False


def root_url(request: Request) -> str:
    """The sandbox's own address, as the client reached it."""
    return str(request.base_url).rstrip("/")


def credentials(instance: Instance, app: Application, root: str) -> dict[str, str]:
    """The five values of psahub's Connect form for an application."""
    return {
        "server_type": "Cloud" if instance.hosting == "cloud" else "Hosted",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "api_url": f"{root}/{instance.name}/api",
        "tenant": instance.tenant,
    }


def department_access(instance: Instance, value: Any) -> dict[int, DepartmentAccess]:
    """Read an agent's department access from the admin API ("all" means View All on all)."""
    if value == "all":
        return dict.fromkeys(instance.directory.departments, DepartmentAccess.VIEW_ALL)
    unknown = set(value) - set(instance.directory.departments)
    if unknown:
        raise HTTPException(422, f"unknown department ids {sorted(unknown)}")
    return {int(k): DepartmentAccess(v) for k, v in value.items()}


def checked_scopes(values: list[str]) -> set[str]:
    """Check scope names against Halo's catalogue."""
    unknown = [s for s in values if s not in KNOWN_SCOPES]
    if unknown:
        raise HTTPException(422, f"unknown scopes {unknown}")
    return set(values)


def checked_teams(instance: Instance, team_ids: list[int]) -> list[int]:
    """Check team ids against the instance's teams."""
    unknown = set(team_ids) - set(instance.directory.teams)
    if unknown:
        raise HTTPException(422, f"unknown team ids {sorted(unknown)}")
    return list(team_ids)


def role_from(role_id: int, body: RoleBody) -> Role:
    """Build a role from the admin API's body, refusing unknown permission names."""
    bad = (set(body.access) - set(AREA_LABELS)) | (set(body.flags) - set(FLAG_LABELS))
    if bad:
        raise HTTPException(
            422,
            f"unknown permissions {sorted(bad)}; areas: {sorted(AREA_LABELS)},"
            f" flags: {sorted(FLAG_LABELS)}",
        )
    return Role(
        role_id, body.name, {a: parse_access(v) for a, v in body.access.items()}, dict(body.flags)
    )


def describe(instance: Instance, root: str) -> dict[str, Any]:
    """Everything about an instance's configuration, secrets included (it is a sandbox)."""
    d = instance.directory
    return {
        **instance.summary(),
        "token_lifetime": instance.token_lifetime,
        "rate_limit": instance.rate_limit.to_json(),
        "faults": instance.faults.to_json(),
        "departments": [vars(x) for x in d.departments.values()],
        "teams": [vars(x) for x in d.teams.values()],
        "roles": [r.to_json() for r in d.roles.values()],
        "agents": [instance.table("agents").get(a.id) for a in d.agents.values()],
        "applications": [
            {
                "id": a.id,
                "name": a.name,
                "agent_id": a.agent_id,
                "scopes": sorted(a.scopes),
                "active": a.active,
                "auth_method": a.auth_method,
                "login_type": a.login_type,
                "credentials": credentials(instance, a, root),
            }
            for a in d.applications.values()
        ],
    }
