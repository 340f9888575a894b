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
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar

from django.db.models import Max, Min, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from readings.d0010 import codes
from readings.dtc.identifiers import (
    is_mpan_shaped,
    is_valid_mpan_core,
    mpan_search_key,
    serial_search_key,
)
from readings.localtime import as_uk
from readings.meaning_choices import ReadingStatus
from readings.models import Meter, MeterPoint, Reading, SiteVisit

_M = TypeVar("_M", bound=Model)

LATEST_READINGS = 50  # readings shown on a meter point's or a meter's page
COUNTED_UP_TO = 10_000  # as the lists: a page counts a long history only up to here
CHART_POINTS = 2000  # newest readings drawn on a meter point's chart
SERIAL_MAX_LENGTH = Meter._meta.get_field("serial_key").max_length or 10
_UNICODE_SPACE = re.compile(r"\s")  # in str patterns: also no-break, thin, ideographic...
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestReadings:
    """The newest readings of a meter point or a meter, and how many there are in all."""

    readings: tuple[Reading, ...]
    total: int  # counted up to ``count_cap`` and one more
    count_cap: int = COUNTED_UP_TO

    @property
    def more(self) -> bool:
        return self.total > len(self.readings)

    @property
    def total_in_words(self) -> str:
        """``1,234``, or ``more than 10,000`` past the cap."""
        if self.total > self.count_cap:
            return f"more than {self.count_cap:,}"
        return f"{self.total:,}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The consumption between two consecutive counting readings of a register."""

    start: datetime
    end: datetime
    advance: Decimal
    per_day: Decimal | None
    anomaly: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One register's consumption chart: its periods, oldest first."""

    serial_number: str
    register_id: str
    periods: tuple[Period, ...]

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


def readings_at_mpan(mpan: str) -> QuerySet[Reading] | None:
    """Every reading at the meter point with this MPAN core, newest first; None when no meter
    point has it."""
    if not MeterPoint.objects.filter(mpan=mpan).exists():
        return None
    return _newest_first(Reading.objects.filter(meter__meter_point__mpan=mpan))


def readings_of_serial(serial: str) -> QuerySet[Reading] | None:
    """Every reading of the meters with this serial as staff paste it (white space and case
    ignored: ``f75a 00802`` is ``F75A 00802``), at whatever meter point, newest first; None
    when no meter has it."""
    key = serial_search_key(serial)
    if not key or not Meter.objects.filter(serial_key=key).exists():
        return None
    return _newest_first(Reading.objects.filter(meter__serial_key=key))


def latest_readings(
    readings: QuerySet[Reading], limit: int = LATEST_READINGS, count_cap: int = COUNTED_UP_TO
) -> LatestReadings:
    """The first ``limit`` of ``readings`` and their total, counted up to ``count_cap`` (a
    long history is not counted to its end): two queries."""
    shown = tuple(readings[:limit])
    total = len(shown) if len(shown) < limit else readings.order_by()[: count_cap + 1].count()
    return LatestReadings(readings=shown, total=total, count_cap=count_cap)


def consumption_series(
    readings: QuerySet[Reading], limit: int = CHART_POINTS
) -> tuple[Series, ...]:
    """The consumption of each register among ``readings`` (a meter point's or a meter's):
    one period per advance of the newest ``limit`` counting (live) readings, each from the
    previous counting reading of its register; withdrawn, superseded, repeated readings and
    withdrawals are left out. Registers without an advance (maximum demand) have no series.
    Series by serial and register, periods oldest first. One query."""
    rows = (
        readings.filter(status=ReadingStatus.LIVE)
        .order_by("-read_at", "-id")
        .values_list(
            "meter__serial_number",
            "register_id",
            "read_at",
            "advance",
            "advance_per_day",
            "anomaly",
        )[:limit]
    )
    grouped: dict[tuple[str, str], list[tuple[datetime, Decimal | None, Decimal | None, str]]]
    grouped = defaultdict(list)
    for serial_number, register_id, read_at, advance, per_day, anomaly in rows:
        grouped[(serial_number, register_id)].append((read_at, advance, per_day, anomaly))
    series: list[Series] = []
    for (serial, register), newest_first in sorted(grouped.items()):
        chain = list(reversed(newest_first))
        periods = tuple(
            Period(start=before[0], end=read_at, advance=advance, per_day=per_day, anomaly=anomaly)
            for before, (read_at, advance, per_day, anomaly) in pairwise(chain)
            if advance is not None
        )
        if periods:
            series.append(Series(serial_number=serial, register_id=register, periods=periods))
    return tuple(series)


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
    if is_mpan_shaped(digits):
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
    found = _SEARCHED[rows.model._meta.concrete_model or rows.model]  # proxies too
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


