"""Rate limiting like hosted Halo, injected faults, and the counters the admin API reports."""

from __future__ import annotations

import statistics
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

CHURN_KINDS = ("create", "update", "delete")


@dataclass
class RateLimit:
    """Hosted Halo's rolling window: at most ``limit`` requests in any ``window`` seconds."""

    limit: int = 300
    window: float = 300.0
    enabled: bool = True
    _times: deque[float] = field(default_factory=deque, repr=False)

    def admit(self, now: float) -> bool:
        """Count a request at monotonic time ``now`` if the window has room; say whether it did."""
        if not self.enabled:
            return True
        horizon = now - self.window
        times = self._times
        while times and times[0] <= horizon:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def seconds_until_free(self, now: float) -> float:
        """How long until the oldest counted request leaves the window."""
        if not self._times:
            return 0.0
        return max(0.0, self._times[0] + self.window - now)

    def message(self) -> str:
        """Halo's wording for a refused request."""
        minutes = self.window / 60
        span = f"{minutes:g} minute" if minutes >= 1 else f"{self.window:g} second"
        return f"Rate Limit Reached - {self.limit} Requests per rolling {span} window"

    def to_json(self) -> dict[str, Any]:
        """The limit's settings as the admin API shows them."""
        return {"limit": self.limit, "window_seconds": self.window, "enabled": self.enabled}


@dataclass
class Faults:
    """Misbehaviour to inject into one instance's API and token endpoint.

    ``latency_ms`` delays every response; ``error_rate`` and ``drop_rate`` are the fractions of
    requests answered with a 5xx or cut off mid-body; ``expired_token_400`` answers every other
    expired token with 400 instead of 401 (a real Halo quirk); ``retry_after`` adds that header
    to 429s; ``hide_authinfo`` answers ``/api/authinfo`` with 404, as installs behind some
    proxies do; ``churn`` changes records of a table after each list page is served, as other
    users of a live Halo would, e.g. ``{"tickets": {"create": 2, "update": 3, "delete": 1}}``.
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    expired_token_400: bool = True
    retry_after: int | None = None
    churn: dict[str, dict[str, int]] = field(default_factory=dict)
    hide_authinfo: bool = False

    def to_json(self) -> dict[str, Any]:
        """The faults as the admin API shows them."""
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "drop_rate": self.drop_rate,
            "expired_token_400": self.expired_token_400,
            "retry_after": self.retry_after,
            "churn": self.churn,
            "hide_authinfo": self.hide_authinfo,
        }


@dataclass
class Counters:
    """What one instance has served, for the admin API and the benchmarks."""

    requests: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    server_ms: deque[float] = field(default_factory=lambda: deque(maxlen=20_000))

    def to_json(self) -> dict[str, Any]:
        """Totals, per-endpoint counts and server-time percentiles."""
        times = sorted(self.server_ms)
        return {
            "requests_total": sum(self.requests.values()),
            "requests": dict(self.requests),
            "rate_limited": self.events["rate_limited"],
            "errors_injected": self.events["errors_injected"],
            "connections_dropped": self.events["connections_dropped"],
            "tokens_issued": self.events["tokens_issued"],
            "tickets_created": self.events["tickets_created"],
            "tickets_updated": self.events["tickets_updated"],
            "events": dict(self.events),
            "server_ms": _percentiles(times),
        }

    def reset(self) -> None:
        """Start counting again from zero."""
        self.requests.clear()
        self.events.clear()
        self.server_ms.clear()


def _percentiles(times: list[float]) -> dict[str, float | int]:
    if not times:
        return {"count": 0}
    return {
        "count": len(times),
        "median": round(statistics.median(times), 3),
        "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 3),
        "max": round(times[-1], 3),
    }
