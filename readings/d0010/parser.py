"""Streaming parser of D0010 (Meter Readings, version 002) flow files.

Pure Python: no Django. The shared DTC reader (``readings.dtc``) reads the file line by line,
checks the ZHV/ZPT envelope and the nesting of the groups; this module declares D0010's
groups, validates their items against the flow's definition (see the project README and the
DTC), and builds the typed records: the ``Header`` first, then one ``MeterPointGroup`` per 026
line as soon as it is complete (a group of more than ``PART_READINGS`` readings in parts of that
many), then the ``Trailer``. Memory use depends on neither the file's size nor a group's.

Problems are collected, then raised together as ``InvalidFlowFile``; tolerated quirks become
``warnings``. Date-times are UK local time and come back aware, in UTC (``readings.localtime``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from readings.dtc.issues import FieldError
from readings.dtc.items import (
    boolean,
    char,
    code,
    mandatory,
    mpan_core,
    number,
    split_items,
    uk_datetime,
)
from readings.dtc.reader import FlowReader, Group

from . import codes
from .records import MeterGroup, MeterPointGroup, RegisterReading, SiteVisit, ValidationResult

PART_READINGS = 5000  # a 026 group of more readings is yielded in parts of about this many
_READING_VALUE = re.compile(r"[0-9]{1,9}(?:\.[0-9])?")
_REGISTER_ID = re.compile(r"[A-Za-z0-9]{1,2}")
# Advice of the DTC that files do not always follow: reported once each, with their first lines.
_NOT_AT_MIDNIGHT = (
    "a reading dated at a time of day under a reading type other than S (Special): "
    "non-half-hourly readings are at 000000, half-hourly midnight ones at 235959"
)
_NO_SUSPECT_READING_UNDER_F = (
    "a 026 with BSC Validation Status F (failed) but no reading flagged F (suspect) under it"
)


@dataclass(slots=True)
class _Open:
    """A group still being read: its line, and the site visits (027, 029 or 033) under it.

    One is made per group line, with its items positionally after ``line_number`` (cheaper
    than by keyword); the site visits are added as they are read."""

    line_number: int
    site_visits: list[SiteVisit] = field(default_factory=list, kw_only=True)


@dataclass(slots=True)
class _OpenReading(_Open):
    register_id: str
    read_at: datetime
    value: Decimal
    md_reset_at: datetime | None
    md_reset_count: int | None
    reading_flag: bool | None
    reading_method: str
    validation: ValidationResult | None = None


@dataclass(slots=True)
class _OpenMeter(_Open):
    serial_number: str
    reading_type: str
    readings: list[RegisterReading] = field(default_factory=list)
    continued: bool = False  # part of it was yielded already


@dataclass(slots=True)
class _OpenMeterPoint(_Open):
    mpan: str
    bsc_validation_status: str
    meters: list[MeterGroup] = field(default_factory=list)
    continued: bool = False  # part of it was yielded already
    held: int = 0  # readings held, in ``meters`` and the open meter
    suspect: bool = False  # a reading under it is flagged F


class D0010Parser(FlowReader[MeterPointGroup]):
    """Iterate over a D0010 stream's records: ``Header``, ``MeterPointGroup``s, ``Trailer``.

    ``bytes_read`` tells how far into the stream the parser has got (for progress bars);
    ``warnings`` holds what was tolerated, and is complete once iteration has finished.
    """

    REFERENCE = codes.FLOW_REFERENCE
    VERSIONS = codes.SUPPORTED_FLOW_VERSIONS

    _meter_point: _OpenMeterPoint | None = None
    _meter: _OpenMeter | None = None
    _reading: _OpenReading | None = None

    def _groups(self) -> tuple[Group, ...]:
        return (
            Group("026", "group", self._on_026),
            Group("027", "site visit", self._on_027, parent="026"),
            Group("028", "meter group", self._on_028, parent="026", required=True),
            Group("029", "site visit", self._on_029, parent="028"),
            Group("030", "register reading", self._on_030, parent="028", noun="reading"),
            Group("032", "validation result", self._on_032, parent="030", once=True),
            Group("033", "site visit", self._on_033, parent="030"),
        )

    # -- closing groups ---------------------------------------------------------------------

    def _close_reading(self) -> None:
        reading = self._reading
        if reading is None:
            return
        self._reading = None
        if reading.reading_flag is False and reading.validation is None:
            self._warn(
                reading.line_number,
                "Meter Reading Flag (J0045)",
                "the reading is flagged suspect (F) but has no 032 validation result",
            )
        elif reading.reading_flag is not False and reading.validation is not None:
            self._warn(
                reading.validation.line_number,
                None,
                "032 validation result under a reading not flagged suspect (F)",
            )
        assert self._meter is not None  # noqa: S101 - a reading is only opened under a meter
        point = self._meter_point
        assert point is not None  # noqa: S101 - a meter is only opened under an 026
        point.held += 1
        if reading.reading_flag is False:
            point.suspect = True
        self._meter.readings.append(
            RegisterReading(
                line_number=reading.line_number,
                register_id=reading.register_id,
                read_at=reading.read_at,
                value=reading.value,
                md_reset_at=reading.md_reset_at,
                md_reset_count=reading.md_reset_count,
                reading_flag=reading.reading_flag,
                reading_method=reading.reading_method,
                validation=reading.validation,
                site_visits=tuple(reading.site_visits),
            )
        )

    def _take_part(self, point: _OpenMeterPoint, meter: _OpenMeter) -> MeterPointGroup:
        """What the open 026 group holds, as a part of it; what it holds is then let go."""
        part = self._point_group(point, (*point.meters, self._meter_group(meter)))
        point.meters = []
        point.site_visits = []
        point.held = 0
        point.continued = True
        meter.readings = []
        meter.site_visits = []
        meter.continued = True
        return part

    @staticmethod
    def _meter_group(meter: _OpenMeter) -> MeterGroup:
        return MeterGroup(
            line_number=meter.line_number,
            serial_number=meter.serial_number,
            reading_type=meter.reading_type,
            site_visits=tuple(meter.site_visits),
            readings=tuple(meter.readings),
            continued=meter.continued,
        )

    def _close_meter(self) -> None:
        self._close_reading()
        meter = self._meter
        if meter is None:
            return
        self._meter = None
        assert self._meter_point is not None  # noqa: S101 - a meter is only opened under an 026
        self._meter_point.meters.append(self._meter_group(meter))

    def _end_group(self) -> MeterPointGroup | None:
        if self._errors:
            self._meter_point = self._meter = self._reading = None
            return None
        self._close_meter()
        point = self._meter_point
        if point is None:
            return None
        self._meter_point = None
        if point.bsc_validation_status == "F" and not point.suspect:
            self._quirk(_NO_SUSPECT_READING_UNDER_F, point.line_number)
        return self._point_group(point, tuple(point.meters))

    @staticmethod
    def _point_group(point: _OpenMeterPoint, meters: tuple[MeterGroup, ...]) -> MeterPointGroup:
        return MeterPointGroup(
            line_number=point.line_number,
            mpan=point.mpan,
            bsc_validation_status=point.bsc_validation_status,
            site_visits=tuple(point.site_visits),
            meters=meters,
            continued=point.continued,
        )

    # -- groups -----------------------------------------------------------------------------

    def _on_026(self, fields: list[str], line_number: int) -> None:
        items = split_items(fields, 2, line_number, self._log)
        mpan = mpan_core(items[0], "MPAN Core (J0003)")
        status = code(items[1], "BSC Validation Status (J0022)", codes.BSC_VALIDATION_STATUSES)
        if not self._errors:
            self._meter_point = _OpenMeterPoint(line_number, mpan, status)

    def _on_028(self, fields: list[str], line_number: int) -> None:
        if not self._errors:
            self._close_meter()
        items = split_items(fields, 2, line_number, self._log)
        raw_serial = mandatory(items[0], "Meter Id (Serial Number) (J0004)")
        serial = raw_serial.strip()
        if not serial:
            raise FieldError("Meter Id (Serial Number) (J0004)", "is blank but mandatory")
        # Trimmed first: padding around a serial of 10 characters is not a longer serial.
        char(serial, "Meter Id (Serial Number) (J0004)", 10)
        if serial != raw_serial:
            self._warn(
                line_number,
                "Meter Id (Serial Number) (J0004)",
                f"leading or trailing spaces around '{serial}' were removed",
            )
        reading_type = items[1]
        if reading_type in codes.READING_TYPES_NOT_IN_D0010:
            raise FieldError(
                "Reading Type (J0171)",
                f"'{reading_type}' is only allowed in D0071 and D0300, not in D0010",
            )
        code(reading_type, "Reading Type (J0171)", codes.READING_TYPES)
        if not self._errors:
            self._meter = _OpenMeter(line_number, serial, reading_type)

    def _on_030(self, fields: list[str], line_number: int) -> None:
        if not self._errors:
            self._close_reading()
            point, meter = self._meter_point, self._meter
            if point is not None and meter is not None and point.held >= PART_READINGS:
                self._part = self._take_part(point, meter)
        log = self._log
        items = split_items(fields, 7, line_number, log)
        register_id = items[0]
        if not _REGISTER_ID.fullmatch(register_id):
            mandatory(register_id, "Meter Register Id (J0010)")
            raise FieldError(
                "Meter Register Id (J0010)", f"'{register_id}' is not 1 or 2 letters or digits"
            )
        read_at = uk_datetime(
            mandatory(items[1], "Reading Date & Time (J0016)"),
            "Reading Date & Time (J0016)",
            line_number,
            log,
        )
        value_text = items[2]
        if not _READING_VALUE.fullmatch(value_text):
            mandatory(value_text, "Register Reading (J0040)")
            raise FieldError(
                "Register Reading (J0040)",
                f"'{value_text}' is not a reading of up to 9 digits with at most one decimal place",
            )
        md_reset_at = (
            uk_datetime(items[3], "MD Reset Date & Time (J0044)", line_number, log)
            if items[3]
            else None
        )
        md_reset_count = number(items[4], "Number of MD Resets (J1013)", 3) if items[4] else None
        reading_flag = boolean(items[5], "Meter Reading Flag (J0045)") if items[5] else None
        time_of_day = items[1][8:]
        if time_of_day != "000000" and time_of_day != "235959":
            meter = self._meter
            if meter is not None and meter.reading_type != "S":
                self._quirk(_NOT_AT_MIDNIGHT, line_number)
        method = items[6]
        if method != "N" and method != "P":
            code(method, "Reading Method (J1888)", codes.READING_METHODS)
        header = self._header
        if header is not None and read_at > header.created_at:
            self._warn(
                line_number,
                "Reading Date & Time (J0016)",
                "the reading is dated after the file was created",
            )
        if not self._errors:
            self._reading = _OpenReading(
                line_number,
                register_id,
                read_at,
                Decimal(value_text),
                md_reset_at,
                md_reset_count,
                reading_flag,
                method,
            )

    def _on_032(self, fields: list[str], line_number: int) -> None:
        items = split_items(fields, 2, line_number, self._log)
        reason = code(items[0], "Meter Reading Reason Code (J0332)", codes.READING_REASON_CODES)
        status = boolean(
            mandatory(items[1], "Meter Reading Status (J0047)"), "Meter Reading Status (J0047)"
        )
        if self._reading is not None and not self._errors:
            self._reading.validation = ValidationResult(
                line_number=line_number, reason_code=reason, status=status
            )

    def _on_027(self, fields: list[str], line_number: int) -> None:
        self._site_visit(fields, line_number, under=self._meter_point)

    def _on_029(self, fields: list[str], line_number: int) -> None:
        self._site_visit(fields, line_number, under=self._meter)

    def _on_033(self, fields: list[str], line_number: int) -> None:
        self._site_visit(fields, line_number, under=self._reading)

    def _site_visit(self, fields: list[str], line_number: int, *, under: _Open | None) -> None:
        """027, 029 or 033: the same items at meter point, meter or register level, kept with
        the group they are under."""
        items = split_items(fields, 2, line_number, self._log)
        check_code = code(items[0], "Site Visit Check Code (J0024)", codes.SITE_VISIT_CHECK_CODES)
        information = char(items[1], "Additional Information (J0012)", 200)
        if self._errors or under is None:
            return
        under.site_visits.append(
            SiteVisit(
                line_number=line_number,
                group=fields[0],
                check_code=check_code,
                additional_information=information,
            )
        )
