"""Routes of the ``/_sandbox`` admin API (models and helpers live in :mod:`.admin`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from psahub.sandbox.admin import (
    AgentBody,
    AgentPatch,
    ApplicationBody,
    ApplicationPatch,
    FaultsBody,
    InstanceBody,
    InstanceDep,
    InstancePatch,
    MutationBody,
    NamedBody,
    RateLimitBody,
    RoleBody,
    SandboxDep,
    checked_scopes,
    checked_teams,
    credentials,
    department_access,
    describe,
    role_from,
    root_url,
)
from psahub.sandbox.data.mutations import MUTABLE_TABLES, mutate
from psahub.sandbox.directory import (
    Agent,
    Application,
    Department,
    Team,
    new_client_id,
    new_client_secret,
)
from psahub.sandbox.entities import BY_TABLE
from psahub.sandbox.faults import Faults, RateLimit

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])


@router.get("/instances")
def list_instances(sandbox: SandboxDep) -> list[dict[str, Any]]:
    """Every instance with its record counts."""
    return [i.summary() for i in sandbox.instances.values()]


@router.post("/instances", status_code=201)
async def create_instance(
    body: InstanceBody, sandbox: SandboxDep, request: Request
) -> dict[str, Any]:
    """Create an instance set up as the seed guide says; returns its Connect-form values."""
    limit = RateLimit(
        body.rate_limit.limit, body.rate_limit.window_seconds, body.rate_limit.enabled
    )
    try:
        instance, app = await run_in_threadpool(
            sandbox.create_instance,
            body.name,
            body.hosting,
            body.tenant,
            body.seed,
            body.size,
            limit,
            body.token_lifetime,
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return {**instance.summary(), "credentials": credentials(instance, app, root_url(request))}


@router.get("/instances/{name}")
def get_instance_details(instance: InstanceDep, request: Request) -> dict[str, Any]:
    """An instance's configuration: departments, teams, roles, agents, applications."""
    return describe(instance, root_url(request))


@router.patch("/instances/{name}")
def patch_instance(body: InstancePatch, instance: InstanceDep) -> dict[str, Any]:
    """Change an instance's settings (token lifetime)."""
    if body.token_lifetime is not None:
        instance.token_lifetime = body.token_lifetime
    return instance.summary()


@router.delete("/instances/{name}", status_code=204)
def delete_instance(name: str, sandbox: SandboxDep) -> Response:
    """Remove an instance and its tokens."""
    if not sandbox.remove_instance(name):
        raise HTTPException(404, f"no instance called {name!r}")
    return Response(status_code=204)


@router.get("/instances/{name}/credentials")
def get_credentials(
    instance: InstanceDep, request: Request, application_id: int | None = None
) -> dict[str, str]:
    """The Connect-form values for an application (the seed guide's one by default)."""
    apps = instance.directory.applications
    app = apps.get(application_id) if application_id else next(iter(apps.values()), None)
    if app is None:
        raise HTTPException(404, "no such application")
    return credentials(instance, app, root_url(request))


@router.post("/instances/{name}/departments", status_code=201)
def add_department(body: NamedBody, instance: InstanceDep) -> dict[str, Any]:
    """Add a department (agents with View All on "all" do not see it until given it)."""
    d = instance.directory
    dept = Department(d.next_id(d.departments), body.name)
    d.departments[dept.id] = dept
    return vars(dept)


@router.post("/instances/{name}/teams", status_code=201)
def add_team(body: NamedBody, instance: InstanceDep) -> dict[str, Any]:
    """Add a team to a department."""
    d = instance.directory
    if body.department_id not in d.departments:
        raise HTTPException(422, "department_id must name an existing department")
    team = Team(d.next_id(d.teams), body.name, body.department_id)
    d.teams[team.id] = team
    instance.refresh_directory_rows()
    return vars(team)


@router.post("/instances/{name}/roles", status_code=201)
def add_role(body: RoleBody, instance: InstanceDep) -> dict[str, Any]:
    """Add a role."""
    d = instance.directory
    role = role_from(d.next_id(d.roles), body)
    d.roles[role.id] = role
    return role.to_json()


@router.put("/instances/{name}/roles/{role_id}")
def replace_role(role_id: int, body: RoleBody, instance: InstanceDep) -> dict[str, Any]:
    """Replace a role's permissions (unset areas become No Access, unset flags No)."""
    if role_id not in instance.directory.roles:
        raise HTTPException(404, "no such role")
    role = role_from(role_id, body)
    instance.directory.roles[role_id] = role
    instance.refresh_directory_rows()
    return role.to_json()


@router.post("/instances/{name}/agents", status_code=201)
def add_agent(body: AgentBody, instance: InstanceDep) -> dict[str, Any]:
    """Add an agent."""
    d = instance.directory
    if set(body.role_ids) - set(d.roles):
        raise HTTPException(422, "role_ids must name existing roles")
    agent = Agent(
        d.next_id(d.agents),
        body.name,
        body.email or f"agent{len(d.agents) + 1}@api.invalid",
        list(body.role_ids),
        department_access(instance, body.departments),
        checked_teams(instance, body.team_ids),
        is_api_only=body.is_api_only,
        isdisabled=body.isdisabled,
    )
    d.agents[agent.id] = agent
    instance.refresh_directory_rows()
    return instance.table("agents").get(agent.id) or {}


