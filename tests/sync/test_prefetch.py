"""Reading ahead in a thread: order, errors, a bounded lead, stopping early."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator

import pytest

from psahub.sync.prefetch import Prefetch


def _wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def test_items_come_in_order_then_the_end() -> None:
    with Prefetch(iter(range(50)), depth=3) as items:
        assert list(items) == list(range(50))
        assert next(items, "end") == "end"


def test_an_error_arrives_after_the_items_read_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("page 3 failed")

    items = Prefetch(source())
    assert next(items) == 1 and next(items) == 2
    with pytest.raises(ValueError, match="page 3 failed"):
        next(items)
    assert next(items, "end") == "end"  # and nothing after it
    items.close()


def test_it_reads_at_most_depth_items_ahead() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for number in range(1000):
            produced.append(number)
            yield number

    with Prefetch(source(), depth=4) as items:
        assert next(items) == 0
        _wait_for(lambda: len(produced) >= 5)
        time.sleep(0.1)  # it would run on if it were not bounded
        # one handed out, four queued, one produced and waiting for room
        assert len(produced) <= 6


def test_ready_says_whether_the_next_item_is_waiting() -> None:
    gate = threading.Event()

    def source() -> Iterator[str]:
        yield "first"
        gate.wait(5)
        yield "second"

    with Prefetch(source()) as items:
        assert next(items) == "first"
        assert not items.ready()
        gate.set()
        _wait_for(items.ready)
        assert next(items) == "second"


def test_close_stops_the_source_and_runs_its_cleanup() -> None:
    cleaned = threading.Event()
    produced: list[int] = []

    def source() -> Iterator[int]:
        try:
            for number in range(10_000):
                produced.append(number)
                yield number
        finally:
            cleaned.set()

    items = Prefetch(source(), depth=2)
    assert next(items) == 0
    items.close()
    assert cleaned.is_set()
    assert len(produced) < 10
    assert next(items, "end") == "end"


def test_the_reading_thread_sees_the_callers_context() -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")
    request_id.set("sync-42")

    def source() -> Iterator[str]:
        yield request_id.get("unset")

    with Prefetch(source()) as items:
        assert list(items) == ["sync-42"]
