"""What the readings mean: each reading's status, advance, per-day advance, anomaly and whether
it is the latest counting reading of its register, worked out set-based in the database.

``recompute_meaning`` runs inside the caller's transaction, after an import has written a file's
readings or after a deletion, over only the registers the change touched, with a fixed number of
statements whatever the number of readings. The rules are in the README ("Decisions and
assumptions"); in short:

- **Status**, per key (meter, register, read at), in order of receipt (flow file id, then line):
  a reading under a ``W`` 028 is a ``withdrawal``; a reading that a later ``W`` matches on value
  is ``withdrawn``; of the others, the last run of equal values counts: its first reading is
  ``live``, the rest ``repeat``; every reading before that run is ``superseded``.
- **Chain**: the live readings of a (meter, register) by read at. ``advance`` is the value less
  the previous one's (a rollover adds the register's range), ``advance_per_day`` divides it by
  the days between them, ``anomaly`` flags ``rollover``, ``negative``, ``zero`` and ``high``,
  ``is_latest`` marks the newest.

How it stays cheap:

- A new reading arrives ``live`` and latest, with no advance (the columns' database defaults),
  which is right unless it shares its key with another reading, is a withdrawal, or its
  register has other live readings. So the status pass, the expensive one (five window levels),
  runs only over keys that need it: those of withdrawals, and those the chain pass finds with
  two live readings. A register of a meter no other file mentions, with one reading in the
  file, is not looked at again.
- The chain pass is one window level of five functions over narrow rows, per touched register:
  its live readings from the earliest touched read at on, and the few live readings just before
  them (``CONTEXT_READINGS``, found by the meter's index). For readings newer than all held,
  that is the new readings and the previous one of each register.
- Results go to a temporary table only where they differ from what is stored, and one
  ``UPDATE`` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.utils.timezone import localtime

from readings.d0010 import codes
from readings.dtc import FlowIssue
from readings.meaning_choices import Anomaly, ReadingStatus
from readings.models import FileMeter, FlowFile, Reading
from readings.services._cursor import (
    Cursor,
    fetch_column,
    fetch_integers,
    fetch_one,
    integer,
    open_cursor,
    text,
)
from readings.wording import counted

# -- the rules' numbers (the README's "Decisions and assumptions" quotes them) -----------------
ROLLOVER_SHARE = 100  # a fall is a rollover when the wrapped advance is <= 1/100 of the range
ZERO_DAYS = 90  # no advance over at least this many days: "zero"
HIGH_FACTOR = 4  # a per-day advance over this many times the recent rate: "high"
HISTORY_READINGS = 5  # the recent history: this many counting readings before a reading...
HIGH_HISTORY_DAYS = 90  # ...spanning at least this many days, for "high"
# Live readings read before a register's first touched one: the previous reading and the
# recent history.
CONTEXT_READINGS = HISTORY_READINGS
REPORTED_WITHDRAWALS = 100  # unmatched withdrawals named one by one, per recompute

WITHDRAWAL_READING_TYPE = "W"  # J0171: the readings under this 028 withdraw earlier ones
assert WITHDRAWAL_READING_TYPE in codes.READING_TYPES  # noqa: S101 - the flow's own code

_SECONDS_PER_DAY = 86_400
_SEQ_SHIFT = 1 << 32  # receipt order as one number: flow file id * 2**32 + line number

_READING = Reading._meta.db_table
_FILE_METER = FileMeter._meta.db_table
_FLOW_FILE = FlowFile._meta.db_table
_ALL_METERS = 2**62  # "every meter may have readings held before": no meter id is larger
_REGISTERS = "meaning_registers"  # (meter, register) touched, and the earliest read at touched
_RECHAIN = "meaning_rechain"  # the registers whose statuses had to be worked out
_KEYS = "meaning_keys"  # (meter, register, read at) whose statuses are worked out
_STATUSES = "meaning_statuses"  # the status pass's results
_RESULTS = "meaning_results"  # the chain pass's results that differ from what is stored

_LIVE = ReadingStatus.LIVE.value
_IS_W = f"reading_type = '{WITHDRAWAL_READING_TYPE}'"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmatchedWithdrawal:
    """A reading under a ``W`` 028 that matches no reading received before it."""

    line_number: int
    register_id: str
    read_at: datetime
    value: Decimal

    @property
    def reason(self) -> str:
        """``withdrawal (W) of register 01 at 01/03/2024 00:00, value 123.0, matches ...``"""
        return (
            f"withdrawal (W) of register {self.register_id} at "
            f"{localtime(self.read_at):%d/%m/%Y %H:%M}, value {self.value}, matches no "
            "reading held"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MeaningResult:
    """What a recompute found: the unmatched withdrawals of the files it was given (the first
    ``REPORTED_WITHDRAWALS`` of them by line, and how many in all), and its size."""

    unmatched_withdrawals: tuple[UnmatchedWithdrawal, ...]
    unmatched_withdrawal_count: int
    keys: int  # (meter, register, read at) whose statuses were worked out
    changed: int  # readings whose advance, per day, anomaly or latest mark changed

    def warnings(self, *, file_name: str) -> tuple[FlowIssue, ...]:
        """The unmatched withdrawals as the file's warnings, each naming its line."""
        named = tuple(
            FlowIssue(file_name=file_name, line_number=w.line_number, field=None, reason=w.reason)
            for w in self.unmatched_withdrawals
        )
        more = self.unmatched_withdrawal_count - len(named)
        if more <= 0:
            return named
        return (
            *named,
            FlowIssue(
                file_name=file_name,
                line_number=None,
                field=None,
                reason=f"{counted(more, 'more withdrawal')} (W) match no reading held",
            ),
        )