@router.patch("/instances/{name}/agents/{agent_id}")
def patch_agent(agent_id: int, body: AgentPatch, instance: InstanceDep) -> dict[str, Any]:
    """Change an agent's roles, department access, teams or disabled flag."""
    agent = instance.directory.agents.get(agent_id)
    if agent is None:
        raise HTTPException(404, "no such agent")
    if body.role_ids is not None:
        if set(body.role_ids) - set(instance.directory.roles):
            raise HTTPException(422, "role_ids must name existing roles")
        agent.role_ids = list(body.role_ids)
    if body.departments is not None:
        agent.departments = department_access(instance, body.departments)
    if body.team_ids is not None:
        agent.team_ids = checked_teams(instance, body.team_ids)
    if body.isdisabled is not None:
        agent.isdisabled = body.isdisabled
    instance.refresh_directory_rows()
    return instance.table("agents").get(agent.id) or {}


@router.post("/instances/{name}/applications", status_code=201)
def add_application(
    body: ApplicationBody, instance: InstanceDep, request: Request
) -> dict[str, Any]:
    """Add an API application; the answer carries its Connect-form values."""
    d = instance.directory
    if body.agent_id not in d.agents:
        raise HTTPException(422, "agent_id must name an existing agent")
    app = Application(
        d.next_id(d.applications),
        body.name,
        new_client_id(),
        new_client_secret(),
        body.agent_id,
        checked_scopes(body.scopes),
        body.auth_method,
        body.login_type,
    )
    d.applications[app.id] = app
    return {"id": app.id, "credentials": credentials(instance, app, root_url(request))}


@router.patch("/instances/{name}/applications/{app_id}")
def patch_application(
    app_id: int, body: ApplicationPatch, instance: InstanceDep, request: Request
) -> dict[str, Any]:
    """Change an application's scopes or state, or give it new credentials."""
    app = instance.directory.applications.get(app_id)
    if app is None:
        raise HTTPException(404, "no such application")
    if body.agent_id is not None and body.agent_id not in instance.directory.agents:
        raise HTTPException(422, "agent_id must name an existing agent")
    if body.scopes is not None:
        app.scopes = checked_scopes(body.scopes)
    for field in ("active", "agent_id", "auth_method", "login_type"):
        value = getattr(body, field)
        if value is not None:
            setattr(app, field, value)
    if body.regenerate_client_id:
        app.client_id = new_client_id()
    if body.regenerate_secret:
        app.client_secret = new_client_secret()
    return {
        "id": app.id,
        "scopes": sorted(app.scopes),
        "credentials": credentials(instance, app, root_url(request)),
    }


@router.post("/instances/{name}/mutations")
def post_mutation(body: MutationBody, instance: InstanceDep) -> dict[str, Any]:
    """Create, update and delete records as other Halo users would."""
    if body.entity not in MUTABLE_TABLES:
        raise HTTPException(422, f"entity must be one of {', '.join(MUTABLE_TABLES)}")
    return mutate(instance, body.entity, body.create, body.update, body.delete)


@router.get("/instances/{name}/records/{entity}")
def get_records(entity: str, instance: InstanceDep) -> list[dict[str, Any]]:
    """Every stored record of a table, unfiltered and unredacted: the truth, for tests."""
    if entity not in BY_TABLE:
        raise HTTPException(404, f"entity must be one of {', '.join(BY_TABLE)}")
    return list(instance.table(entity))


@router.get("/instances/{name}/faults")
def get_faults(instance: InstanceDep) -> dict[str, Any]:
    """The faults in force."""
    return instance.faults.to_json()


@router.put("/instances/{name}/faults")
def put_faults(body: FaultsBody, instance: InstanceDep) -> dict[str, Any]:
    """Replace the injected faults (send ``{}`` to clear them)."""
    unknown = set(body.churn) - set(MUTABLE_TABLES)
    if unknown:
        raise HTTPException(422, f"churn tables must be among {', '.join(MUTABLE_TABLES)}")
    instance.faults = Faults(
        body.latency_ms,
        body.error_rate,
        body.drop_rate,
        body.expired_token_400,
        body.retry_after,
        {t: {str(k): v for k, v in c.items()} for t, c in body.churn.items()},
        body.hide_authinfo,
    )
    return instance.faults.to_json()


@router.get("/instances/{name}/rate-limit")
def get_rate_limit(instance: InstanceDep) -> dict[str, Any]:
    """The rolling-window limit in force."""
    return instance.rate_limit.to_json()


@router.put("/instances/{name}/rate-limit")
def put_rate_limit(body: RateLimitBody, instance: InstanceDep) -> dict[str, Any]:
    """Replace the rolling-window limit (the window starts empty)."""
    instance.rate_limit = RateLimit(body.limit, body.window_seconds, body.enabled)
    return instance.rate_limit.to_json()


@router.post("/instances/{name}/tokens/expire")
def expire_tokens(sandbox: SandboxDep, instance: InstanceDep) -> dict[str, int]:
    """End every live token of the instance now."""
    return {"expired": sandbox.expire_tokens(instance.name)}


@router.get("/instances/{name}/counters")
def get_counters(instance: InstanceDep) -> dict[str, Any]:
    """Requests served, 429s sent, faults injected, tickets written, server-time percentiles."""
    return instance.counters.to_json()


@router.delete("/instances/{name}/counters", status_code=204)
def reset_counters(instance: InstanceDep) -> Response:
    """Start the counters again from zero."""
    instance.counters.reset()
    return Response(status_code=204)
