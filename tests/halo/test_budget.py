"""The rolling-window request budget, on a fake clock and on real threads."""

from __future__ import annotations

import threading
import time

import pytest

from psahub.halo import budget as budget_module
from psahub.halo.budget import WINDOW_MARGIN, Limit, RollingWindowBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def budget(clock: FakeClock) -> RollingWindowBudget:
    return RollingWindowBudget(clock=clock, sleep=clock.sleep)


def test_effective_limit_of_halo_default_keeps_most_of_the_rate() -> None:
    limit = Limit(300, 300)
    allowed, window = limit.effective
    assert 0.9 * 300 <= allowed < 300
    assert 300 < window <= 300 + WINDOW_MARGIN
    rate_kept = (allowed / window) / (limit.requests / limit.window)
    assert 0.9 <= rate_kept < 1.0


@pytest.mark.parametrize(("requests", "allowed"), [(2, 1), (3, 2), (5, 4), (10, 9)])
def test_small_limits_keep_one_spare(requests: int, allowed: int) -> None:
    assert Limit(requests, 60).effective[0] == allowed


@pytest.mark.parametrize("window", [0.1, 1.0, 10.0, 60.0, 300.0, 3600.0])
def test_the_window_margin_is_small_but_present(window: float) -> None:
    effective = Limit(300, window).effective[1]
    assert window < effective <= window + WINDOW_MARGIN
    assert effective <= window * 1.02 + 1e-9


def test_a_limit_of_one_still_allows_one() -> None:
    assert Limit(1, 60).effective[0] == 1


@pytest.mark.parametrize("requests", [11, 12, 33, 100, 299, 300, 301, 1000, 5000])
def test_every_limit_leaves_headroom(requests: int) -> None:
    allowed = Limit(requests, 60).effective[0]
    assert 0.9 * requests <= allowed < requests


def test_admits_up_to_the_limit_then_waits_for_the_oldest_to_leave(
    clock: FakeClock, budget: RollingWindowBudget
) -> None:
    limit = Limit(5, 10)
    allowed, window = limit.effective
    assert allowed == 4
    assert window > 10
    start = clock.now
    for offset in range(allowed):
        clock.now = start + offset
        assert budget.acquire("acme", limit) == 0.0
    assert clock.sleeps == []
    clock.now = start + 5
    waited = budget.acquire("acme", limit)
    # The oldest request (at start) leaves the window at start + window.
    assert waited == pytest.approx(start + window - (start + 5))
    assert clock.now == pytest.approx(start + window)
    assert clock.sleeps == [pytest.approx(window - 5)]
    # The next one waits for the second oldest (start + 1).
    waited = budget.acquire("acme", limit)
    assert waited == pytest.approx(1.0)
    assert clock.now == pytest.approx(start + 1 + window)


def test_no_window_span_ever_holds_more_than_the_limit(
    clock: FakeClock, budget: RollingWindowBudget
) -> None:
    limit = Limit(5, 10)
    allowed, window = limit.effective
    admitted = []
    for _ in range(20):
        budget.acquire("acme", limit)
        admitted.append(clock.now)
        clock.now += 0.5
    for first, later in zip(admitted, admitted[allowed:], strict=False):
        assert later - first >= window
    assert budget.in_window("acme", window) <= allowed


def test_pause_holds_requests_until_it_ends(clock: FakeClock, budget: RollingWindowBudget) -> None:
    limit = Limit(300, 300)
    assert budget.acquire("acme", limit) == 0.0
    budget.pause("acme", 30)
    start = clock.now
    assert budget.acquire("acme", limit) == pytest.approx(30)
    assert clock.now == pytest.approx(start + 30)
    assert budget.acquire("acme", limit) == 0.0


def test_a_shorter_pause_does_not_cut_a_longer_one(
    clock: FakeClock, budget: RollingWindowBudget
) -> None:
    budget.pause("acme", 60)
    budget.pause("acme", 5)
    assert budget.acquire("acme", Limit()) == pytest.approx(60)


def test_pause_and_window_combine(clock: FakeClock, budget: RollingWindowBudget) -> None:
    limit = Limit(2, 10)  # one request per window (a little over 10 s)
    window = limit.effective[1]
    start = clock.now
    budget.acquire("acme", limit)
    budget.pause("acme", 3)
    # The window is the longer wait.
    assert budget.acquire("acme", limit) == pytest.approx(window)
    assert clock.now == pytest.approx(start + window)
    budget.pause("acme", 20)
    # Now the pause (20 s) outlasts the window.
    assert budget.acquire("acme", limit) == pytest.approx(20)


def test_keys_are_independent(clock: FakeClock, budget: RollingWindowBudget) -> None:
    limit = Limit(2, 10)
    assert budget.acquire("acme", limit) == 0.0
    budget.pause("globex", 100)
    assert budget.acquire("initech", limit) == 0.0
    assert budget.in_window("acme", 60) == 1
    assert budget.in_window("initech", 60) == 1
    assert budget.in_window("globex", 60) == 0
    assert clock.sleeps == []
    assert budget.acquire("acme", limit) == pytest.approx(limit.effective[1])


def test_in_window_counts_recent_requests(clock: FakeClock, budget: RollingWindowBudget) -> None:
    assert budget.in_window("acme", 60) == 0
    for _ in range(3):
        budget.acquire("acme", Limit())
        clock.now += 10
    # Requests at -30, -20 and -10 seconds.
    assert budget.in_window("acme", 60) == 3
    assert budget.in_window("acme", 25) == 2
    assert budget.in_window("acme", 15) == 1
    assert budget.in_window("acme", 5) == 0
    assert budget.in_window("unknown", 60) == 0


def test_threads_never_exceed_the_limit_in_any_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny margin keeps the test well under a second.
    monkeypatch.setattr(budget_module, "WINDOW_MARGIN", 0.002)
    limit = Limit(4, 0.1)
    allowed, window = limit.effective
    assert allowed == 3
    assert 0.1 < window < 0.11

    # Record the clock value each thread was admitted at: the last one it read.
    last_read: dict[int, float] = {}

    def clock() -> float:
        now = time.monotonic()
        last_read[threading.get_ident()] = now
        return now

    budget = RollingWindowBudget(clock=clock)
    threads = 8
    barrier = threading.Barrier(threads)
    admitted: list[float] = []
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        waited = budget.acquire("acme", limit)
        with lock:
            admitted.append(last_read[threading.get_ident()])
            waits.append(waited)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in workers)

    assert len(admitted) == threads
    admitted.sort()
    for first, later in zip(admitted, admitted[allowed:], strict=False):
        assert later - first >= window
    # 8 requests at 3 per window span at least two windows.
    assert admitted[-1] - admitted[0] >= 2 * window
    assert all(waited >= 0 for waited in waits)
