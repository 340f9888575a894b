"""Interpreter settings that make imports faster, for a process whose work is importing.

Python's thread switch interval and its garbage collector's thresholds belong to the whole
process, not to one import: in a web server every other request's thread would run with them
too. So the import never changes them itself; a process that imports and owns its interpreter
(the ``import_d0010`` command, the benchmark's import) turns them on for its run with
``import_tuning``, and a web upload runs with Python's defaults.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# The writing thread gives up the GIL at every database call, and each time it comes back it
# waits for the parsing thread to hand it over: up to one switch interval, hundreds of times
# per file. With the default, that waiting cost more than the overlap gained.
SWITCH_INTERVAL = 0.0002  # seconds; Python's default is 0.005

# Parsing makes millions of short-lived records, none of them in reference cycles. With the
# default threshold the collector also ran about 55 full collections per 1,000,000 readings,
# each walking every object the process holds: 16 % of the parsing thread's time.
GC_FIRST_THRESHOLD = 50_000  # allocations between young collections; Python's default is 700


@contextmanager
def import_tuning() -> Iterator[None]:
    """Shorten the thread switch interval and raise the collector's first threshold (never the
    other way), then put back what was found. For the owner of the process, around its run."""
    interval = sys.getswitchinterval()
    thresholds = gc.get_threshold()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    gc.set_threshold(max(thresholds[0], GC_FIRST_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
