"""Settings read from the environment, strictly: a value that cannot be read stops start-up.

``core/settings.py`` reads every variable through these. An unset or blank variable takes its
default; anything else must be one of the values the variable accepts, or start-up stops with
an ``ImproperlyConfigured`` that names the variable, the values it accepts and what it found
(``manage.py`` and the WSGI and ASGI entry points print it as one line, see
``core.startup``). A typo such as ``DJANGO_PRODUCTION=2`` is never read as "off".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

BOOLEANS = {"1": True, "0": False}


def _raw(name: str) -> str | None:
    """The variable's value without surrounding spaces; ``None`` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, *, default: str = "") -> str:
    """The variable's text without surrounding spaces, or ``default`` if unset or blank."""
    return _raw(name) or default


def env_choice(name: str, default: T, choices: Mapping[str, T]) -> T:
    """The value ``choices`` maps the variable to (case as given), or ``default`` if unset."""
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        names = list(choices)
        accepted = " or ".join(names) if len(names) <= 2 else f"one of {', '.join(names)}"
        raise ImproperlyConfigured(f"{name} must be {accepted} (or unset), not {value!r}.")
    return choices[value]


def env_bool(name: str, *, default: bool = False) -> bool:
    """``1`` is on, ``0`` is off; nothing else (``yes``, ``true``, ``2``) is guessed at."""
    return env_choice(name, default, BOOLEANS)


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    """A whole number written in ASCII digits, at least ``minimum``."""
    value = _raw(name)
    if value is None:
        return default
    # int() would also take "1_000", "+5" and other scripts' digits ("١٢"); a setting may not.
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum} (or unset), not {value!r}."
        )
    return int(value)
