"""Bounded batches of a flow file's rows, written with a fixed number of statements per batch.

A batch is prepared in two steps that can run in different threads:

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from readings.d0010.identifiers import serial_search_key
from readings.d0010.records import MeterPointGroup
from readings.d0010.records import SiteVisit as SiteVisitRecord
from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit

DateTimeText = Callable[[datetime], str]
WRITTEN = (MeterPoint, Meter, FileMeter, Reading, SiteVisit)  # the tables a batch writes to


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedBatch:
    """One batch of a file's rows as JSON arrays (each row an array, in the writer's order)."""

    meter_points: str  # [mpan]
    meters: str  # [mpan, serial_number, serial_key]
    file_meters: str  # [line, mpan, serial_number, reading_type, bsc_validation_status]
    readings: str  # [line, 028 line, register, read at, value, MD reset at, MD resets,
    #                  flag, method, 032 reason code, 032 status, reading type, BSC status]
    site_visits: str  # [line, parent line, group, mpan, 028 line or null, check code, text]
    reading_count: int
    site_visit_count: int


def _json(rows: list[Any]) -> str:
    return json.dumps(rows, separators=(",", ":"))


def _visit_row(
    visit: SiteVisitRecord, parent_line: int, mpan: str, meter_line: int | None
) -> list[Any]:
    return [
        visit.line_number,
        parent_line,
        visit.group,
        mpan,
        meter_line,
        visit.check_code,
        visit.additional_information,
    ]


def prepare_batch(groups: Sequence[MeterPointGroup], datetime_text: DateTimeText) -> PreparedBatch:
    """The rows of ``groups`` for ``BatchWriter.write``; ``datetime_text`` formats a datetime
    as the database stores it (``BatchWriter.datetime_text``)."""
    mpans: set[str] = set()
    meters: set[tuple[str, str]] = set()
    file_meters: list[list[Any]] = []
    readings: list[list[Any]] = []
    visits: list[list[Any]] = []
    for group in groups:
        mpan = group.mpan
        status = group.bsc_validation_status
        mpans.add(mpan)
        if group.site_visits:  # most groups have none: skip making an empty generator
            visits.extend(_visit_row(v, group.line_number, mpan, None) for v in group.site_visits)
        for meter in group.meters:
            meter_line = meter.line_number
            meters.add((mpan, meter.serial_number))
            file_meters.append([meter_line, mpan, meter.serial_number, meter.reading_type, status])
            if meter.site_visits:
                visits.extend(
                    _visit_row(v, meter_line, mpan, meter_line) for v in meter.site_visits
                )
            for r in meter.readings:
                validation = r.validation
                readings.append(
                    [
                        r.line_number,
                        meter_line,
                        r.register_id,
                        datetime_text(r.read_at),
                        str(r.value),
                        datetime_text(r.md_reset_at) if r.md_reset_at else None,
                        r.md_reset_count,
                        r.reading_flag,
                        r.reading_method,
                        validation.reason_code if validation else "",
                        validation.status if validation else None,
                        meter.reading_type,
                        status,
                    ]
                )
                if r.site_visits:
                    visits.extend(
                        _visit_row(v, r.line_number, mpan, meter_line) for v in r.site_visits
                    )
    return PreparedBatch(
        # Sorted: the shared rows are locked in the same order by every import.
        meter_points=_json([[mpan] for mpan in sorted(mpans)]),
        meters=_json(
            [[mpan, serial, serial_search_key(serial)] for mpan, serial in sorted(meters)]
        ),
        file_meters=_json(file_meters),
        readings=_json(readings),
        site_visits=_json(visits),
        reading_count=len(readings),
        site_visit_count=len(visits),
    )


class BatchWriter:
    """Writes one flow file's prepared batches, in the thread that holds the connection."""

    def __init__(self, flow_file: FlowFile) -> None:
        self.flow_file = flow_file
        self.reading_count = 0
        self.site_visit_count = 0
        rows = _JsonRows(connection.vendor)
        q = connection.ops.quote_name
        point, meter, file_meter_table, reading = (
            q(model._meta.db_table) for model in (MeterPoint, Meter, FileMeter, Reading)
        )
        pk = q("id")

        def column(index: int, model: type[Model], name: str) -> str:
            return rows.column(index, _field(model, name))

        def insert(model: type[Model], names: Sequence[str]) -> str:
            columns = ", ".join(q(_column(model, name)) for name in names)
            return f"INSERT INTO {q(model._meta.db_table)} ({columns}) SELECT"

        def point_id(mpan: str) -> str:
            return f"(SELECT p.{pk} FROM {point} p WHERE p.{q('mpan')} = {mpan})"

        def file_meter(column_name: str, line: str) -> str:
            return (
                f"(SELECT fm.{q(column_name)} FROM {file_meter_table} fm "
                f"WHERE fm.{q('flow_file_id')} = %s AND fm.{q('line_number')} = {line})"
            )

        # Names from the models; the values are parameters. Each id is a scalar subquery on
        # a unique index, so both databases look it up row by row: a join would leave the
        # order to the planner, which does not know how many rows the JSON holds and may
        # scan a whole table for each batch. "WHERE true" tells SQLite's parser that ON
        # CONFLICT is the upsert clause, not a join's.
        self._sql_meter_points = (
            f"{insert(MeterPoint, ['mpan'])} {column(0, MeterPoint, 'mpan')} "
            f"FROM {rows.source} WHERE true ON CONFLICT DO NOTHING"
        )
        self._sql_meters = (
            f"{insert(Meter, ['meter_point', 'serial_number', 'serial_key'])} "
            f"{point_id(column(0, MeterPoint, 'mpan'))}, {column(1, Meter, 'serial_number')}, "
            f"{column(2, Meter, 'serial_key')} "
            f"FROM {rows.source} WHERE true ON CONFLICT DO NOTHING"
        )
        meter_id = (
            f"(SELECT m.{pk} FROM {meter} m "
            f"WHERE m.{q('meter_point_id')} = {point_id(column(1, MeterPoint, 'mpan'))} "
            f"AND m.{q('serial_number')} = {column(2, Meter, 'serial_number')})"
        )
        file_meter_fields = [
            "flow_file",
            "line_number",
            "meter",
            "reading_type",
            "bsc_validation_status",
        ]
        self._sql_file_meters = (  # parameters: file id, rows
            f"{insert(FileMeter, file_meter_fields)} "
            f"%s, {column(0, FileMeter, 'line_number')}, {meter_id}, "
            f"{column(3, FileMeter, 'reading_type')}, "
            f"{column(4, FileMeter, 'bsc_validation_status')} "
            f"FROM {rows.source}"
        )
        reading_fields = [
            "flow_file",
            "line_number",
            "meter",
            "register_id",
            "read_at",
            "value",
            "md_reset_at",
            "md_reset_count",
            "reading_flag",
            "reading_method",
            "validation_reason_code",
            "validation_status",
            "reading_type",
            "bsc_validation_status",
        ]
        from_json = ", ".join(
            column(index, Reading, name) for index, name in enumerate(reading_fields[3:], start=2)
        )
        self._sql_readings = (  # parameters: file id, file id, rows
            f"{insert(Reading, reading_fields)} "
            f"%s, {column(0, Reading, 'line_number')}, "
            f"{file_meter('meter_id', column(1, FileMeter, 'line_number'))}, {from_json} "
            f"FROM {rows.source}"
        )
        visit_fields = [
            "flow_file",
            "line_number",
            "parent_line_number",
            "group",
            "meter_point",
            "meter",
            "reading",
            "check_code",
            "additional_information",
        ]
        group = column(2, SiteVisit, "group")
        self._sql_site_visits = (  # parameters: file id, file id, "033", file id, rows
            f"{insert(SiteVisit, visit_fields)} "
            f"%s, {column(0, SiteVisit, 'line_number')}, "
            f"{column(1, SiteVisit, 'parent_line_number')}, {group}, "
            f"{point_id(column(3, MeterPoint, 'mpan'))}, "
            f"{file_meter('meter_id', column(4, FileMeter, 'line_number'))}, "
            f"CASE WHEN {group} = %s THEN (SELECT r.{pk} FROM {reading} r "
            f"WHERE r.{q('flow_file_id')} = %s "
            f"AND r.{q('line_number')} = {column(1, Reading, 'line_number')}) END, "
            f"{column(5, SiteVisit, 'check_code')}, "
            f"{column(6, SiteVisit, 'additional_information')} "
            f"FROM {rows.source}"
        )

    @staticmethod
    def datetime_text() -> DateTimeText:
        """How this database stores a datetime, as text: for ``prepare_batch``."""
        adapt = connection.ops.adapt_datetimefield_value
        return lru_cache(maxsize=8192)(lambda value: str(adapt(value)))

    def write(self, batch: PreparedBatch) -> None:
        """Five statements, whatever the batch's size.

        They go to the driver's cursor, under Django's: with DEBUG on, Django's would keep
        each statement with its parameters (a megabyte of JSON per batch) in
        ``connection.queries``, and memory would grow with the file.
        """
        file_id = self.flow_file.pk
        with connection.cursor() as cursor:
            driver = cursor.cursor
            driver.execute(self._sql_meter_points, [batch.meter_points])
            driver.execute(self._sql_meters, [batch.meters])
            driver.execute(self._sql_file_meters, [file_id, batch.file_meters])
            if batch.reading_count:
                driver.execute(self._sql_readings, [file_id, file_id, batch.readings])
            if batch.site_visit_count:
                driver.execute(
                    self._sql_site_visits, [file_id, file_id, "033", file_id, batch.site_visits]
                )
        self.reading_count += batch.reading_count
        self.site_visit_count += batch.site_visit_count


class _JsonRows:
    """SQL for the rows of one JSON array of arrays passed as a parameter, column by column."""

    def __init__(self, vendor: str) -> None:
        self._postgresql = vendor == "postgresql"
        if self._postgresql:
            self.source = "jsonb_array_elements(%s::jsonb) AS j(value)"
        else:
            self.source = "json_each(%s) AS j"

    def column(self, index: int, field: Field[Any, Any]) -> str:
        """Item ``index`` of each row, as ``field``'s column type."""
        if self._postgresql:
            db_type = field.db_type(connection)
            if db_type is None:
                raise TypeError(f"{field} has no column type")
            return f"(j.value ->> {index})::{db_type}"
        return f"json_extract(j.value, '$[{index}]')"


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field


def _column(model: type[Model], name: str) -> str:
    column = _field(model, name).column
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column