# -- a meter point's summary -----------------------------------------------------------------
INSTALL_READING_TYPE = "I"  # J0171 Initial: the first reading of a meter put in
REMOVAL_READING_TYPE = "F"  # J0171 Final: the last reading of a meter taken out
# Not an actual read: deemed or estimated (D), and a withdrawal's instruction (W).
NOT_ACTUAL_READING_TYPES = ("D", "W")
_COUNTED = (ReadingStatus.LIVE, ReadingStatus.REPEAT)  # what the files say happened, once each


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterOfPoint:
    """One meter of a meter point, as the files show it: installed at its first ``I`` reading,
    removed at its last ``F`` reading when nothing was read after it."""

    meter_id: int
    serial_number: str
    installed_at: datetime | None
    removed_at: datetime | None
    last_read_at: datetime | None
    is_current: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterLatest:
    """The latest counting (live) reading of one register, with what is odd about it."""

    reading_id: int
    meter_id: int
    serial_number: str
    register_id: str
    read_at: datetime
    value: Decimal
    reading_type: str
    reading_type_label: str
    advance: Decimal | None
    anomaly: str
    anomaly_label: str
    suspect: bool  # reading flag F: no validated reading came after it

    @property
    def open_issue(self) -> bool:
        """Listed on the anomaly worklist: an anomaly, or suspect."""
        return bool(self.anomaly) or self.suspect


@dataclass(frozen=True, slots=True, kw_only=True)
class ActualRead:
    """The last actual (not deemed or estimated) counting reading, and days since it."""

    reading_id: int
    serial_number: str
    register_id: str
    read_at: datetime
    value: Decimal
    reading_type: str
    days_since: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteVisitNote:
    """A site visit (027, 029 or 033) with its check code and text, and the file it came in."""

    site_visit_id: int
    group: str
    check_code: str
    check_code_label: str
    text: str
    serial_number: str | None
    flow_file_id: int
    file_name: str
    file_created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterPointSummary:
    """What a meter point's page shows first (and the REST API serialises)."""

    meter_point_id: int
    mpan: str
    meters: tuple[MeterOfPoint, ...]
    registers: tuple[RegisterLatest, ...]
    last_actual_read: ActualRead | None
    last_site_visit: SiteVisitNote | None

    @property
    def current_meter(self) -> MeterOfPoint | None:
        return next((meter for meter in self.meters if meter.is_current), None)

    @property
    def open_anomalies(self) -> tuple[RegisterLatest, ...]:
        """Registers whose latest counting reading has an anomaly or is suspect."""
        return tuple(register for register in self.registers if register.open_issue)


def meter_point_summary(mpan: str, *, today: date | None = None) -> MeterPointSummary | None:
    """The summary of the meter point with this MPAN core, or None: five queries, each on the
    meter point's own rows (its meters' indexes), whatever the size of the tables. Days since
    the last actual read count to ``today`` (UK date; today's by default)."""
    point = MeterPoint.objects.filter(mpan=mpan).first()
    if point is None:
        return None
    meters = list(Meter.objects.filter(meter_point=point).order_by("serial_key", "id"))
    serials = {meter.pk: meter.serial_number for meter in meters}
    of_point = Reading.objects.filter(meter__meter_point=point)
    exchanges: dict[tuple[int, str], datetime] = {}
    for meter_id, reading_type, first, last in (
        of_point.filter(
            reading_type__in=(INSTALL_READING_TYPE, REMOVAL_READING_TYPE), status__in=_COUNTED
        )
        .values("meter_id", "reading_type")
        .annotate(first=Min("read_at"), last=Max("read_at"))
        .values_list("meter_id", "reading_type", "first", "last")
        .order_by()
    ):
        exchanges[(meter_id, reading_type)] = (
            first if reading_type == INSTALL_READING_TYPE else last
        )
    latest = [
        _register_latest(reading, serials[reading.meter_id])
        for reading in of_point.filter(is_latest=True, status=ReadingStatus.LIVE).order_by(
            "meter__serial_key", "meter_id", "register_id"
        )
    ]
    actual = (
        of_point.filter(status=ReadingStatus.LIVE)
        .exclude(reading_type__in=NOT_ACTUAL_READING_TYPES)
        .order_by("-read_at", "-id")
        .first()
    )
    visit = (
        SiteVisit.objects.filter(meter_point=point)
        .select_related("flow_file", "meter")
        .order_by("-flow_file_id", "-line_number")
        .first()
    )
    return MeterPointSummary(
        meter_point_id=point.pk,
        mpan=point.mpan,
        meters=_meters_of_point(meters, exchanges, latest),
        registers=tuple(latest),
        last_actual_read=None if actual is None else _actual_read(actual, serials, today),
        last_site_visit=None if visit is None else site_visit_note(visit),
    )