@dataclass(frozen=True, slots=True)
class Touched:
    """What some files' readings touched, kept in temporary tables of this connection until
    ``recompute_meaning(touched=...)`` uses it (``touched_by`` makes one)."""

    flow_file_ids: tuple[int, ...]


def touched_by(*, flow_file_ids: Sequence[int]) -> Touched:
    """Note what these files' readings touch, before they are deleted; then delete them and call
    ``recompute_meaning(touched=...)`` in the same transaction."""
    ids = tuple(flow_file_ids)
    sql = _Sql.for_connection()
    with open_cursor() as cursor:
        _create(cursor, sql, _REGISTERS, _KEYS, _RESULTS)
        cursor.execute(sql.fill_registers(_files(ids), new=False), ids)
        # Every key the files have readings in where other files' readings remain: their
        # statuses may change.
        cursor.execute(
            f"INSERT INTO {_KEYS} (meter_id, register_id, read_at) "
            f"SELECT DISTINCT r.meter_id, r.register_id, r.read_at FROM {_READING} r "
            f"WHERE r.flow_file_id IN {_files(ids)} AND EXISTS (SELECT 1 FROM {_READING} o "
            "WHERE o.meter_id = r.meter_id AND o.read_at = r.read_at "
            f"AND o.register_id = r.register_id AND o.flow_file_id NOT IN {_files(ids)})",
            ids + ids,
        )
    return Touched(ids)


