"""psahub's HaloPSA client: guarded URL, shared budget, token handling and retries."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from psahub import __version__
from psahub.halo.auth import AuthEndpoint, HaloAuth, Token, TokenProvider, discover
from psahub.halo.budget import Limit, RateBudget, shared_budget
from psahub.halo.errors import (
    Action,
    HaloError,
    Problem,
    Retryable,
    halo_message,
    parse_body,
    resolve,
)
from psahub.halo.form import ConnectionSettings
from psahub.halo.transport import RATE_LIMIT_PAUSE, BudgetedTransport, RequestStats
from psahub.security.url_guard import OutboundPolicy, check_url


@dataclass(frozen=True)
class RetryPolicy:
    """How persistently to retry: failed attempts of each kind, and the back-off between them."""

    attempts: int = 6
    rate_limited_attempts: int = 12
    initial_wait: float = 1.0
    max_wait: float = 60.0
    rate_limit_pause: float = RATE_LIMIT_PAUSE


class HaloClient:
    """Talks to one HaloPSA instance on behalf of one integration.

    Every request goes through the instance's rate budget (shared by all clients of the
    process), carries a cached token that is renewed once when Halo refuses it, and is retried
    with jittered back-off when the failure is temporary. Reads are retried on dropped
    connections; writes only where the caller says repeating them is harmless.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        policy: OutboundPolicy,
        *,
        budget: RateBudget | None = None,
        limit: Limit | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        scope: str = "all",
        timeout: float = 30.0,
    ) -> None:
        check_url(settings.base_url, policy)
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self.transport = BudgetedTransport(
            budget or shared_budget(),
            key=budget_key(settings),
            limit=limit or Limit(),
            inner=transport,
            stats=self.stats,
            pause=self.retry.rate_limit_pause,
        )
        self.http = httpx.Client(
            transport=self.transport,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": f"psahub/{__version__}"},
        )
        self._scope = scope
        self._lock = threading.Lock()
        self._provider: TokenProvider | None = None
        self._auth: HaloAuth | None = None

    # -- auth -----------------------------------------------------------------------------
    @property
    def provider(self) -> TokenProvider:
        """The token provider, created on first use after asking the instance about auth."""
        if self._provider is None:
            with self._lock:
                if self._provider is None:
                    endpoint = self._call(lambda: discover(self.http, self.settings), True)
                    self._provider = TokenProvider(
                        self.http,
                        endpoint,
                        self.settings.client_id,
                        self.settings.client_secret,
                        self._scope,
                    )
                    self._auth = HaloAuth(self._provider)
        return self._provider

    @property
    def server_time(self) -> datetime | None:
        """HaloPSA's own clock, from the ``Date`` header of its latest answer."""
        return self.transport.server_time

    @property
    def endpoint(self) -> AuthEndpoint:
        """Where this client gets its tokens."""
        return self.provider.endpoint

    def token(self) -> Token:
        """A valid token (fetching one if needed)."""
        token: Token = self._call(self.provider.current, True)
        return token

    # -- requests -------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """``GET {api}/{path}``; returns the parsed JSON body."""
        return self.request("GET", path, params=params, idempotent=True)

    def post(self, path: str, body: Any, *, idempotent: bool = False) -> Any:
        """``POST {api}/{path}`` with a JSON body.

        Not idempotent by default: a dropped connection or 5xx is then not retried, because
        the write may have happened; the caller checks before trying again.
        """
        return self.request("POST", path, json=body, idempotent=idempotent)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool,
    ) -> Any:
        """Send one request with the retry policy; return the parsed body or raise HaloError."""
        auth = HaloAuth(self.provider) if self._auth is None else self._auth
        url = f"{self.settings.api_url}/{path.lstrip('/')}"

        def attempt() -> Any:
            response = self.http.request(method, url, params=params, json=json, auth=auth)
            return self._outcome(response, method, path, idempotent)

        return self._call(attempt, idempotent)

    def _outcome(self, response: httpx.Response, method: str, path: str, idempotent: bool) -> Any:
        body = parse_body(response)
        outcome = resolve(response.status_code, body, response.headers)
        said = halo_message(body)
        where = f"{method} {path}"
        if outcome.action is Action.SUCCESS:
            return body
        if outcome.action is Action.RATE_LIMITED or (outcome.action is Action.RETRY and idempotent):
            raise Retryable(
                f"{where}: {outcome.explanation}",
                outcome.problem,
                status=response.status_code,
                halo_said=said,
            )
        if outcome.action is Action.REFRESH_TOKEN:
            raise HaloError(
                f"{where}: HaloPSA refused a freshly issued token",
                Problem.CREDENTIALS,
                status=response.status_code,
                halo_said=said,
            )
        raise HaloError(
            f"{where}: {outcome.explanation}",
            outcome.problem,
            status=response.status_code,
            halo_said=said,
        )

    def _call(self, attempt: Any, idempotent: bool) -> Any:
        policy = self.retry
        counts = {"rate_limited": 0, "other": 0}

        def should_stop(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            limited = isinstance(error, HaloError) and error.problem is Problem.RATE_LIMITED
            counts["rate_limited" if limited else "other"] += 1
            if limited:
                return counts["rate_limited"] >= policy.rate_limited_attempts
            return counts["other"] >= policy.attempts

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, HaloError) and error.problem is Problem.RATE_LIMITED:
                return 0.0  # the budget itself holds the next request back
            backoff = wait_exponential_jitter(
                multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.initial_wait
            )
            return float(backoff(state))

        def before_retry(_state: RetryCallState) -> None:
            self.stats.add(retries=1)

        def guarded() -> Any:
            try:
                return attempt()
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                if "SSL" in str(error) or "ssl" in str(error):
                    raise HaloError(
                        f"the server at {self.settings.base_url} does not speak https ({error})",
                        Problem.UNREACHABLE,
                        fix="Check the Api Domain Url. If this HaloPSA really is served over "
                        "plain http, type http:// in front of it (the deployment must allow "
                        "PSAHUB_ALLOW_HTTP).",
                    ) from error
                raise Retryable(f"cannot reach HaloPSA: {error}", Problem.UNREACHABLE) from error
            except httpx.TransportError as error:
                if idempotent:
                    raise Retryable(
                        f"connection to HaloPSA failed: {error!r}", Problem.UNREACHABLE
                    ) from error
                raise HaloError(
                    f"connection to HaloPSA failed mid-request: {error!r}", Problem.UNREACHABLE
                ) from error

        retrying = Retrying(
            retry=retry_if_exception_type(Retryable),
            stop=should_stop,
            wait=wait,
            before_sleep=before_retry,
            reraise=True,
        )
        return retrying(guarded)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> HaloClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def budget_key(settings: ConnectionSettings) -> str:
    """The key of an instance's budget: every integration with this URL and tenant shares it."""
    return f"{settings.base_url}|{settings.tenant.lower()}"
