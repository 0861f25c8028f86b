"""Finding Halo's authorisation server, and one cached client-credentials token per connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from psahub.halo import guide
from psahub.halo.errors import (
    Action,
    Problem,
    Retryable,
    TokenError,
    halo_message,
    parse_body,
    resolve,
)
from psahub.halo.form import ConnectionSettings, ServerType

#: Refresh this many seconds before Halo says the token expires.
REFRESH_SKEW = 120.0


@dataclass(frozen=True)
class AuthEndpoint:
    """Where tokens come from, and what the instance said about itself."""

    token_url: str
    tenant: str
    discovered: bool
    server_type: ServerType | None
    server_tenant: str

    @property
    def params(self) -> dict[str, str]:
        """The query string of the token request: ``?tenant=`` only when there is one."""
        return {"tenant": self.tenant} if self.tenant else {}


def discover(http: httpx.Client, settings: ConnectionSettings) -> AuthEndpoint:
    """Ask ``{base}/api/authinfo`` where tokens come from; fall back to ``{base}/auth/token``.

    The typed tenant is sent when there is one; otherwise the tenant the instance announces.

    Raises:
        httpx.TransportError: when the instance cannot be reached at all.
    """
    info: dict[str, Any] = {}
    response = http.get(f"{settings.api_url}/authinfo")
    body = parse_body(response)
    if response.status_code == 200 and isinstance(body, dict) and body.get("auth_url"):
        info = body
    if not info:
        return AuthEndpoint(
            f"{settings.base_url}/auth/token",
            settings.tenant,
            discovered=False,
            server_type=None,
            server_tenant="",
        )
    server_tenant = str(info.get("tenant_id") or "").strip()
    server_type = ServerType.CLOUD if server_tenant else ServerType.HOSTED
    return AuthEndpoint(
        f"{str(info['auth_url']).rstrip('/')}/token",
        settings.tenant or server_tenant,
        discovered=True,
        server_type=server_type,
        server_tenant=server_tenant,
    )


@dataclass(frozen=True)
class Token:
    """An access token and what it grants."""

    access_token: str
    expires_at: float
    scopes: frozenset[str]
    scope_listed: bool


def token_error(status: int, body: Any, endpoint: AuthEndpoint) -> TokenError:
    """Turn a refused token request into an error that names the fix."""
    error = str(body.get("error", "")) if isinstance(body, dict) else ""
    said = halo_message(body)
    lowered = said.lower()
    if error == "invalid_client" and "agent" in lowered:
        return TokenError(
            "The application's agent cannot log in",
            Problem.CREDENTIALS,
            status=status,
            error=error,
            halo_said=said,
            fix=guide.FIX_AGENT_DISABLED,
        )
    if error == "invalid_client" or status == 401:
        return TokenError(
            "HaloPSA did not accept the Client ID and Client Secret",
            Problem.CREDENTIALS,
            status=status,
            error=error or "invalid_client",
            halo_said=said,
            fix=guide.FIX_INVALID_CLIENT,
        )
    if "tenant" in lowered:
        missing = "required" in lowered or not endpoint.tenant
        if missing:
            fix = guide.FIX_TENANT_REQUIRED
        elif endpoint.server_tenant and endpoint.server_tenant != endpoint.tenant:
            fix = (
                f"This HaloPSA's tenant is '{endpoint.server_tenant}', not "
                f"'{endpoint.tenant}'. {guide.FIX_TENANT}"
            )
        else:
            fix = guide.FIX_TENANT
        return TokenError(
            "HaloPSA did not accept the Tenant Id",
            Problem.CREDENTIALS,
            status=status,
            error=error,
            halo_said=said,
            fix=fix,
        )
    if error == "invalid_scope":
        return TokenError(
            "HaloPSA refused the requested permissions",
            Problem.SCOPE,
            status=status,
            error=error,
            halo_said=said,
            fix=guide.fix_scope(" ".join(guide.REQUIRED_SCOPES)),
        )
    if error in ("unauthorized_client", "unsupported_grant_type"):
        return TokenError(
            "The API application is not set up for client credentials",
            Problem.CREDENTIALS,
            status=status,
            error=error,
            halo_said=said,
            fix=guide.FIX_APPLICATION_TYPE,
        )
    if status == 404:
        return TokenError(
            f"There is no token endpoint at {endpoint.token_url}",
            Problem.UNREACHABLE,
            status=status,
            error=error,
            halo_said=said,
            fix=guide.FIX_API_URL,
        )
    return TokenError(
        f"HaloPSA refused the token request ({status})",
        Problem.CREDENTIALS,
        status=status,
        error=error,
        halo_said=said,
        fix=None,
    )


class TokenProvider:
    """Fetches, caches and refreshes one connection's token; one fetch at a time."""

    def __init__(
        self,
        http: httpx.Client,
        endpoint: AuthEndpoint,
        client_id: str,
        client_secret: str,
        scope: str = "all",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self.endpoint = endpoint
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.fetches = 0

    def current(self) -> Token:
        """A valid token, fetched if the cached one is missing or about to expire."""
        token = self._token
        if token is not None and token.expires_at - REFRESH_SKEW > self._clock():
            return token
        with self._lock:
            token = self._token
            if token is None or token.expires_at - REFRESH_SKEW <= self._clock():
                token = self._fetch()
                self._token = token
            return token

    def invalidate(self, access_token: str) -> None:
        """Forget the token if it is still the cached one (another thread may have renewed it)."""
        with self._lock:
            if self._token is not None and self._token.access_token == access_token:
                self._token = None

    def _fetch(self) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": self._scope,
        }
        response = self._http.post(self.endpoint.token_url, params=self.endpoint.params, data=form)
        self.fetches += 1
        body = parse_body(response)
        outcome = resolve(response.status_code, body, response.headers)
        if outcome.action in (Action.RETRY, Action.RATE_LIMITED):
            raise Retryable(
                f"the token request failed: {outcome.explanation}",
                outcome.problem,
                status=response.status_code,
                halo_said=halo_message(body),
            )
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise token_error(response.status_code, body, self.endpoint)
        lifetime = float(body.get("expires_in") or 3600)
        scope_text = body.get("scope")
        return Token(
            str(body["access_token"]),
            self._clock() + lifetime,
            frozenset(str(scope_text or "").split()),
            scope_listed=isinstance(scope_text, str),
        )


class HaloAuth(httpx.Auth):
    """Adds the bearer token; on 401 (or Halo's 400 for an expired token) renews it once."""

    requires_response_body = True

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the cached token, and once more with a fresh one if Halo refuses it."""
        token = self.provider.current().access_token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        outcome = resolve(response.status_code, parse_body(response), response.headers)
        if outcome.action is Action.REFRESH_TOKEN:
            self.provider.invalidate(token)
            request.headers["Authorization"] = f"Bearer {self.provider.current().access_token}"
            yield request
