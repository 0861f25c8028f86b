"""The HTTP transport under every Halo request: the rate budget, and what happened, counted."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from psahub.halo.budget import Limit, RateBudget

#: Pause after a 429 without Retry-After; doubled on each 429 in a row, up to the cap.
RATE_LIMIT_PAUSE = 30.0
RATE_LIMIT_PAUSE_CAP = 300.0


@dataclass
class RequestStats:
    """Counts for one client, read by sync runs and the doctor."""

    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: float) -> None:
        """Add to the named counters, safely across threads."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class BudgetedTransport(httpx.BaseTransport):
    """Sends each request only when the instance's budget allows; pauses it on 429."""

    def __init__(
        self,
        budget: RateBudget,
        key: str,
        limit: Limit,
        inner: httpx.BaseTransport | None = None,
        stats: RequestStats | None = None,
        pause: float = RATE_LIMIT_PAUSE,
    ) -> None:
        self.budget = budget
        self.key = key
        self.limit = limit
        self.inner = inner or httpx.HTTPTransport()
        self.stats = stats or RequestStats()
        self.base_pause = pause
        self._streak = 0
        #: HaloPSA's own clock, from the ``Date`` header of the latest answer.
        self.server_time: datetime | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for the budget, send, and pause everyone on a 429."""
        waited = self.budget.acquire(self.key, self.limit)
        self.stats.add(requests=1, waited_seconds=waited)
        response = self.inner.handle_request(request)
        self._note_server_time(response)
        if response.status_code == 429:
            self._streak += 1
            self.stats.add(rate_limited=1)
            self.budget.pause(self.key, self.pause_for(response))
        else:
            self._streak = 0
        return response

    def _note_server_time(self, response: httpx.Response) -> None:
        header = response.headers.get("date")
        if header:
            with contextlib.suppress(TypeError, ValueError):
                self.server_time = parsedate_to_datetime(header).astimezone(UTC)

    def pause_for(self, response: httpx.Response) -> float:
        """How long to hold the instance after this 429: Retry-After, else growing back-off."""
        header = response.headers.get("retry-after", "")
        try:
            return max(float(header), 1.0)
        except ValueError:
            backoff = self.base_pause * 2 ** max(0, self._streak - 1)
            return float(min(backoff, RATE_LIMIT_PAUSE_CAP))

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
