"""Reads that several pages need: a meter point's or a meter's latest readings, chart series.

Every function here costs a fixed number of queries whatever the data, and uses the indexes
that match it (``reading_meter_read_at_idx`` for a meter's readings).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from readings.dtc.identifiers import mpan_search_key, serial_search_key
from readings.models import Meter, MeterPoint, Reading

LATEST_READINGS = 50  # readings shown on a meter point's or a meter's page
CHART_POINTS = 2000  # newest readings drawn on a meter point's chart
SERIAL_MAX_LENGTH = Meter._meta.get_field("serial_key").max_length or 10
_UNICODE_SPACE = re.compile(r"\s")  # in str patterns: also no-break, thin, ideographic...
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestReadings:
    """The newest readings of a meter point or a meter, and how many there are in all."""

    readings: tuple[Reading, ...]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.readings)


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One line of a chart: a meter's register, its readings oldest first."""

    serial_number: str
    register_id: str
    points: tuple[tuple[datetime, Decimal], ...]

    @property
    def label(self) -> str:
        return f"{self.serial_number} register {self.register_id}"


def _newest_first(readings: QuerySet[Reading]) -> QuerySet[Reading]:
    return readings.select_related("meter__meter_point", "flow_file").order_by("-read_at", "-id")


def readings_of_meter_point(meter_point: MeterPoint) -> QuerySet[Reading]:
    """Every reading of the meter point's meters, newest first."""
    return _newest_first(Reading.objects.filter(meter__meter_point=meter_point))


def readings_of_meter(meter: Meter) -> QuerySet[Reading]:
    """Every reading of the meter, newest first."""
    return _newest_first(Reading.objects.filter(meter=meter))


def latest_readings(readings: QuerySet[Reading], limit: int = LATEST_READINGS) -> LatestReadings:
    """The first ``limit`` of ``readings`` and their total: two queries."""
    shown = tuple(readings[:limit])
    total = len(shown) if len(shown) < limit else readings.order_by().count()
    return LatestReadings(readings=shown, total=total)


def chart_series(meter_point: MeterPoint, limit: int = CHART_POINTS) -> tuple[Series, ...]:
    """The meter point's newest ``limit`` readings as one series per meter and register,
    each oldest first; series ordered by serial and register. One query."""
    rows = (
        Reading.objects.filter(meter__meter_point=meter_point)
        .order_by("-read_at", "-id")
        .values_list("meter__serial_number", "register_id", "read_at", "value")[:limit]
    )
    grouped: dict[tuple[str, str], list[tuple[datetime, Decimal]]] = defaultdict(list)
    for serial_number, register_id, read_at, value in rows:
        grouped[(serial_number, register_id)].append((read_at, value))
    return tuple(
        Series(serial_number=serial, register_id=register, points=tuple(reversed(points)))
        for (serial, register), points in sorted(grouped.items())
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchKey:
    """What a search box's text means: an MPAN core, a serial's search key, or nothing."""

    mpan: str | None = None
    serial_key: str | None = None


def search_key(text: str) -> SearchKey | None:
    """Read what support staff paste: ``12 0002 3305 967`` is an MPAN, ``f75a 00802`` the
    serial ``F75A 00802`` (spaces and case ignored), quotes around either are dropped.
    None for empty text; a key that matches nothing for text that can be neither."""
    # Text copied from a spreadsheet, an email or a web page brings non-breaking and other
    # Unicode spaces, and sometimes zero-width ones: they are spaces, or nothing, here.
    text = _INVISIBLE.sub("", _UNICODE_SPACE.sub(" ", text))
    text = text.strip().strip("\"'").strip()
    if not text:
        return None
    if not text.isprintable():
        return SearchKey()
    digits = mpan_search_key(text)
    if len(digits) == 13 and digits.isascii() and digits.isdigit():
        return SearchKey(mpan=digits)
    key = serial_search_key(text)
    if 0 < len(key) <= SERIAL_MAX_LENGTH:
        return SearchKey(serial_key=key)
    return SearchKey()


def search_readings(readings: QuerySet[Reading], text: str) -> QuerySet[Reading]:
    """``readings`` of the MPAN or meter serial in ``text`` (exact, index-backed)."""
    key = search_key(text)
    if key is None:
        return readings
    if key.mpan is not None:
        return readings.filter(meter__meter_point__mpan=key.mpan)
    if key.serial_key is not None:
        return readings.filter(meter__serial_key=key.serial_key)
    return readings.none()


def search_meters(meters: QuerySet[Meter], text: str) -> QuerySet[Meter]:
    """``meters`` with the serial in ``text``, or at the MPAN in it."""
    key = search_key(text)
    if key is None:
        return meters
    if key.mpan is not None:
        return meters.filter(meter_point__mpan=key.mpan)
    if key.serial_key is not None:
        return meters.filter(serial_key=key.serial_key)
    return meters.none()


def search_meter_points(points: QuerySet[MeterPoint], text: str) -> QuerySet[MeterPoint]:
    """``points`` with the MPAN in ``text``, or with a meter of the serial in it."""
    key = search_key(text)
    if key is None:
        return points
    if key.mpan is not None:
        return points.filter(mpan=key.mpan)
    if key.serial_key is not None:
        return points.filter(
            pk__in=Meter.objects.filter(serial_key=key.serial_key).values("meter_point_id")
        )
    return points.none()
