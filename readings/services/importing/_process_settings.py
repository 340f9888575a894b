"""Process-wide interpreter settings changed while imports run, and put back after the last.

Python's thread switch interval and its garbage collector's thresholds belong to the whole
process, not to a thread: a web server may run two uploads at once in two threads. Each setting
is changed by the first import that starts and put back, as it was found, by the last one that
ends, so overlapping imports never restore each other's value half-way.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

SWITCH_INTERVAL = 0.0002  # seconds, while imports run; Python's default is 0.005
GC_FIRST_THRESHOLD = 50_000  # allocations between young collections; Python's default is 700


class SharedSetting(Generic[T]):
    """A process-wide setting, changed while at least one user holds it (``applied``)."""

    def __init__(
        self, read: Callable[[], T], write: Callable[[T], None], change: Callable[[T], T]
    ) -> None:
        self._read = read
        self._write = write
        self._change = change  # the value to use, given the one found
        self._lock = threading.Lock()
        self._users = 0
        self._found: T | None = None

    def hold(self) -> None:
        with self._lock:
            if self._users == 0:
                found = self._read()
                self._found = found
                self._write(self._change(found))
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._found is not None:
                self._write(self._found)
                self._found = None

    @contextmanager
    def applied(self) -> Iterator[None]:
        self.hold()
        try:
            yield
        finally:
            self.release()


def _set_gc_threshold(thresholds: tuple[int, ...]) -> None:
    gc.set_threshold(*thresholds)


# The writing thread gives up the GIL at every database call, and each time it comes back it
# waits for the parsing thread to hand it over: up to one switch interval, hundreds of times
# per file. With the default, that waiting cost more than the overlap gained.
switch_interval = SharedSetting(
    sys.getswitchinterval,
    sys.setswitchinterval,
    lambda found: min(found, SWITCH_INTERVAL),
)

# Parsing makes millions of short-lived records, none of them in reference cycles. With the
# default threshold the collector also ran about 55 full collections per 1,000,000 readings,
# each walking every object the process holds: 16 % of the parsing thread's time.
gc_threshold = SharedSetting(
    gc.get_threshold,
    _set_gc_threshold,
    lambda found: (max(found[0], GC_FIRST_THRESHOLD), *found[1:]),
)