def recompute_meaning(
    *, flow_file_ids: Sequence[int] = (), touched: Touched | None = None, everything: bool = False
) -> MeaningResult:
    """Work out the meaning of the readings that can change after ``flow_file_ids`` were
    written (their readings are new: never worked out before), or after what ``touched``
    names (noted by ``touched_by``) was deleted, or of ``everything``.

    Runs in the caller's transaction, with a fixed number of statements whatever the number of
    readings (about ten when the files bring only new registers' single readings). Unmatched
    withdrawals are reported for ``flow_file_ids``.
    """
    sql = _Sql.for_connection()
    ids = tuple(flow_file_ids)
    with open_cursor() as cursor:
        created = [_REGISTERS, _KEYS, _RESULTS]
        try:
            if touched is not None:
                keys = _count(cursor, _KEYS)
                known = _known_meters(None)
            else:
                _create(cursor, sql, *created)
                if everything:
                    cursor.execute(sql.fill_registers(None, new=False))
                    # Every key with more than one reading, or a withdrawal.
                    cursor.execute(
                        f"INSERT INTO {_KEYS} (meter_id, register_id, read_at) "
                        f"SELECT meter_id, register_id, read_at FROM {_READING} "
                        "GROUP BY meter_id, register_id, read_at "
                        f"HAVING COUNT(*) > 1 OR MAX({flag(_IS_W)}) = 1"
                    )
                    keys = max(cursor.rowcount, 0)
                    known = _known_meters(None)
                else:
                    cursor.execute(sql.fill_registers(_files(ids), new=True), ids)
                    # The keys of the files' withdrawals.
                    cursor.execute(
                        f"INSERT INTO {_KEYS} (meter_id, register_id, read_at) "
                        f"SELECT DISTINCT r.meter_id, r.register_id, r.read_at "
                        f"FROM {_REGISTERS} t CROSS JOIN {_READING} r WHERE t.has_w = 1 "
                        "AND r.meter_id = t.meter_id AND r.register_id = t.register_id "
                        f"AND r.flow_file_id IN {_files(ids)} AND r.{_IS_W}",
                        ids,
                    )
                    keys = max(cursor.rowcount, 0) + _keys_met_later(cursor, sql, ids)
                    known = _known_meters(ids)
            return _recompute(cursor, sql, ids, keys=keys, known=known, created=created)
        finally:
            sql.drop(cursor, created)


def _keys_met_later(cursor: Cursor, sql: _Sql, ids: tuple[int, ...]) -> int:
    """Add to ``_KEYS`` the keys where the files' readings meet readings of a later file (a
    larger id); how many.

    On PostgreSQL imports run side by side, and a file may commit after a later one about the
    same meters (one at a time, by their locks). The later file's statuses were worked out
    without this file's readings, received before them: those keys are worked out whole, as
    they would have been had the files come one after the other. Imports one at a time (SQLite
    always) never find a later file, and look no further than the flow files' key.
    """
    if not sql.postgresql or not ids:
        return 0
    cursor.execute(f"SELECT id FROM {_FLOW_FILE} WHERE id > %s", [max(ids)])
    later = fetch_column(cursor, 0, integer)
    if not later:
        return 0
    # The files' rows and the later files' rows, each found by the index on their file, then
    # matched by hashing: the planner, believing tables grown since they were last analysed
    # to be small, would otherwise compare every row of one with every row of the other.
    cursor.execute("SELECT current_setting('enable_nestloop')")
    nested_loops = text(fetch_one(cursor)[0])
    cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    try:
        return _keys_met_in(cursor, ids, later)
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [nested_loops])


def _keys_met_in(cursor: Cursor, ids: tuple[int, ...], later: list[int]) -> int:
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {_FILE_METER} o WHERE o.flow_file_id = ANY(%s) "
        f"AND o.meter_id IN (SELECT f.meter_id FROM {_FILE_METER} f "
        f"WHERE f.flow_file_id IN {_files(ids)}))",
        [later, *ids],
    )
    if not fetch_one(cursor)[0]:
        return 0
    cursor.execute(
        f"INSERT INTO {_KEYS} (meter_id, register_id, read_at) "
        f"SELECT DISTINCT r.meter_id, r.register_id, r.read_at FROM {_READING} r "
        f"WHERE r.flow_file_id IN {_files(ids)} AND EXISTS (SELECT 1 FROM {_READING} o "
        "WHERE o.meter_id = r.meter_id AND o.read_at = r.read_at "
        "AND o.register_id = r.register_id AND o.flow_file_id = ANY(%s)) ON CONFLICT DO NOTHING",
        [*ids, later],
    )
    return max(cursor.rowcount, 0)


def _known_meters(ids: tuple[int, ...] | None) -> tuple[str, tuple[int, ...]]:
    """SQL for the largest meter id whose readings may have been worked out before, with its
    parameters: for new readings of ``ids``, the largest meter id other files mention (a meter
    with a larger one has readings from these files only); otherwise every meter."""
    if ids is None:
        return f"SELECT {_ALL_METERS} AS id", ()
    largest = (
        f"SELECT COALESCE(MAX(meter_id), 0) AS id FROM {_FILE_METER} "
        f"WHERE flow_file_id NOT IN {_files(ids)}"
    )
    return largest, ids