def _register_latest(reading: Reading, serial_number: str) -> RegisterLatest:
    return RegisterLatest(
        reading_id=reading.pk,
        meter_id=reading.meter_id,
        serial_number=serial_number,
        register_id=reading.register_id,
        read_at=reading.read_at,
        value=reading.value,
        reading_type=reading.reading_type,
        reading_type_label=codes.READING_TYPES.get(reading.reading_type, ""),
        advance=reading.advance,
        anomaly=reading.anomaly,
        anomaly_label=reading.get_anomaly_display() if reading.anomaly else "",
        suspect=reading.reading_flag is False,
    )


def _meters_of_point(
    meters: list[Meter],
    exchanges: dict[tuple[int, str], datetime],
    latest: list[RegisterLatest],
) -> tuple[MeterOfPoint, ...]:
    """Each meter with its install and removal; the current one is the meter read last of
    those not removed (removed: its last ``F`` reading is its last reading)."""
    last_read: dict[int, datetime] = {}
    for register in latest:
        known = last_read.get(register.meter_id)
        last_read[register.meter_id] = max(known, register.read_at) if known else register.read_at
    removed: dict[int, datetime | None] = {}
    for meter in meters:
        final = exchanges.get((meter.pk, REMOVAL_READING_TYPE))
        last = last_read.get(meter.pk)
        removed[meter.pk] = final if final is not None and (last is None or final >= last) else None
    in_place = [m.pk for m in meters if removed[m.pk] is None and m.pk in last_read]
    current = max(in_place, key=lambda pk: (last_read[pk], pk)) if in_place else None
    return tuple(
        MeterOfPoint(
            meter_id=meter.pk,
            serial_number=meter.serial_number,
            installed_at=exchanges.get((meter.pk, INSTALL_READING_TYPE)),
            removed_at=removed[meter.pk],
            last_read_at=last_read.get(meter.pk),
            is_current=meter.pk == current,
        )
        for meter in meters
    )


def _actual_read(reading: Reading, serials: dict[int, str], today: date | None) -> ActualRead:
    day = today or as_uk(timezone.now()).date()
    return ActualRead(
        reading_id=reading.pk,
        serial_number=serials[reading.meter_id],
        register_id=reading.register_id,
        read_at=reading.read_at,
        value=reading.value,
        reading_type=reading.reading_type,
        days_since=(day - as_uk(reading.read_at).date()).days,
    )


def site_visit_note(visit: SiteVisit) -> SiteVisitNote:
    """``visit`` as pages show it (its ``flow_file`` and ``meter`` selected with it)."""
    return SiteVisitNote(
        site_visit_id=visit.pk,
        group=visit.group,
        check_code=visit.check_code,
        check_code_label=codes.SITE_VISIT_CHECK_CODES.get(visit.check_code, ""),
        text=visit.additional_information,
        serial_number=None if visit.meter is None else visit.meter.serial_number,
        flow_file_id=visit.flow_file_id,
        file_name=visit.flow_file.file_name,
        file_created_at=visit.flow_file.file_created_at,
    )


# -- the anomaly worklist ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Age:
    """How long ago a worklist reading was read: under ``days`` (None: the oldest, no bound)."""

    key: str
    label: str
    days: int | None


