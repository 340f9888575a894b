"""Reads that several pages need: searches, a meter point's or a meter's latest readings,
chart series.

Every function here costs a fixed number of queries whatever the data, and uses the indexes
that match it (``reading_meter_order_idx`` for a meter's readings, newest first).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from readings.dtc.identifiers import is_valid_mpan_core, mpan_search_key, serial_search_key
from readings.models import Meter, MeterPoint, Reading, SiteVisit

_M = TypeVar("_M", bound=Model)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Found:
    """How a searched model's rows are found by an MPAN core and by a meter serial's key."""

    by_mpan: Callable[[str], Q]
    by_serial_key: Callable[[str], Q] | None = None  # None: the rows have no meter to match


def _equal(lookup: str) -> Callable[[str], Q]:
    return lambda value: Q(**{lookup: value})


_SEARCHED: dict[type[Model], _Found] = {
    Reading: _Found(
        by_mpan=_equal("meter__meter_point__mpan"), by_serial_key=_equal("meter__serial_key")
    ),
    Meter: _Found(by_mpan=_equal("meter_point__mpan"), by_serial_key=_equal("serial_key")),
    # A meter point has a meter of the serial: a subquery, as a join would repeat the point
    # for each of its meters whose serials share a key.
    MeterPoint: _Found(
        by_mpan=_equal("mpan"),
        by_serial_key=lambda key: Q(
            pk__in=Meter.objects.filter(serial_key=key).values("meter_point_id")
        ),
    ),
    SiteVisit: _Found(by_mpan=_equal("meter_point__mpan")),
}


def search(rows: QuerySet[_M], text: str) -> QuerySet[_M]:
    """``rows`` of the MPAN or the meter serial in ``text``, matched exactly (index-backed):
    readings and meters at the MPAN or of the serial, meter points with the MPAN or with a
    meter of the serial, site visits at the MPAN. All of ``rows`` for empty text, none for
    text that is neither."""
    key = search_key(text)
    if key is None:
        return rows
    found = _SEARCHED[rows.model]
    if key.mpan is not None:
        return rows.filter(found.by_mpan(key.mpan))
    if key.serial_key is not None and found.by_serial_key is not None:
        return rows.filter(found.by_serial_key(key.serial_key))
    return rows.none()


# -- what an empty search can suggest ---------------------------------------------------------
SUGGESTIONS = 5  # MPANs or serials offered when a search finds nothing


def mpan_corrections(mpan: str, limit: int = SUGGESTIONS) -> tuple[str, ...]:
    """The MPANs held that are one typing slip from ``mpan``: one digit changed, or two
    neighbouring digits swapped, with a right check digit. One query on the MPAN index, of at
    most about 130 candidates less those the check digit rules out."""
    candidates: set[str] = set()
    for position, typed in enumerate(mpan):
        for digit in "0123456789":
            if digit != typed:
                candidates.add(f"{mpan[:position]}{digit}{mpan[position + 1 :]}")
    for position in range(len(mpan) - 1):
        if mpan[position] != mpan[position + 1]:
            swapped = mpan[position + 1] + mpan[position]
            candidates.add(f"{mpan[:position]}{swapped}{mpan[position + 2 :]}")
    valid = sorted(c for c in candidates if is_valid_mpan_core(c))
    held = MeterPoint.objects.filter(mpan__in=valid).order_by("mpan")
    return tuple(held.values_list("mpan", flat=True)[:limit])


def serials_starting_with(key: str, limit: int = SUGGESTIONS) -> tuple[Meter, ...]:
    """Meters whose serial's search key starts with ``key`` (a serial search key), first
    ``limit`` by key: a range on the key's index (a LIKE would not use it on either database)."""
    if not key:
        return ()
    after = key[:-1] + chr(ord(key[-1]) + 1)
    meters = Meter.objects.filter(serial_key__gte=key, serial_key__lt=after)
    return tuple(meters.select_related("meter_point").order_by("serial_key", "id")[:limit])


def newest(readings: QuerySet[Reading]) -> Reading | None:
    """The newest of ``readings`` (by the lists' order, so from an index where one serves)."""
    return readings.select_related("meter").order_by("-read_at", "-id").first()
