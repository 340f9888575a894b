"""Bounded batches of inserts for one flow file, a fixed number of queries per batch.

Meter points and meters are shared between files: they are inserted with ``ON CONFLICT DO
NOTHING`` (so concurrent imports about the same meters cannot duplicate them) and their ids
read back. Readings, 028 groups and site visits belong to the file and are inserted with one
``executemany`` each. Column names come from the models, so the models stay the one
definition of the schema.
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
        cursor.executemany(self._sql_meter_point, [(mpan,) for mpan in mpans])
        ids: dict[str, int] = {}
        for chunk in _chunks(mpans):
            ids.update(MeterPoint.objects.filter(mpan__in=chunk).values_list("mpan", "id"))
        return ids

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
        cursor.executemany(
            self._sql_meter,
            [(point_id, serial, serial_search_key(serial)) for point_id, serial in wanted],
        )
        ids: dict[tuple[int, str], int] = {}
        for chunk in _chunks(sorted({point_id for point_id, _ in wanted})):
            for point_id, serial, meter_id in Meter.objects.filter(
                meter_point_id__in=chunk
            ).values_list("meter_point_id", "serial_number", "id"):
                ids[(point_id, serial)] = meter_id
        return ids

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
        cursor.executemany(self._sql_file_meter, file_meters)
        if readings:
            cursor.executemany(self._sql_reading, readings)
        if visits:
            cursor.executemany(self._sql_site_visit, visits)
        self.reading_count += len(readings)
        self.site_visit_count += len(visits)

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