# In days, so that every bucket is the same length whatever the month: a month is 30 days.
AGES = (
    Age(key="week", label="under a week", days=7),
    Age(key="month", label="a week to a month", days=30),
    Age(key="quarter", label="1 to 3 months", days=91),
    Age(key="half-year", label="3 to 6 months", days=182),
    Age(key="older", label="over 6 months", days=None),
)


def age_of(read_at: datetime, now: datetime | None = None) -> Age:
    """The worklist bucket of a reading read at ``read_at``."""
    elapsed = (now or timezone.now()) - read_at
    return next(age for age in AGES if age.days is None or elapsed < timedelta(days=age.days))


def aged(readings: QuerySet[_M], key: str, now: datetime | None = None) -> QuerySet[_M]:
    """``readings`` read within the bucket ``key`` (none for an unknown key)."""
    moment = now or timezone.now()
    for index, age in enumerate(AGES):
        if age.key != key:
            continue
        newer = AGES[index - 1].days if index else None
        if newer is not None:
            readings = readings.filter(read_at__lte=moment - timedelta(days=newer))
        if age.days is not None:
            readings = readings.filter(read_at__gt=moment - timedelta(days=age.days))
        return readings
    return readings.none()


# -- a meter point's timeline ----------------------------------------------------------------
TIMELINE_ENTRIES = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One thing that happened at a meter point, as a file told it: a reading (an exchange's
    ``I`` or ``F`` among them) or a site visit, with the file it came in."""

    at: datetime
    kind: str  # "reading", "installed", "removed", "withdrawal" or "site visit"
    serial_number: str | None
    register_id: str
    value: Decimal | None
    status: str
    status_label: str
    advance: Decimal | None
    anomaly: str
    text: str
    flow_file_id: int
    file_name: str
    reading_id: int | None
    site_visit_id: int | None

    @property
    def counts(self) -> bool:
        return self.status == ReadingStatus.LIVE


_KIND_OF_TYPE = {
    INSTALL_READING_TYPE: "installed",
    REMOVAL_READING_TYPE: "removed",
    "W": "withdrawal",
}


def meter_point_timeline(
    meter_point: MeterPoint, limit: int = TIMELINE_ENTRIES
) -> tuple[TimelineEntry, ...]:
    """The newest ``limit`` readings and site visits of the meter point, newest first: two
    queries. A site visit is dated by its reading (033), else by the first reading after it
    in its file (the readings of its 026 or 028 group), else by the file's creation."""
    readings = [_reading_entry(r) for r in readings_of_meter_point(meter_point)[:limit]]
    next_read = Reading.objects.filter(
        flow_file_id=OuterRef("flow_file_id"), line_number__gt=OuterRef("line_number")
    ).order_by("line_number")
    visits = (
        SiteVisit.objects.filter(meter_point=meter_point)
        .select_related("flow_file", "meter")
        .annotate(
            at=Coalesce(
                "reading__read_at",
                Subquery(next_read.values("read_at")[:1]),
                "flow_file__file_created_at",
            )
        )
        .order_by("-at", "-flow_file_id", "-line_number")[:limit]
    )
    entries = readings + [_visit_entry(visit, visit.at) for visit in visits]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return tuple(entries[:limit])


def _reading_entry(reading: Reading) -> TimelineEntry:
    return TimelineEntry(
        at=reading.read_at,
        kind=_KIND_OF_TYPE.get(reading.reading_type, "reading"),
        serial_number=reading.meter.serial_number,
        register_id=reading.register_id,
        value=reading.value,
        status=reading.status,
        status_label=reading.get_status_display(),
        advance=reading.advance,
        anomaly=reading.anomaly,
        text=codes.READING_TYPES.get(reading.reading_type, ""),
        flow_file_id=reading.flow_file_id,
        file_name=reading.flow_file.file_name,
        reading_id=reading.pk,
        site_visit_id=None,
    )


def _visit_entry(visit: SiteVisit, at: datetime) -> TimelineEntry:
    note = site_visit_note(visit)
    label = f"{note.group} {note.check_code} {note.check_code_label}"
    return TimelineEntry(
        at=at,
        kind="site visit",
        serial_number=note.serial_number,
        register_id="",
        value=None,
        status="",
        status_label="",
        advance=None,
        anomaly="",
        text=f"{label}: {note.text}" if note.text else label,
        flow_file_id=note.flow_file_id,
        file_name=note.file_name,
        reading_id=None,
        site_visit_id=note.site_visit_id,
    )
