"""Bounded batches of inserts for one flow file, a fixed number of queries per batch.

Meter points and meters are shared between files: they are inserted with ``ON CONFLICT DO
NOTHING`` (so concurrent imports about the same meters cannot duplicate them) and their ids
read back with plain SQL. Readings, 028 groups and site visits belong to the file: on PostgreSQL
they go in with ``COPY``, elsewhere with one ``executemany`` each. On PostgreSQL the shared rows
go in as arrays (``unnest``), one statement per table and batch. Column names come from the
models, so the models stay the one definition of the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Model

from readings.d0010.identifiers import serial_search_key
from readings.d0010.records import MeterPointGroup
from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit

_IN_CHUNK = 900  # values per IN (...) list: below SQLite's oldest variable limit

_METER_POINT_FIELDS = ("mpan",)
_METER_FIELDS = ("meter_point", "serial_number", "serial_key")
_FILE_METER_FIELDS = ("flow_file", "line_number", "meter", "reading_type", "bsc_validation_status")
_READING_FIELDS = (
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
    "reading_type",
    "bsc_validation_status",
    "validation_reason_code",
    "validation_status",
)
_SITE_VISIT_FIELDS = (
    "flow_file",
    "line_number",
    "parent_line_number",
    "group",
    "meter_point",
    "meter",
    "check_code",
    "additional_information",
)


def _insert_sql(
    model: type[Model], fields: Sequence[str], *, ignore_conflicts: bool = False
) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders}){conflict}"  # noqa: S608 - names from the models, values as parameters
    )


def _copy_sql(model: type[Model], fields: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return column


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class BatchWriter:
    """Collects 026 groups and writes them in batches; ``finish`` writes the rest."""

    def __init__(self, flow_file: FlowFile) -> None:
        self.flow_file = flow_file
        self.pending_readings = 0
        self.reading_count = 0
        self.site_visit_count = 0
        self._groups: list[MeterPointGroup] = []
        self._has_register_visits = False
        self._adapt_datetime = lru_cache(maxsize=8192)(connection.ops.adapt_datetimefield_value)
        self._sql_meter_point = _insert_sql(MeterPoint, _METER_POINT_FIELDS, ignore_conflicts=True)
        self._sql_meter = _insert_sql(Meter, _METER_FIELDS, ignore_conflicts=True)
        self._sql_file_meter = _insert_sql(FileMeter, _FILE_METER_FIELDS)
        self._sql_reading = _insert_sql(Reading, _READING_FIELDS)
        self._sql_site_visit = _insert_sql(SiteVisit, _SITE_VISIT_FIELDS)
        self._copy = connection.vendor == "postgresql"
        quote = connection.ops.quote_name
        point_table, meter_table = (
            quote(MeterPoint._meta.db_table),
            quote(Meter._meta.db_table),
        )
        mpan, point, serial, key, pk = (
            quote("mpan"),
            quote(_column(Meter, "meter_point")),
            quote("serial_number"),
            quote("serial_key"),
            quote("id"),
        )
        # Names from the models; values as parameters.
        self._sql_point_ids = f"SELECT {mpan}, {pk} FROM {point_table} WHERE {mpan} IN "  # noqa: S608
        self._sql_meter_ids = f"SELECT {point}, {serial}, {pk} FROM {meter_table} WHERE {point} IN "  # noqa: S608
        self._sql_point_array = (
            f"INSERT INTO {point_table} ({mpan}) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING"
        )
        self._sql_meter_array = (
            f"INSERT INTO {meter_table} ({point}, {serial}, {key}) "  # noqa: S608
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING"
        )
        self._copy_file_meter = _copy_sql(FileMeter, _FILE_METER_FIELDS)
        self._copy_reading = _copy_sql(Reading, _READING_FIELDS)
        self._copy_site_visit = _copy_sql(SiteVisit, _SITE_VISIT_FIELDS)

    def add(self, group: MeterPointGroup) -> None:
        self._groups.append(group)
        self.pending_readings += group.reading_count

    def flush(self) -> None:
        groups = self._groups
        if not groups:
            return
        self._groups = []
        self.pending_readings = 0
        with connection.cursor() as cursor:
            point_ids = self._meter_point_ids(cursor, groups)
            meter_ids = self._meter_ids(cursor, groups, point_ids)
            self._write_groups(cursor, groups, point_ids, meter_ids)

    def finish(self) -> None:
        self.flush()
        if self._has_register_visits:
            self._link_register_visits()

    # -- shared rows: meter points and meters -----------------------------------------------

    def _meter_point_ids(self, cursor: Any, groups: list[MeterPointGroup]) -> dict[str, int]:
        mpans = sorted({group.mpan for group in groups})  # sorted: a stable lock order
        if self._copy:
            cursor.execute(self._sql_point_array, [mpans])
        else:
            cursor.executemany(self._sql_meter_point, [(mpan,) for mpan in mpans])
        return dict(self._select_in(cursor, self._sql_point_ids, mpans))

    def _meter_ids(
        self, cursor: Any, groups: list[MeterPointGroup], point_ids: dict[str, int]
    ) -> dict[tuple[int, str], int]:
        wanted = sorted(
            {
                (point_ids[group.mpan], meter.serial_number)
                for group in groups
                for meter in group.meters
            }
        )
        if self._copy:
            cursor.execute(
                self._sql_meter_array,
                [
                    [point_id for point_id, _ in wanted],
                    [serial for _, serial in wanted],
                    [serial_search_key(serial) for _, serial in wanted],
                ],
            )
        else:
            cursor.executemany(
                self._sql_meter,
                [(point_id, serial, serial_search_key(serial)) for point_id, serial in wanted],
            )
        point_set = sorted({point_id for point_id, _ in wanted})
        return {
            (point_id, serial): meter_id
            for point_id, serial, meter_id in self._select_in(
                cursor, self._sql_meter_ids, point_set
            )
        }

    def _select_in(self, cursor: Any, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` (ending ``IN``) for ``values``: one query, or one per chunk."""
        if self._copy:
            cursor.execute(sql.replace(" IN ", " = ANY(%s)", 1).rstrip(), [list(values)])
            return list(cursor.fetchall())
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(values):
            cursor.execute(f"{sql}({', '.join(['%s'] * len(chunk))})", chunk)
            rows.extend(cursor.fetchall())
        return rows

    # -- the file's own rows ----------------------------------------------------------------

    def _write_groups(
        self,
        cursor: Any,
        groups: list[MeterPointGroup],
        point_ids: dict[str, int],
        meter_ids: dict[tuple[int, str], int],
    ) -> None:
        file_id = self.flow_file.pk
        adapt = self._adapt_datetime
        file_meters: list[tuple[Any, ...]] = []
        readings: list[tuple[Any, ...]] = []
        visits: list[tuple[Any, ...]] = []
        for group in groups:
            point_id = point_ids[group.mpan]
            status = group.bsc_validation_status
            visits.extend(
                (
                    file_id,
                    v.line_number,
                    group.line_number,
                    v.group,
                    point_id,
                    None,
                    v.check_code,
                    v.additional_information,
                )
                for v in group.site_visits
            )
            for meter in group.meters:
                meter_id = meter_ids[(point_id, meter.serial_number)]
                reading_type = meter.reading_type
                file_meters.append((file_id, meter.line_number, meter_id, reading_type, status))
                visits.extend(
                    (
                        file_id,
                        v.line_number,
                        meter.line_number,
                        v.group,
                        point_id,
                        meter_id,
                        v.check_code,
                        v.additional_information,
                    )
                    for v in meter.site_visits
                )
                for r in meter.readings:
                    validation = r.validation
                    readings.append(
                        (
                            file_id,
                            r.line_number,
                            meter_id,
                            r.register_id,
                            adapt(r.read_at),
                            r.value,
                            adapt(r.md_reset_at) if r.md_reset_at else None,
                            r.md_reset_count,
                            r.reading_flag,
                            r.reading_method,
                            reading_type,
                            status,
                            validation.reason_code if validation else "",
                            validation.status if validation else None,
                        )
                    )
                    if r.site_visits:
                        self._has_register_visits = True
                        visits.extend(
                            (
                                file_id,
                                v.line_number,
                                r.line_number,
                                v.group,
                                point_id,
                                meter_id,
                                v.check_code,
                                v.additional_information,
                            )
                            for v in r.site_visits
                        )
        if self._copy:
            self._copy_rows(cursor, self._copy_file_meter, file_meters)
            self._copy_rows(cursor, self._copy_reading, readings)
            self._copy_rows(cursor, self._copy_site_visit, visits)
        else:
            cursor.executemany(self._sql_file_meter, file_meters)
            if readings:
                cursor.executemany(self._sql_reading, readings)
            if visits:
                cursor.executemany(self._sql_site_visit, visits)
        self.reading_count += len(readings)
        self.site_visit_count += len(visits)

    @staticmethod
    def _copy_rows(cursor: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """PostgreSQL ``COPY`` through psycopg 3, under Django's cursor wrapper."""
        if not rows:
            return
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _link_register_visits(self) -> None:
        """Point each 033 at its reading, found by the reading's line in the same file."""
        quote = connection.ops.quote_name
        visit_table = quote(SiteVisit._meta.db_table)
        reading_table = quote(Reading._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {visit_table} SET {quote('reading_id')} = ("  # noqa: S608 - names from the models
                f"SELECT r.{quote('id')} FROM {reading_table} r "
                f"WHERE r.{quote('flow_file_id')} = {visit_table}.{quote('flow_file_id')} "
                f"AND r.{quote('line_number')} = {visit_table}.{quote('parent_line_number')}) "
                f"WHERE {quote('flow_file_id')} = %s AND {quote('group')} = %s",
                [self.flow_file.pk, "033"],
            )
