"""What ``manage.py`` and the WSGI and ASGI entry points share: a bad setting is one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured


@contextmanager
def configuration_errors_in_one_line() -> Iterator[None]:
    """Turn an ``ImproperlyConfigured`` into a one-line message and exit status 1.

    The message already names the setting and what it accepts (``core.environment``); a
    traceback would only bury it.
    """
    try:
        yield
    except ImproperlyConfigured as error:
        raise SystemExit(f"Configuration error: {error}") from None
