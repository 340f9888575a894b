"""Stopping a command cleanly on Ctrl-C (SIGINT) or SIGTERM.

Inside ``stop_on_signals`` the first of those signals raises ``Stopped`` in the main thread,
wherever it is: an import under way rolls back (its transaction is left by an exception), and
the command reports it, prints its summary and exits with ``Stopped.exit_status`` (128 plus the
signal's number: 130 for Ctrl-C, 143 for SIGTERM) or, for a service that runs until stopped,
0. A second signal while the first is being handled ends the process at once, as it would
without this module; nothing is lost by that either, since every import is one transaction.

``Stopped`` derives from ``BaseException``, not ``Exception``, so that no ``except Exception``
on the way up mistakes it for a fault of the file.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """A signal asked the process to stop."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        self.signal_name = signal.Signals(signal_number).name
        self.exit_status = 128 + signal_number
        super().__init__(f"stopped by {self.signal_name}")


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn the first SIGINT or SIGTERM into ``Stopped`` (main thread only); restore the
    previous handlers on leaving."""

    def stop(signal_number: int, frame: FrameType | None) -> None:
        for number in SIGNALS:  # a second signal: the default, at once
            signal.signal(number, signal.SIG_DFL)
        raise Stopped(signal_number)

    previous = {number: signal.signal(number, stop) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
