"""Halo's authorisation server: client-credentials tokens, ``authinfo`` and bearer checks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import orjson

from psahub.sandbox.directory import Application
from psahub.sandbox.instance import Grant, Instance
from psahub.sandbox.permissions import KNOWN_SCOPES, WILDCARD_SCOPES, expand_scopes
from psahub.sandbox.world import Sandbox

OIDC_SCOPES = frozenset({"openid", "email", "profile", "offline_access", "roles"})


@dataclass
class Outcome:
    """A status code and a JSON body (or ``None`` for an empty body)."""

    status: int
    body: Any
    headers: dict[str, str] | None = None


def _oauth_error(status: int, error: str, description: str) -> Outcome:
    return Outcome(status, {"error": error, "error_description": description})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(key: bytes, claims: dict[str, Any]) -> str:
    head = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    body = _b64(orjson.dumps(claims))
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def authinfo(instance: Instance, root_url: str) -> dict[str, Any]:
    """What ``GET {base}/api/authinfo`` answers: where to get tokens, and the tenant."""
    base = f"{root_url}/{instance.name}"
    cloud = instance.hosting == "cloud"
    return {
        "auth_url": f"{root_url}/auth" if cloud else f"{base}/auth",
        "tenant_id": instance.tenant if cloud else "",
        "resource_server": f"{base}/api",
        "is_hosted": cloud,
        "halo_version": "2.196.1 (sandbox)",
    }


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    client_id = form.get("client_id", "").strip()
    client_secret = form.get("client_secret", "")
    if authorization and authorization.lower().startswith("basic "):
        try:
            raw = base64.b64decode(authorization[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raw = ""
        if ":" in raw:
            client_id, client_secret = raw.split(":", 1)
    return client_id, client_secret


def resolve_token_instance(
    sandbox: Sandbox, instance: Instance | None, tenant: str | None
) -> Instance | Outcome:
    """Find the instance a token request is for, checking the tenant as Halo does.

    ``instance`` is set when the request came to an instance's own ``/auth/token``; otherwise
    it came to the shared authorisation server, which only knows cloud tenants.
    """
    tenant = (tenant or "").strip()
    if instance is None:
        if not tenant:
            return _oauth_error(
                400, "invalid_request", "The tenant parameter is required by this server"
            )
        found = sandbox.by_tenant(tenant)
        if found is None:
            return _oauth_error(400, "invalid_request", f"Tenant '{tenant}' was not found")
        return found
    if instance.hosting == "cloud" and tenant and tenant.lower() != instance.tenant.lower():
        return _oauth_error(400, "invalid_request", f"Tenant '{tenant}' was not found")
    return instance


def _granted_scopes(requested: str, app: Application) -> set[str] | Outcome:
    names = requested.replace("+", " ").split() or ["all"]
    unknown = [n for n in names if n not in KNOWN_SCOPES]
    if unknown:
        return _oauth_error(400, "invalid_scope", f"Unknown scope: {' '.join(unknown)}")
    allowed = expand_scopes(app.scopes)
    granted: set[str] = set()
    for name in names:
        if name in WILDCARD_SCOPES:
            granted |= app.scopes
        elif name in OIDC_SCOPES or name in allowed:
            granted.add(name)
    return granted


def issue_token(
    sandbox: Sandbox,
    instance: Instance,
    form: dict[str, str],
    authorization: str | None,
) -> Outcome:
    """Answer a ``POST .../token`` for the given instance."""
    grant_type = form.get("grant_type", "").strip()
    if grant_type != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
        )
    client_id, client_secret = _client_credentials(form, authorization)
    app = instance.directory.application_by_client_id(client_id)
    if app is None or not app.active:
        return _oauth_error(401, "invalid_client", "Invalid client_id or client_secret")
    if not hmac.compare_digest(app.client_secret.encode(), client_secret.encode()):
        return _oauth_error(401, "invalid_client", "Invalid client_id or client_secret")
    if app.auth_method != "client_credentials" or app.login_type != "agent":
        return _oauth_error(
            400, "unauthorized_client", "This application does not use client credentials"
        )
    agent = instance.directory.agents.get(app.agent_id)
    if agent is None or agent.isdisabled:
        return _oauth_error(401, "invalid_client", "The application's agent cannot log in")
    granted = _granted_scopes(form.get("scope", ""), app)
    if isinstance(granted, Outcome):
        return granted
    now = time.time()
    lifetime = instance.token_lifetime
    scope_text = " ".join(sorted(granted))
    claims = {
        "iss": instance.name,
        "sub": str(agent.id),
        "client_id": app.client_id,
        "scope": scope_text,
        "tenant": instance.tenant,
        "iat": int(now),
        "exp": int(now + lifetime),
        "jti": secrets.token_hex(8),
    }
    token = _jwt(instance.signing_key, claims)
    id_token = _jwt(
        instance.signing_key,
        {
            "sub": str(agent.id),
            "name": agent.name,
            "email": agent.email,
            "agent_id": agent.id,
            "iat": int(now),
            "exp": int(now + lifetime),
        },
    )
    sandbox.add_grant(
        Grant(
            token,
            instance.name,
            app.id,
            agent.id,
            frozenset(expand_scopes(granted)),
            now + lifetime,
        )
    )
    instance.counters.events["tokens_issued"] += 1
    return Outcome(
        200,
        {
            "token_type": "Bearer",
            "access_token": token,
            "expires_in": lifetime,
            "scope": scope_text,
            "id_token": id_token,
        },
        {"Cache-Control": "no-store"},
    )


def check_bearer(
    sandbox: Sandbox, instance: Instance, authorization: str | None
) -> Grant | Outcome:
    """Validate the ``Authorization: Bearer`` header of a resource request."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return Outcome(
            401,
            {"message": "Authorization has been denied for this request."},
            {"WWW-Authenticate": "Bearer"},
        )
    grant = sandbox.grants.get(authorization[7:].strip())
    if grant is None or grant.instance != instance.name:
        return Outcome(
            401,
            {"message": "Authorization has been denied for this request."},
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if grant.expired():
        instance.expired_answers += 1
        instance.counters.events["expired_tokens_refused"] += 1
        if instance.faults.expired_token_400 and instance.expired_answers % 2 == 0:
            return Outcome(400, {"error": "invalid_token", "error_description": "Token expired"})
        return Outcome(
            401,
            {"message": "The access token has expired."},
            {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'},
        )
    return grant
