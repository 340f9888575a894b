"""Bounded batches of a flow file's rows, written with a fixed number of statements per batch.

The tables a batch writes and their columns are declared once, below (see ``_columns``). A
batch is prepared in two steps that can run in different threads:

- ``prepare_batch`` turns parsed 026 groups into one JSON array per table, naming meter points
  and meters by what the file says (MPAN, serial number, the 028's line). It is plain Python,
  needs no database, and runs in the parser's thread.
- ``BatchWriter.write`` sends each array with one ``INSERT ... SELECT`` that expands it inside
  the database (``json_each`` on SQLite, ``jsonb_array_elements`` on PostgreSQL) and finds
  the ids there, each by a lookup on a unique index. The thread that holds the connection
  only waits for the database, without Python's GIL, so the parser runs on meanwhile.

Meter points and meters are shared between files: they are inserted with ``ON CONFLICT DO
NOTHING``, so imports about the same meters cannot duplicate them. Readings find their meter
through their 028 group's row (``FileMeter``, unique by file and line); a 033 site visit finds
its reading by file and line in the same way. Column names and types come from the models, so
the models stay the one definition of the schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from readings.d0010.records import MeterPointGroup
from readings.dtc.identifiers import serial_search_key
from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit

from ._columns import FLOW_FILE, Item, Lookup, Stored, Table, When
from ._database import DateTimeText

METER_POINTS = Table(
    MeterPoint,
    rows_of=("mpan",),
    shared=True,
    columns={"mpan": Item("mpan")},
)
METERS = Table(
    Meter,
    rows_of=("mpan", "serial_number"),
    shared=True,
    columns={
        "meter_point": Lookup(MeterPoint, mpan=Item("mpan")),
        "serial_number": Item("serial_number"),
        "serial_key": Item("serial_number", convert=serial_search_key),
    },
)
FILE_METERS = Table(
    FileMeter,
    rows_of=("group", "meter"),
    columns={
        "flow_file": FLOW_FILE,
        "line_number": Item("meter.line_number"),
        "meter": Lookup(
            Meter,
            meter_point=Lookup(MeterPoint, mpan=Item("group.mpan")),
            serial_number=Item("meter.serial_number"),
        ),
        "reading_type": Item("meter.reading_type"),
        "bsc_validation_status": Item("group.bsc_validation_status"),
    },
)


def _meter_of_028(line: Item) -> Lookup:
    """The meter of this file's 028 group on ``line``."""
    return Lookup(FileMeter, select="meter", flow_file=FLOW_FILE, line_number=line)


READINGS = Table(
    Reading,
    rows_of=("group", "meter", "reading"),
    columns={
        "flow_file": FLOW_FILE,
        "line_number": Item("reading.line_number"),
        "meter": _meter_of_028(Item("meter.line_number")),
        "register_id": Item("reading.register_id"),
        "read_at": Item("reading.read_at", convert=Stored.DATETIME),
        "value": Item("reading.value", convert=str),
        "md_reset_at": Item("reading.md_reset_at?", convert=Stored.DATETIME),
        "md_reset_count": Item("reading.md_reset_count"),
        "reading_flag": Item("reading.reading_flag"),
        "reading_method": Item("reading.reading_method"),
        "validation_reason_code": Item("reading.validation?.reason_code", missing=""),
        "validation_status": Item("reading.validation?.status"),
        "reading_type": Item("meter.reading_type"),
        "bsc_validation_status": Item("group.bsc_validation_status"),
    },
)
_VISIT_GROUP = Item("visit.group")
_PARENT_LINE = Item("parent_line")  # of the 026, 028 or 030 the visit belongs to
SITE_VISITS = Table(
    SiteVisit,
    rows_of=("visit", "parent_line", "mpan", "meter_line"),  # meter_line: None for a 027
    columns={
        "flow_file": FLOW_FILE,
        "line_number": Item("visit.line_number"),
        "parent_line_number": _PARENT_LINE,
        "group": _VISIT_GROUP,
        "meter_point": Lookup(MeterPoint, mpan=Item("mpan")),
        "meter": _meter_of_028(Item("meter_line")),
        "reading": When(
            _VISIT_GROUP,
            equals="033",  # a visit at register level
            then=Lookup(Reading, flow_file=FLOW_FILE, line_number=_PARENT_LINE),
        ),
        "check_code": Item("visit.check_code"),
        "additional_information": Item("visit.additional_information"),
    },
)
TABLES = (METER_POINTS, METERS, FILE_METERS, READINGS, SITE_VISITS)  # parents first
WRITTEN = tuple(table.model for table in TABLES)


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedBatch:
    """One batch of a file's rows: a JSON array per table of ``TABLES``, in its order, each
    row as the table's ``row`` makes it."""

    rows: tuple[str, ...]
    reading_count: int
    site_visit_count: int
    first_read_at: datetime | None = None
    last_read_at: datetime | None = None


