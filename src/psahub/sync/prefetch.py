"""Reading ahead: run an iterator in a background thread, a bounded number of items ahead.

A sync spends its time in two places that can overlap: waiting for HaloPSA's next page and
writing the last one. ``Prefetch`` keeps the reading going while the caller writes, and tells
the caller whether the next item is already waiting (``ready``), so a writer can group pages
into one transaction without ever holding it open while the network is slow.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


class Prefetch(Generic[T]):
    """Iterate ``source`` in a thread of its own, at most ``depth`` items ahead of the caller.

    Exceptions raised by ``source`` are raised by ``next()`` in the caller, after the items
    read before them. ``close()`` (or leaving the ``with`` block) stops the reading.
    """

    def __init__(self, source: Iterator[T], *, depth: int = 4, name: str = "prefetch") -> None:
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._finished = False
        context = contextvars.copy_context()  # log fields bound by the caller carry over
        self._thread = threading.Thread(
            target=context.run, args=(self._read, source), name=name, daemon=True
        )
        self._thread.start()

    def _read(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._put((_ITEM, item)):
                    return
            self._put((_END, None))
        except BaseException as error:  # handed to the caller, who decides what it means
            self._put((_ERROR, error))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _put(self, entry: tuple[str, object]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def __iter__(self) -> Prefetch[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _ITEM:
            return value  # type: ignore[return-value]
        self._finished = True
        if kind == _ERROR:
            assert isinstance(value, BaseException)
            raise value
        raise StopIteration

    def ready(self) -> bool:
        """Whether the next item (or the end) is already waiting."""
        return not self._queue.empty()

    def close(self) -> None:
        """Stop reading ahead and wait for the reading thread to end."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
        self._finished = True

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
