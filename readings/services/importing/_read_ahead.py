"""Iterate in a background thread, a bounded number of items ahead of the consumer.

The import parses a file and writes what it found. Writing a batch is time spent waiting for
the database (in C, without Python's GIL: SQLite's ``sqlite3_step``, PostgreSQL's network
wait), so the parser can parse the next batch meanwhile, on another core. The database work
itself stays in the calling thread, where Django's connection and its transaction live.

A process that imports can shorten Python's thread switch interval (``import_tuning``), so that
the consumer gets the GIL back soon after each database call.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.05  # how often a producer waiting for room checks that it is still wanted


class _Item(Generic[T]):
    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


class _Failed:
    """The source's exception, handed over to be raised in the consumer's thread."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """The items of ``source``, taken from it by a background thread.

    At most ``depth`` items wait to be consumed, so memory stays bounded however long the
    source. An exception raised by the source is raised again in the consumer, at the place
    in the sequence where the source raised it. ``close`` (also on leaving a ``with`` block,
    or at the end of the iteration) stops the thread and waits for it to end; the source is
    not used afterwards.
    """

    def __init__(self, source: Iterable[T], *, depth: int = 2) -> None:
        self._source = source
        # None marks the end of the source.
        self._queue: queue.Queue[_Item[T] | _Failed | None] = queue.Queue(maxsize=depth)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="read-ahead", daemon=True)
        self._started = False
        self._closed = False

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        if self._started:
            raise RuntimeError("a ReadAhead is iterated only once")
        self._started = True
        self._thread.start()
        try:
            while (item := self._queue.get()) is not None:
                if isinstance(item, _Failed):
                    raise item.error
                yield item.value
        finally:
            self.close()

    def close(self) -> None:
        """Stop the producer, if it is still running, and wait for its thread to end."""
        self._stopping.set()
        if not self._started or self._closed:
            return
        self._closed = True
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):  # make room for a producer waiting to put
                self._queue.get(timeout=_POLL_SECONDS)
        self._thread.join()

    def _produce(self) -> None:
        try:
            for value in self._source:
                if not self._put(_Item(value)):
                    return  # the consumer went away
        except BaseException as error:  # handed to the consumer, who raises it
            self._put(_Failed(error))
            return
        self._put(None)

    def _put(self, item: _Item[T] | _Failed | None) -> bool:
        """Queue ``item`` once there is room; False if the consumer went away first."""
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False
