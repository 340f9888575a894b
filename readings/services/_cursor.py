"""Django's database cursor as the services' raw SQL uses it, typed: what a row holds is read
through ``fetch_*``, each value converted to the type it is, rather than indexed as ``Any``.

Django's ``CursorWrapper`` types ``fetchone``, ``fetchall`` and ``rowcount`` as ``Any`` (they
come from the driver); ``Cursor`` states what the drivers of both databases give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Protocol, TypeVar

from django.db import connection

Row = tuple[object, ...]
_T = TypeVar("_T")


class Cursor(Protocol):
    """A DB-API cursor of either database, as far as the services use one."""

    @property
    def rowcount(self) -> int: ...

    def execute(
        self, sql: str, params: Sequence[int | str | list[int]] | None = None
    ) -> object: ...

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> Sequence[Row]: ...


@contextmanager
def open_cursor() -> Iterator[Cursor]:
    """``connection.cursor()``, typed as a ``Cursor``."""
    with connection.cursor() as wrapper:
        yield wrapper


def integer(value: object) -> int:
    """A whole number from a row: a count, a sum or an id (``NULL``, the sum of no rows, as 0).

    PostgreSQL's ``SUM`` of a ``bigint`` is a ``numeric``: a ``Decimal`` here.
    """
    if value is None:
        return 0
    if isinstance(value, (int, Decimal)):
        return int(value)
    raise TypeError(f"not a whole number: {value!r}")


def text(value: object) -> str:
    """A text value from a row."""
    if isinstance(value, str):
        return value
    raise TypeError(f"not text: {value!r}")


def number(value: object) -> float:
    """A number from a row (``real`` on PostgreSQL: a ``float``)."""
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def fetch_one(cursor: Cursor) -> Row:
    """The one row the last statement gave."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the statement gave no row")
    return row


def fetch_integers(cursor: Cursor) -> tuple[int, ...]:
    """The one row the last statement gave, every value a whole number (see ``integer``)."""
    return tuple(integer(value) for value in fetch_one(cursor))


def fetch_column(cursor: Cursor, index: int, convert: Callable[[object], _T]) -> list[_T]:
    """Value ``index`` of every row the last statement gave, converted."""
    return [convert(row[index]) for row in cursor.fetchall()]