def _recompute(
    cursor: Cursor,
    sql: _Sql,
    ids: tuple[int, ...],
    *,
    keys: int,
    known: tuple[str, tuple[int, ...]],
    created: list[str],
) -> MeaningResult:
    sql.analyze(cursor, _REGISTERS, _KEYS)
    if keys:  # withdrawals, or the keys a deletion touched where readings remain
        _statuses(cursor, sql, created)
    known_sql, known_parameters = known
    cursor.execute(sql.chain(_REGISTERS, known_sql), known_parameters)
    cursor.execute(f"SELECT COUNT(*), SUM(dirty) FROM {_RESULTS}")
    results, dirty = fetch_integers(cursor)
    if dirty:
        # Keys with two live readings: work out their statuses, then the chains of their
        # registers again.
        dirty_rows = f"{_RESULTS} d JOIN {_READING} r ON r.id = d.id WHERE d.dirty = 1"
        cursor.execute(
            f"INSERT INTO {_KEYS} (meter_id, register_id, read_at) "
            f"SELECT DISTINCT r.meter_id, r.register_id, r.read_at FROM {dirty_rows} "
            f"AND NOT EXISTS (SELECT 1 FROM {_KEYS} k WHERE k.meter_id = r.meter_id "
            "AND k.register_id = r.register_id AND k.read_at = r.read_at)"
        )
        keys += cursor.rowcount
        sql.analyze(cursor, _KEYS)
        _statuses(cursor, sql, created)
        _create(cursor, sql, _RECHAIN)
        created.append(_RECHAIN)
        cursor.execute(
            f"INSERT INTO {_RECHAIN} (meter_id, register_id, from_at, new_rows) "
            f"SELECT t.meter_id, t.register_id, t.from_at, 0 FROM {_REGISTERS} t "
            f"WHERE EXISTS (SELECT 1 FROM {dirty_rows} "
            "AND r.meter_id = t.meter_id AND r.register_id = t.register_id)"
        )
        cursor.execute(
            f"DELETE FROM {_RESULTS} WHERE id IN (SELECT r.id FROM {_RECHAIN} t "
            f"JOIN {_READING} r ON r.meter_id = t.meter_id AND r.register_id = t.register_id)"
        )
        sql.analyze(cursor, _RECHAIN)
        cursor.execute(sql.chain(_RECHAIN, _known_meters(None)[0]), [])
        results = 1  # some, perhaps
    changed = 0
    if results:
        sql.analyze(cursor, _RESULTS)
        cursor.execute(sql.update_chain())
        changed = cursor.rowcount
    unmatched: tuple[UnmatchedWithdrawal, ...] = ()
    unmatched_count = 0
    if keys and ids:
        unmatched_of_files = (
            f"FROM {_STATUSES} s JOIN {_READING} r ON r.id = s.id "
            f"WHERE s.unmatched = 1 AND r.flow_file_id IN {_files(ids)}"
        )
        cursor.execute(f"SELECT COUNT(*) {unmatched_of_files}", ids)
        (unmatched_count,) = fetch_integers(cursor)
        if unmatched_count:
            cursor.execute(
                f"SELECT r.id {unmatched_of_files} ORDER BY r.flow_file_id, r.line_number "
                f"LIMIT {REPORTED_WITHDRAWALS}",
                ids,
            )
            unmatched = _unmatched(fetch_column(cursor, 0, integer))
    return MeaningResult(
        unmatched_withdrawals=unmatched,
        unmatched_withdrawal_count=int(unmatched_count),
        keys=keys,
        changed=changed,
    )


def _unmatched(ids: list[int]) -> tuple[UnmatchedWithdrawal, ...]:
    rows = (
        Reading.objects.filter(pk__in=ids)
        .order_by("flow_file_id", "line_number")
        .values_list("line_number", "register_id", "read_at", "value")
    )
    return tuple(
        UnmatchedWithdrawal(line_number=line, register_id=register, read_at=read_at, value=value)
        for line, register, read_at, value in rows
    )


