"""What an import does differently on each database: how a batch's JSON is read back and how
a datetime is stored, SQLite's page cache, PostgreSQL's advisory lock and planner statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Field, Model

from readings.services._cursor import fetch_integers, open_cursor

SQLITE_IMPORT_CACHE_KIB = 32 * 1024  # SQLite: page cache of the connection while it imports
_IMPORT_LOCK = 0x0D0010  # PostgreSQL advisory lock key held by the import that is writing

DateTimeText = Callable[[datetime], str]


def datetime_text() -> DateTimeText:
    """How the connection's database stores a datetime, as text (for a batch's JSON)."""
    adapt = connection.ops.adapt_datetimefield_value
    return lru_cache(maxsize=8192)(lambda value: str(adapt(value)))


class JsonRows:
    """The connection's SQL for the rows of a JSON array of arrays passed as a parameter:
    ``json_each`` on SQLite, ``jsonb_array_elements`` on PostgreSQL."""

    def __init__(self) -> None:
        self._postgresql = connection.vendor == "postgresql"
        if self._postgresql:
            self.source = "jsonb_array_elements(%s::jsonb) AS j(value)"
        else:
            self.source = "json_each(%s) AS j"

    def item(self, index: int, field: Field[Any, Any] | None) -> str:
        """Element ``index`` of each row, as ``field``'s column type (as text without one)."""
        if not self._postgresql:
            return f"json_extract(j.value, '$[{index}]')"
        if field is None:
            return f"(j.value ->> {index})"
        db_type = field.db_type(connection)
        if db_type is None:
            raise TypeError(f"{field} has no column type")
        return f"(j.value ->> {index})::{db_type}"


@contextmanager
def import_page_cache() -> Iterator[None]:
    """On SQLite, give the connection a larger page cache while it imports, then put it back.

    SQLite's default cache is 2 MB. New meters and readings land all over the serial and date
    indexes, and once those outgrow the cache, pages are written out and read back batch after
    batch. With 32 MB the writes of a 1,000,000-reading file took about 8 % less time; memory
    grows by at most the cache's size, and only for the import's connection.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with open_cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = fetch_integers(cursor)
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        # A connection that failed may refuse this too: the import's own error is the one to
        # report, and a broken connection is closed by Django with its cache.
        with suppress(DatabaseError), open_cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous:d}")


def one_import_at_a_time() -> None:
    """Make imports on PostgreSQL write one at a time, as SQLite's IMMEDIATE transactions do.

    Meter points and meters are shared rows, locked by the first import that inserts them until
    it commits. Two files about the same meter points in a different order would each hold some
    that the other needs next, batch after batch, and deadlock. The lock is released at commit
    or rollback, and by the server if the process dies.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])


def refresh_planner_statistics(models: tuple[type[Model], ...]) -> None:
    """``ANALYZE`` the tables of ``models``, on PostgreSQL (as its manual advises after
    populating a database; SQLite's planner keeps no statistics unless asked).

    Until autovacuum gets round to them, the planner plans for the tables as they were: on a
    table grown by a million rows, a serial search or a meter point page took seconds instead
    of milliseconds. The column statistics commit or roll back with the import; the row
    estimates (``pg_class.reltuples``) are written in place, as autovacuum would.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