def _json(rows: list[tuple[object, ...]]) -> str:
    return json.dumps(rows, separators=(",", ":"))


def prepare_batch(groups: Sequence[MeterPointGroup], datetime_text: DateTimeText) -> PreparedBatch:
    """The rows of ``groups`` for ``BatchWriter.write``; ``datetime_text`` formats a datetime
    as the database stores it (``_database.datetime_text``)."""
    point_row, meter_row, file_meter_row, reading_row, visit_row = (t.row for t in TABLES)
    mpans: set[str] = set()
    meters: set[tuple[str, str]] = set()
    file_meters: list[tuple[object, ...]] = []
    readings: list[tuple[object, ...]] = []
    visits: list[tuple[object, ...]] = []
    read_times: list[datetime] = []
    for group in groups:
        mpan = group.mpan
        mpans.add(mpan)
        if group.site_visits:  # most groups have none: skip making an empty generator
            visits.extend(
                visit_row(v, group.line_number, mpan, None, datetime_text)
                for v in group.site_visits
            )
        for meter in group.meters:
            meter_line = meter.line_number
            meters.add((mpan, meter.serial_number))
            if not meter.continued:  # a later part of its group: its row was written before
                file_meters.append(file_meter_row(group, meter, datetime_text))
            if meter.site_visits:
                visits.extend(
                    visit_row(v, meter_line, mpan, meter_line, datetime_text)
                    for v in meter.site_visits
                )
            for reading in meter.readings:
                readings.append(reading_row(group, meter, reading, datetime_text))
                read_times.append(reading.read_at)
                if reading.site_visits:
                    visits.extend(
                        visit_row(v, reading.line_number, mpan, meter_line, datetime_text)
                        for v in reading.site_visits
                    )
    return PreparedBatch(
        rows=(
            # Sorted: the shared rows are locked in the same order by every import.
            _json([point_row(mpan, datetime_text) for mpan in sorted(mpans)]),
            _json([meter_row(*meter, datetime_text) for meter in sorted(meters)]),
            _json(file_meters),
            _json(readings),
            _json(visits),
        ),
        reading_count=len(readings),
        site_visit_count=len(visits),
        first_read_at=min(read_times, default=None),
        last_read_at=max(read_times, default=None),
    )


class BatchWriter:
    """Writes one flow file's prepared batches, in the thread that holds the connection."""

    def __init__(self, flow_file: FlowFile) -> None:
        self.flow_file = flow_file
        self.reading_count = 0
        self.site_visit_count = 0
        self.first_read_at: datetime | None = None
        self.last_read_at: datetime | None = None
        self.statements = tuple(table.statement() for table in TABLES)

    def write(self, batch: PreparedBatch) -> None:
        """One statement per table that has rows in the batch, whatever its size.

        They go to the driver's cursor, under Django's: with DEBUG on, Django's would keep
        each statement with its parameters (a megabyte of JSON per batch) in
        ``connection.queries``, and memory would grow with the file.
        """
        file_id = self.flow_file.pk
        # Django's errors, not the driver's own (a full disk is SQLite's OperationalError).
        with connection.cursor() as cursor, connection.wrap_database_errors:
            driver = cursor.cursor
            for statement, rows in zip(self.statements, batch.rows, strict=True):
                if rows != "[]":
                    driver.execute(statement.sql, statement.parameters(file_id, rows))
        self.reading_count += batch.reading_count
        self.site_visit_count += batch.site_visit_count
        if batch.first_read_at is not None and batch.last_read_at is not None:
            first, last = self.first_read_at, self.last_read_at
            self.first_read_at = min(first, batch.first_read_at) if first else batch.first_read_at
            self.last_read_at = max(last, batch.last_read_at) if last else batch.last_read_at