def _statuses(cursor: Cursor, sql: _Sql, created: list[str]) -> None:
    """Work out the status of every reading of the keys in ``_KEYS``, and write what changed;
    a reading that stops counting loses its advance, anomaly and latest mark."""
    if _STATUSES in created:
        cursor.execute(f"DELETE FROM {_STATUSES}")
    else:
        _create(cursor, sql, _STATUSES)
        created.append(_STATUSES)
    cursor.execute(sql.statuses())
    cursor.execute(sql.update_statuses())


def _count(cursor: Cursor, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    (count,) = fetch_integers(cursor)
    return count


def _files(ids: tuple[int, ...]) -> str:
    """``(%s, %s, ...)`` for the ids, as parameters."""
    if not ids:
        return "(NULL)"
    return f"({', '.join('%s' for _ in ids)})"


def _create(cursor: Cursor, sql: _Sql, *tables: str) -> None:
    definitions = sql.temporary_tables()
    for table in tables:
        cursor.execute(definitions[table])


def flag(expression: str) -> str:
    """A condition as 0 or 1, the same on both databases (PostgreSQL does not compare a boolean
    with an integer)."""
    return f"CASE WHEN {expression} THEN 1 ELSE 0 END"


class _Sql:
    """The statements, with what differs between SQLite and PostgreSQL."""

    def __init__(self, vendor: str) -> None:
        self.postgresql = vendor == "postgresql"

    @classmethod
    def for_connection(cls) -> _Sql:
        return cls(connection.vendor)

    # -- pieces ---------------------------------------------------------------------------------
    def distinct(self, left: str, right: str) -> str:
        return f"{left} IS DISTINCT FROM {right}" if self.postgresql else f"{left} IS NOT {right}"

    def seconds(self, moment: str) -> str:
        """A datetime column as seconds since 1970 (exact: read times are whole seconds)."""
        if self.postgresql:
            return f"EXTRACT(EPOCH FROM {moment})"
        return f"CAST(strftime('%%s', {moment}) AS INTEGER)"

    def range_of(self, value: str) -> str:
        """10 to the power of the number of integer digits of ``value``: the range of a
        register that shows it (99,950.0 -> 100,000)."""
        if self.postgresql:
            digits = f"length(CAST(TRUNC({value}) AS BIGINT)::text)"
            return f"CAST('1' || repeat('0', {digits}) AS numeric)"
        return (
            f"CAST('1' || substr('0000000000000000', 1, "
            f"length(CAST(CAST({value} AS INTEGER) AS TEXT))) AS INTEGER)"
        )

    def boolean(self, expression: str) -> str:
        """For a boolean column: PostgreSQL's boolean, SQLite's 0 or 1."""
        return f"({expression})" if self.postgresql else flag(expression)

    def analyze(self, cursor: Cursor, *tables: str) -> None:
        """PostgreSQL's planner knows nothing of a temporary table's size until it is analyzed
        (autovacuum never visits them)."""
        if self.postgresql:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    # -- statements -----------------------------------------------------------------------------
    def temporary_tables(self) -> dict[str, str]:
        if self.postgresql:
            moment, integer, number, boolean = "timestamptz", "bigint", "numeric", "boolean"
            without_rowid = ""
        else:
            moment, integer, number, boolean = "datetime", "integer", "decimal", "bool"
            without_rowid = " WITHOUT ROWID"
        key = f"meter_id {integer} NOT NULL, register_id varchar(2) NOT NULL"
        registers = (
            f"({key}, from_at {moment} NOT NULL, new_rows integer NOT NULL, "
            f"has_w integer NOT NULL DEFAULT 0, PRIMARY KEY (meter_id, register_id)){without_rowid}"
        )
        return {
            _REGISTERS: f"CREATE TEMPORARY TABLE {_REGISTERS} {registers}",
            _RECHAIN: f"CREATE TEMPORARY TABLE {_RECHAIN} {registers}",
            _KEYS: (
                f"CREATE TEMPORARY TABLE {_KEYS} ({key}, read_at {moment} NOT NULL, "
                f"PRIMARY KEY (meter_id, register_id, read_at)){without_rowid}"
            ),
            _STATUSES: (
                f"CREATE TEMPORARY TABLE {_STATUSES} (id {integer} PRIMARY KEY, "
                "status varchar(10) NOT NULL, unmatched integer NOT NULL)"
            ),
            # No key: rows are appended, and the UPDATE finds each reading by its own.
            _RESULTS: (
                f"CREATE TEMPORARY TABLE {_RESULTS} (id {integer} NOT NULL, "
                f"advance {number} NULL, advance_per_day {number} NULL, "
                f"anomaly varchar(8) NOT NULL, is_latest {boolean} NOT NULL, "
                "dirty integer NOT NULL)"
            ),
        }

    def drop(self, cursor: Cursor, tables: list[str]) -> None:
        if self.postgresql:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
        else:  # one table a statement
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def fill_registers(self, files: str | None, *, new: bool) -> str:
        """The (meter, register) of the files' readings (every one when ``files`` is None), with
        the earliest read at of each; with ``new``, also how many of its readings the files
        brought and whether one is a withdrawal (the files' readings were never worked out)."""
        where = "" if files is None else f" WHERE flow_file_id IN {files}"
        is_w = flag(_IS_W)
        counted_rows, has_w = ("COUNT(*)", f"MAX({is_w})") if new else ("0", "0")
        columns = "(meter_id, register_id, from_at, new_rows, has_w)"
        if self.postgresql or files is None:
            return (
                f"INSERT INTO {_REGISTERS} {columns} "
                f"SELECT meter_id, register_id, MIN(read_at), {counted_rows}, {has_w} "
                f"FROM {_READING}{where} GROUP BY meter_id, register_id"
            )
        # SQLite: a file's rows come grouped by meter, so an upsert into the key's B-tree is
        # cheaper than GROUP BY's sort. "AND true": the ON CONFLICT is the upsert's.
        first_rows, first_w = ("1", is_w) if new else ("0", "0")
        return (
            f"INSERT INTO {_REGISTERS} {columns} "
            f"SELECT meter_id, register_id, read_at, {first_rows}, {first_w} "
            f"FROM {_READING}{where} AND true "
            "ON CONFLICT (meter_id, register_id) DO UPDATE SET "
            "from_at = MIN(from_at, excluded.from_at), new_rows = new_rows + excluded.new_rows, "
            "has_w = MAX(has_w, excluded.has_w)"
        )

    def statuses(self) -> str:
        """Every reading of the keys in ``_KEYS``: its status, and for a withdrawal whether it
        matches nothing received before it. Five window levels, over few rows."""
        key = "meter_id, register_id, read_at"
        is_w = flag(f"r.reading_type = '{WITHDRAWAL_READING_TYPE}'")
        counts = flag("is_w = 0 AND (last_w IS NULL OR last_w < seq)")
        in_last = flag("counts = 1 AND min_later = value AND max_later = value")
        unmatched = flag("is_w = 1 AND (first_reading IS NULL OR first_reading > seq)")
        return f"""
INSERT INTO {_STATUSES} (id, status, unmatched)
WITH k AS (
  SELECT r.id, r.meter_id, r.register_id, r.read_at, r.value, {is_w} AS is_w,
    r.flow_file_id * {_SEQ_SHIFT} + r.line_number AS seq
  FROM {_KEYS} k JOIN {_READING} r ON r.meter_id = k.meter_id AND r.read_at = k.read_at
    AND r.register_id = k.register_id
), matched AS (
  SELECT *,
    MAX(CASE WHEN is_w = 1 THEN seq END) OVER same_value AS last_w,
    MIN(CASE WHEN is_w = 0 THEN seq END) OVER same_value AS first_reading
  FROM k WINDOW same_value AS (PARTITION BY {key}, value)
), candidates AS (
  SELECT *, {counts} AS counts FROM matched
), runs AS (
  SELECT *,
    MIN(CASE WHEN counts = 1 THEN value END) OVER later AS min_later,
    MAX(CASE WHEN counts = 1 THEN value END) OVER later AS max_later
  FROM candidates
  WINDOW later AS (PARTITION BY {key} ORDER BY seq
    ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
), last_run AS (
  SELECT *, {in_last} AS in_last FROM runs
), numbered AS (
  SELECT *, COUNT(CASE WHEN in_last = 1 THEN 1 END) OVER (PARTITION BY {key} ORDER BY seq
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS nth
  FROM last_run
)
SELECT id,
  CASE WHEN is_w = 1 THEN '{ReadingStatus.WITHDRAWAL.value}'
       WHEN counts = 0 THEN '{ReadingStatus.WITHDRAWN.value}'
       WHEN in_last = 0 THEN '{ReadingStatus.SUPERSEDED.value}'
       WHEN nth = 1 THEN '{_LIVE}'
       ELSE '{ReadingStatus.REPEAT.value}' END,
  {unmatched}
FROM numbered"""

    def update_statuses(self) -> str:
        """Write the statuses that changed; a reading that stops counting loses its chain
        columns, one that starts counting gets them from the chain pass."""
        target = "" if self.postgresql else f"{_READING}."
        alias = "r" if self.postgresql else _READING
        false = "FALSE" if self.postgresql else "0"
        return (
            f"UPDATE {_READING} {'AS r ' if self.postgresql else ''}SET status = s.status, "
            f"advance = CASE WHEN s.status = '{_LIVE}' THEN {target}advance END, "
            f"advance_per_day = CASE WHEN s.status = '{_LIVE}' THEN {target}advance_per_day END, "
            f"anomaly = CASE WHEN s.status = '{_LIVE}' THEN {target}anomaly ELSE '' END, "
            f"is_latest = CASE WHEN s.status = '{_LIVE}' THEN {target}is_latest ELSE {false} END "
            f"FROM {_STATUSES} s WHERE s.id = {alias}.id AND s.status <> {alias}.status"
        )

    def chain(self, registers: str, known_meters: str) -> str:
        """One window level over each register's chain from its ``from_at`` on, with the live
        readings just before it; into ``_RESULTS``, the rows whose stored chain columns differ,
        and those of keys with two live readings, whose statuses need working out (``dirty``).

        The rows of the window, per register of ``registers``:

        - the tail: its live readings from ``from_at`` on; left out for a register of a meter
          no other file mentions (``known_meters``, a query, gives the largest id of those that
          may have readings held) when the import brought one
          reading of it and no withdrawal: a first reading has the columns' defaults;
        - before it, for the meters other files mention: the ``CONTEXT_READINGS`` live readings
          before ``from_at``, for the tail's lags; the last of them only gets its latest mark
          again.
        """
        live = f"status = '{_LIVE}'"
        known = "t.meter_id <= known.id"  # the meter may have readings held
        counting = "CASE WHEN r.md_reset_at IS NULL AND r.md_reset_count IS NULL THEN r.value END"
        columns = (  # few: every column is carried through the window's sort
            f"r.id, r.meter_id, r.register_id, {self.seconds('r.read_at')} AS secs, "
            f"{counting} AS cv"
        )
        # The earliest of the CONTEXT_READINGS live readings before the tail, if there are as
        # many: the window starts there (or at the chain's start).
        lowest = "''" if not self.postgresql else "'-infinity'::timestamptz"
        context_from = (
            f"COALESCE((SELECT c.read_at FROM {_READING} c WHERE c.meter_id = t.meter_id "
            f"AND c.register_id = t.register_id AND c.{live} AND c.read_at < t.from_at "
            f"ORDER BY c.read_at DESC LIMIT 1 OFFSET {CONTEXT_READINGS - 1}), {lowest})"
        )
        day = _SECONDS_PER_DAY
        gap = "(secs - s1)"  # seconds since the previous live reading
        # No advance since the previous reading, or since the oldest of the recent history
        # (the same value as both), over ZERO_DAYS.
        zero = (
            f"({gap} >= {ZERO_DAYS * day} OR (v{HISTORY_READINGS} = cv "
            f"AND secs - s{HISTORY_READINGS} >= {ZERO_DAYS * day}))"
        )
        history = f"(s1 - s{HISTORY_READINGS})"  # over the recent counting readings
        recent = f"v{HISTORY_READINGS}"
        rolled = flag(f"span IS NOT NULL AND cv + span - v1 <= span / {ROLLOVER_SHARE}.0")
        high = (
            f"{history} >= {HIGH_HISTORY_DAYS * day} AND v1 > {recent} "
            f"AND advance * {history} > {HIGH_FACTOR} * (v1 - {recent}) * {gap}"
        )
        differs = " OR ".join(
            (
                "w.dirty = 1",
                self.distinct("w.advance", "r.advance"),
                self.distinct("w.per_day", "r.advance_per_day"),
                "w.anomaly <> r.anomaly",
                self.distinct("w.is_latest", "r.is_latest"),
            )
        )
        return f"""
INSERT INTO {_RESULTS} (id, advance, advance_per_day, anomaly, is_latest, dirty)
WITH known AS ({known_meters}), chain AS (
  SELECT {columns}, {flag("r.read_at >= t.from_at")} AS in_tail
  FROM known CROSS JOIN {registers} t CROSS JOIN {_READING} r
  WHERE ({known} OR t.new_rows > 1 OR t.has_w = 1) AND r.meter_id = t.meter_id
    AND r.read_at >= CASE WHEN {known} THEN {context_from} ELSE t.from_at END
    AND r.register_id = t.register_id AND r.{live}
), win AS (
  SELECT id, secs, cv, in_tail,
    LAG(cv) OVER w AS v1, LAG(secs) OVER w AS s1,
    LAG(cv, {HISTORY_READINGS}) OVER w AS {recent},
    LAG(secs, {HISTORY_READINGS}) OVER w AS s{HISTORY_READINGS},
    LEAD(in_tail) OVER w AS next_in_tail
  FROM chain WINDOW w AS (PARTITION BY meter_id, register_id ORDER BY secs
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), kept AS (  -- the tail, and the reading just before it
  SELECT *, CASE WHEN cv < v1 THEN {self.range_of("v1")} END AS span
  FROM win WHERE in_tail = 1 OR next_in_tail = 1 OR next_in_tail IS NULL
), rolled AS (
  SELECT *, {rolled} AS rolled FROM kept
), advanced AS (
  SELECT *, CASE WHEN cv IS NOT NULL AND v1 IS NOT NULL
    THEN ROUND(CASE WHEN rolled = 1 THEN cv + span - v1 ELSE cv - v1 END, 1) END AS advance
  FROM rolled
), worked_out AS (
  SELECT id, in_tail, advance,
    ROUND(advance * {day}.0 / NULLIF({gap}, 0), 3) AS per_day,
    CASE WHEN advance IS NULL THEN ''
         WHEN rolled = 1 THEN '{Anomaly.ROLLOVER.value}'
         WHEN advance < 0 THEN '{Anomaly.NEGATIVE.value}'
         WHEN advance = 0 AND {zero} THEN '{Anomaly.ZERO.value}'
         WHEN {high} THEN '{Anomaly.HIGH.value}'
         ELSE '' END AS anomaly,
    {self.boolean("next_in_tail IS NULL")} AS is_latest,
    {flag("in_tail = 1 AND secs = s1")} AS dirty
  FROM advanced
)
SELECT w.id,  -- a reading before the tail only gets its latest mark again
  CASE WHEN w.in_tail = 1 THEN w.advance ELSE r.advance END,
  CASE WHEN w.in_tail = 1 THEN w.per_day ELSE r.advance_per_day END,
  CASE WHEN w.in_tail = 1 THEN w.anomaly ELSE r.anomaly END,
  w.is_latest, w.dirty
FROM worked_out w CROSS JOIN {_READING} r
WHERE r.id = w.id AND (w.in_tail = 1 OR {self.distinct("w.is_latest", "r.is_latest")})
  AND ({differs})"""

    def update_chain(self) -> str:
        alias = "r" if self.postgresql else _READING
        return (
            f"UPDATE {_READING} {'AS r ' if self.postgresql else ''}SET advance = m.advance, "
            "advance_per_day = m.advance_per_day, anomaly = m.anomaly, is_latest = m.is_latest "
            f"FROM {_RESULTS} m WHERE m.id = {alias}.id"
        )
