"""One readable table from a HaloPSA answer to what psahub does about it.

Halo's error bodies vary (OAuth errors, ``{"Message"}``, .NET ``{"ClassName", "Message"}``,
field-keyed validation maps, bare strings, plain text); :func:`halo_message` reads them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
import orjson


class Action(StrEnum):
    """What to do after one HTTP exchange."""

    SUCCESS = "success"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    REFRESH_TOKEN = "refresh_token"
    FAIL = "fail"


class Problem(StrEnum):
    """Why a request failed, as far as the integration's health is concerned."""

    NONE = "none"
    UNREACHABLE = "unreachable"
    CREDENTIALS = "credentials"
    SCOPE = "scope"
    PERMISSION = "permission"
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    SERVER = "server"


@dataclass(frozen=True)
class Resolution:
    """The row of the table that matched."""

    action: Action
    problem: Problem
    explanation: str


#: status -> (action, problem, explanation). Read top to bottom; see :func:`resolve` for the
#: few rows that also look at the body.
TABLE: dict[int, tuple[Action, Problem, str]] = {
    400: (Action.FAIL, Problem.BAD_REQUEST, "HaloPSA refused the request as invalid"),
    401: (Action.REFRESH_TOKEN, Problem.CREDENTIALS, "HaloPSA did not accept the access token"),
    403: (Action.FAIL, Problem.PERMISSION, "the API agent's role does not allow this"),
    404: (Action.FAIL, Problem.NOT_FOUND, "HaloPSA has no such record or resource"),
    405: (Action.FAIL, Problem.BAD_REQUEST, "HaloPSA does not allow this method here"),
    408: (Action.RETRY, Problem.SERVER, "HaloPSA timed out"),
    409: (Action.RETRY, Problem.SERVER, "HaloPSA reported a conflict"),
    425: (Action.RETRY, Problem.SERVER, "HaloPSA asked to retry later"),
    429: (Action.RATE_LIMITED, Problem.RATE_LIMITED, "HaloPSA's rate limit was reached"),
    500: (Action.RETRY, Problem.SERVER, "HaloPSA had an internal error"),
    502: (Action.RETRY, Problem.SERVER, "a gateway in front of HaloPSA failed"),
    503: (Action.RETRY, Problem.SERVER, "HaloPSA is unavailable"),
    504: (Action.RETRY, Problem.SERVER, "a gateway in front of HaloPSA timed out"),
}

#: A 400 whose message says one of these is Halo's way of reporting an expired token.
_EXPIRED_HINTS = (
    "invalid_token",
    "token expired",
    "token has expired",
    "expired token",
    "access token",
    "token is expired",
)


def parse_body(response: httpx.Response) -> Any:
    """The response body as JSON, or its text when it is not JSON."""
    content = response.content
    if not content:
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return response.text.strip()


def halo_message(body: Any) -> str:
    """Pull the human message out of any of Halo's error shapes (at most 500 characters)."""
    return _message(body)[:500]


def _message(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        for key in ("error_description", "errorMessage", "Message", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and value.get("error_description"):
                return str(value["error_description"])
        return "; ".join(
            f"{k}: {v}" if k else str(v) for k, v in body.items() if isinstance(v, str)
        )
    return str(body)


def resolve(status: int, body: Any = None, headers: httpx.Headers | None = None) -> Resolution:
    """Look an HTTP outcome up in :data:`TABLE`.

    Two rows depend on the body: a 401 that says a scope is missing is a permanent scope
    failure, not a reason to refresh the token; and a 400 that speaks of an expired or invalid
    token (a known Halo quirk) is a reason to refresh.
    """
    if 200 <= status < 300:
        return Resolution(Action.SUCCESS, Problem.NONE, "ok")
    message = halo_message(body).lower()
    challenge = (headers or httpx.Headers()).get("www-authenticate", "").lower()
    if status == 401 and (
        "insufficient_scope" in challenge or "permission" in message or "not permitted" in message
    ):
        return Resolution(Action.FAIL, Problem.SCOPE, "the API application lacks a permission")
    if status == 400 and any(hint in message for hint in _EXPIRED_HINTS):
        return Resolution(
            Action.REFRESH_TOKEN, Problem.CREDENTIALS, "HaloPSA reported the token as expired"
        )
    if status in TABLE:
        action, problem, explanation = TABLE[status]
        return Resolution(action, problem, explanation)
    if status >= 500:
        return Resolution(Action.RETRY, Problem.SERVER, f"HaloPSA answered {status}")
    return Resolution(Action.FAIL, Problem.BAD_REQUEST, f"HaloPSA answered {status}")


class HaloError(Exception):
    """A request to HaloPSA failed for good; says why and, where known, how to fix it."""

    def __init__(
        self,
        message: str,
        problem: Problem,
        *,
        status: int | None = None,
        halo_said: str = "",
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.status = status
        self.halo_said = halo_said
        self.fix = fix

    def __str__(self) -> str:
        text = super().__str__()
        if self.halo_said:
            text += f" (HaloPSA said: {self.halo_said})"
        return text


class Retryable(HaloError):
    """A failure worth another attempt (5xx, timeouts, dropped connections, 429)."""


class TokenError(HaloError):
    """The token endpoint refused the credentials, tenant or scopes."""

    def __init__(
        self,
        message: str,
        problem: Problem,
        *,
        status: int | None,
        error: str,
        halo_said: str,
        fix: str | None,
    ) -> None:
        super().__init__(message, problem, status=status, halo_said=halo_said, fix=fix)
        self.error = error
