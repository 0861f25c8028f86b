"""One request budget per HaloPSA instance, shared by everything that calls it.

Hosted Halo allows a number of requests in a rolling window (300 per 5 minutes is the figure
field reports give) and answers 429 beyond it. psahub keeps under the limit on its own side
instead of discovering it through 429s, and when a 429 does come (another tool using the same
instance, a lower limit than configured) every caller of that instance pauses together.

:class:`RollingWindowBudget` serves the threads of one process. A distributed deployment backs
the same :class:`RateBudget` protocol with a shared store so all workers draw on one budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_LIMIT = 300
DEFAULT_WINDOW = 300.0
#: Share of the limit psahub leaves unused, and extra seconds added to the window (at most 2 %
#: of it), so that clock differences and requests in flight never tip Halo's window over.
HEADROOM = 0.03
WINDOW_MARGIN = 1.0


@dataclass(frozen=True)
class Limit:
    """A rolling-window limit: at most ``requests`` in any ``window`` seconds."""

    requests: int = DEFAULT_LIMIT
    window: float = DEFAULT_WINDOW

    @property
    def effective(self) -> tuple[int, float]:
        """The limit psahub actually keeps to, with headroom."""
        allowed = max(1, math.floor(self.requests * (1 - HEADROOM)))
        if self.requests <= 10:
            allowed = max(1, self.requests - 1) if self.requests > 1 else 1
        return allowed, self.window + min(WINDOW_MARGIN, self.window * 0.02)


class RateBudget(Protocol):
    """Where every request to a Halo instance asks for permission to go."""

    def acquire(self, key: str, limit: Limit) -> float:
        """Block until a request to instance ``key`` may go; return the seconds waited."""
        ...

    def pause(self, key: str, seconds: float) -> None:
        """Hold every request to ``key`` for ``seconds`` (after a 429)."""
        ...


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0


class RollingWindowBudget:
    """An in-process :class:`RateBudget`: a rolling window per key, safe across threads."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[str, _Window] = {}
        self._cond = threading.Condition()

    def acquire(self, key: str, limit: Limit) -> float:
        """Block until a request to ``key`` fits the window; return the seconds waited."""
        allowed, window = limit.effective
        waited = 0.0
        with self._cond:
            state = self._windows.setdefault(key, _Window())
            while True:
                now = self._clock()
                while state.times and state.times[0] <= now - window:
                    state.times.popleft()
                wait = state.paused_until - now
                if len(state.times) >= allowed:
                    wait = max(wait, state.times[0] + window - now)
                if wait <= 0:
                    state.times.append(now)
                    return waited
                waited += wait
                if self._sleep is None:
                    self._cond.wait(timeout=wait)
                else:
                    self._cond.release()
                    try:
                        self._sleep(wait)
                    finally:
                        self._cond.acquire()

    def pause(self, key: str, seconds: float) -> None:
        """Hold every request to ``key`` for ``seconds``."""
        with self._cond:
            state = self._windows.setdefault(key, _Window())
            state.paused_until = max(state.paused_until, self._clock() + seconds)

    def in_window(self, key: str, window: float) -> int:
        """How many requests to ``key`` were sent in the last ``window`` seconds."""
        with self._cond:
            state = self._windows.get(key)
            now = self._clock()
            return sum(1 for t in state.times if t > now - window) if state else 0


_shared = RollingWindowBudget()


def shared_budget() -> RollingWindowBudget:
    """The budget every Halo client of this process uses unless told otherwise."""
    return _shared
