"""What an import does differently on each database: how a batch's JSON is read back and how
a datetime is stored, SQLite's page cache, PostgreSQL's advisory locks on the meters whose
meaning an import works out, its planner statistics, and which of its errors lost a race that
another try may win."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from django.db import DatabaseError, connection
from django.db.models import Field, Model

from readings.models import FileMeter
from readings.services._cursor import fetch_integers, open_cursor

SQLITE_IMPORT_CACHE_KIB = 32 * 1024  # SQLite: page cache of the connection while it imports
# PostgreSQL: the first keys of the two-key advisory locks an import takes before it works out
# what its readings mean (two-key locks never clash with one-key, bigint, ones). One lock per
# range of METER_LOCK_RANGE meter ids (a file's new meters have consecutive ids), all of them
# under one lock that the import takes shared; a file that would take more than
# MAX_METER_LOCKS range locks takes that one exclusively instead (the server's lock table is
# shared and bounded: max_locks_per_transaction times max_connections).
_MEANING_LOCK = 0x0D0010  # (_MEANING_LOCK, 0): shared, or exclusive for a file of many meters
_METER_LOCKS = 0x0D0011  # (_METER_LOCKS, meter id // METER_LOCK_RANGE)
METER_LOCK_RANGE = 1024
MAX_METER_LOCKS = 256
_INT4 = 2**31 - 1
# SQLSTATEs of a transaction that lost a race and may win on another try: deadlock_detected,
# serialization_failure.
RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
RETRIES = 3  # tries after the first
RETRY_PAUSE_SECONDS = 0.2  # before a retry: up to this, times the retry's number, at random

T = TypeVar("T")

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


def lock_meters_of(flow_file_id: int) -> None:
    """On PostgreSQL, wait for every other import that works out the meaning of readings of
    this file's meters, and keep them waiting until this transaction ends.

    What readings mean is worked out over every reading of a register, so two imports about
    the same register must do it one after the other, each seeing the other's readings
    committed. Each takes transaction-scoped advisory locks on the ranges of meter ids of its
    file, in the order of their keys, after one lock that all share (so that no two imports
    wait for each other); a file of more ranges than ``MAX_METER_LOCKS`` takes that one alone,
    exclusively. Imports about meters of other ranges go on at the same time. The locks are
    released at commit or rollback, and by the server if the process dies. SQLite needs none:
    it has one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT mod(meter_id / {METER_LOCK_RANGE}, {_INT4}) "  # noqa: S608 - the model's table name
            f"FROM {_quoted_table(FileMeter)} WHERE flow_file_id = %s",
            [flow_file_id],
        )
        keys = sorted(key for (key,) in cursor.fetchall())
        if len(keys) > MAX_METER_LOCKS:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_MEANING_LOCK])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [_MEANING_LOCK])
        # unnest gives the keys in the array's order, and each row's lock is taken in turn.
        cursor.execute(
            "SELECT COUNT(pg_advisory_xact_lock(%s, key)) FROM unnest(%s::integer[]) AS key",
            [_METER_LOCKS, keys],
        )


def lost_a_race(error: BaseException) -> bool:
    """Whether ``error`` (or the driver's error it wraps) is a deadlock or serialisation
    failure: the transaction was rolled back and may succeed if tried again."""
    for cause in (error, error.__cause__):
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if sqlstate in RETRIED_SQLSTATES:
            return True
    return False


def retried(
    attempt: Callable[[], T],
    *,
    on_retry: Callable[[int, Exception], None],
    retries: int = RETRIES,
) -> tuple[T, int]:
    """``attempt()`` and how many times it was tried again: up to ``retries`` times, after a
    short random pause, while it raises an error that ``lost_a_race``; ``on_retry``
    is told of each retry (its number, and the error). Any other error, or the last, is
    raised."""
    done = 0
    while True:
        try:
            return attempt(), done
        except Exception as error:  # Django's DatabaseError, or the driver's own (see _bulk)
            if done >= retries or not lost_a_race(error):
                raise
            done += 1
            on_retry(done, error)
            time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * done))  # noqa: S311 - a pause, not a secret


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
    tables = ", ".join(_quoted_table(model) for model in models)
    with connection.cursor() as cursor:
        # ANALYZE holds its lock on a table until the transaction ends, and waits for another
        # import's: SKIP_LOCKED leaves the tables that another import is analyzing to it.
        cursor.execute(f"ANALYZE (SKIP_LOCKED) {tables}")


def _quoted_table(model: type[Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))
