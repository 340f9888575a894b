"""List filters that stay cheap on large tables: no full-table aggregates, no long lists."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from readings.localtime import as_uk, end_of_day, format_date, midnight, parse_date
from readings.meaning_choices import Anomaly, ReadingStatus
from readings.models import FlowFile, Meter, MeterPoint

from .base import primary_key

if TYPE_CHECKING:  # a TypedDict of django-stubs only
    from django.contrib.admin.filters import _ListFilterChoices

RECENT_FILES = 10
_READ_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def _period(value: str) -> tuple[date, date, str] | None:
    """``2016``, ``2016-02`` or ``2016-02-22`` → (first day, day after the last, depth)."""
    match = _READ_DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None  # noqa: S101 (the pattern requires it)
    try:
        if month is None:
            return date(year, 1, 1), date(year + 1, 1, 1), "year"
        if day is None:
            start = date(year, month, 1)
            return start, start + timedelta(days=calendar.monthrange(year, month)[1]), "month"
        start = date(year, month, day)
        return start, start + timedelta(days=1), "day"
    except (ValueError, OverflowError):
        return None


def years_with_readings() -> list[int]:
    """The years that hold readings, newest first, from each flow file's first and last
    reading (one query over the files, none over the readings)."""
    spans = FlowFile.objects.filter(first_read_at__isnull=False, last_read_at__isnull=False)
    years: set[int] = set()
    for first, last in spans.values_list("first_read_at", "last_read_at").distinct():
        assert first is not None  # noqa: S101 (filtered above)
        assert last is not None  # noqa: S101
        years.update(range(as_uk(first).year, as_uk(last).year + 1))
    return sorted(years, reverse=True)


class ReadDateFilter(admin.SimpleListFilter):
    """Drill down by year, then month, then day of the reading (UK dates).

    Unlike ``date_hierarchy`` this never runs an aggregate over the readings: the years are
    those the flow files' spans of readings cover (``years_with_readings``), the months and
    days come from the calendar.
    """

    title = "read date"
    parameter_name = "read_date"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        choices = [(str(year), str(year)) for year in years_with_readings()]
        return choices + list(self._drill_down())

    def _drill_down(self) -> Iterator[tuple[str, str]]:
        period = _period(self.value() or "")
        if period is None:
            return
        start, _, depth = period
        if depth == "year":
            for month in range(1, 13):
                yield f"{start:%Y}-{month:02d}", f"{calendar.month_name[month]} {start:%Y}"
        else:
            month_start = start.replace(day=1)
            yield f"{month_start:%Y-%m}", f"{calendar.month_name[start.month]} {start:%Y}"
            for day in range(1, calendar.monthrange(start.year, start.month)[1] + 1):
                yield f"{start:%Y-%m}-{day:02d}", format_date(start.replace(day=day))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        period = _period(value)
        if period is None:
            return queryset.none()
        start, end, _ = period
        return queryset.filter(read_at__gte=midnight(start), read_at__lt=midnight(end))


def describe_period(value: str) -> str | None:
    """The drill-down's ``2026``, ``2026-02`` or ``2026-02-03`` in words: ``2026``,
    ``February 2026``, ``03/02/2026``; None for anything else."""
    period = _period(value)
    if period is None:
        return None
    start, _, depth = period
    if depth == "year":
        return str(start.year)
    if depth == "month":
        return f"{calendar.month_name[start.month]} {start.year}"
    return format_date(start)


@dataclass(frozen=True, slots=True, kw_only=True)
class DateRange:
    """Days from ``first`` to ``last``, both included (either may be open)."""

    first: date | None
    last: date | None

    def describe(self) -> str:
        if self.first and self.last:
            if self.first == self.last:
                return f"on {format_date(self.first)}"
            return f"from {format_date(self.first)} to {format_date(self.last)}"
        if self.first:
            return f"from {format_date(self.first)}"
        if self.last:
            return f"up to {format_date(self.last)}"
        return "at any time"


def _today() -> date:
    return as_uk(timezone.now()).date()


def range_presets(today: date) -> tuple[tuple[str, DateRange], ...]:
    """The read-at range filter's ready-made ranges, relative to ``today`` (UK date)."""
    return (
        ("last 30 days", DateRange(first=today - timedelta(days=29), last=today)),
        ("this year", DateRange(first=date(today.year, 1, 1), last=date(today.year, 12, 31))),
        (
            "last year",
            DateRange(first=date(today.year - 1, 1, 1), last=date(today.year - 1, 12, 31)),
        ),
    )


class ReadAtRangeFilter(admin.ListFilter):
    """Readings read from one day to another (UK dates, both included), typed as
    ``06/12/2024`` or chosen from presets. A date that is not one, or a range that ends before
    it starts, lists nothing and says why in a message."""

    title = "read at range"
    template = "admin/readings/read_at_range_filter.html"
    from_parameter = "read_from"
    to_parameter = "read_to"

    def __init__(
        self,
        request: HttpRequest,
        params: dict[str, str],
        model: type[Model],
        model_admin: admin.ModelAdmin[Any],
    ) -> None:
        super().__init__(request, params, model, model_admin)
        self.typed: dict[str, str] = {}
        for name in (self.from_parameter, self.to_parameter):
            if name in params:
                # A list of the values given (django-stubs types it as one string).
                given: object = params.pop(name)
                value = str(given[-1] if isinstance(given, list) else given)
                self.used_parameters[name] = value
                self.typed[name] = value.strip()
        self.range: DateRange | None = None
        self.error: str | None = None
        self.form_hidden: list[tuple[str, str]] = []
        self.clear_url = ""
        if any(self.typed.values()):
            self.range, self.error = self._read()
        if self.error:
            messages.error(request, self.error)

    def _read(self) -> tuple[DateRange | None, str | None]:
        days: dict[str, date | None] = {}
        for name, label in ((self.from_parameter, "from"), (self.to_parameter, "to")):
            text = self.typed.get(name, "")
            days[name] = parse_date(text) if text else None
            if text and days[name] is None:
                return None, (
                    f"Read at {label} '{text}' is not a date: write it as 06/12/2024. "
                    "No readings are listed until it is."
                )
        first, last = days[self.from_parameter], days[self.to_parameter]
        if first and last and first > last:
            return None, (
                f"The read at range starts ({format_date(first)}) after it ends "
                f"({format_date(last)}): no reading can be in it."
            )
        return DateRange(first=first, last=last), None

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return [self.from_parameter, self.to_parameter]

    @property
    def description(self) -> str:
        """What the filter chose, in words (the export page names it)."""
        return self.range.describe() if self.range else "not valid"

    @property
    def typed_from(self) -> str:
        return self.typed.get(self.from_parameter, "")

    @property
    def typed_to(self) -> str:
        return self.typed.get(self.to_parameter, "")

    def other_parameters(self, changelist: ChangeList) -> list[tuple[str, str]]:
        """The list's other parameters, which the filter's form sends again unchanged."""
        return [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.from_parameter, self.to_parameter)
        ]

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        """The presets; the template adds the form for a range of one's own, which sends the
        list's other parameters again (kept here as the template sees no change list)."""
        self.form_hidden = self.other_parameters(changelist)
        self.clear_url = self.clear_query_string(changelist)
        for label, preset in range_presets(_today()):
            values = {
                self.from_parameter: format_date(preset.first) if preset.first else "",
                self.to_parameter: format_date(preset.last) if preset.last else "",
            }
            yield {
                "display": label,
                "query_string": changelist.get_query_string(values),
                "selected": self.range == preset,
            }

    def clear_query_string(self, changelist: ChangeList) -> str:
        return changelist.get_query_string(remove=[self.from_parameter, self.to_parameter])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.error:
            return queryset.none()
        if self.range is None:
            return queryset
        if self.range.first:
            queryset = queryset.filter(read_at__gte=midnight(self.range.first))
        end = end_of_day(self.range.last) if self.range.last else None
        if end is not None:
            queryset = queryset.filter(read_at__lt=end)
        return queryset


class _ByIdFilter(admin.SimpleListFilter):
    """A filter on one related row chosen by id; a malformed id matches nothing."""

    parameter_name: str  # set by each filter: what a page's link to the readings sets
    filter_on: str  # the lookup the chosen id is matched against

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        chosen = primary_key(self.value())
        if chosen is None:
            return queryset.none()
        return queryset.filter(**{self.filter_on: chosen})


class FlowFileFilter(_ByIdFilter):
    """The file a reading came in: the chosen file and the most recent imports, never the
    whole list (a file's page links here with its id)."""

    title = "flow file"
    parameter_name = "flow_file__id__exact"
    filter_on = "flow_file_id"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        recent = list(FlowFile.objects.order_by("-imported_at", "-id")[:RECENT_FILES])
        chosen = primary_key(self.value())
        if chosen is not None and all(flow_file.pk != chosen for flow_file in recent):
            recent = [*FlowFile.objects.filter(pk=chosen), *recent]
        return [(str(flow_file.pk), str(flow_file)) for flow_file in recent]


class _LinkedOnlyFilter(_ByIdFilter):
    """Shown only when a page links here: its one choice is the row the link chose."""

    def chosen_rows(self, chosen: int) -> QuerySet[Model]:
        """The row with the primary key ``chosen``, if there is one, to show its name."""
        raise NotImplementedError

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        chosen = primary_key(self.value())
        if chosen is None:
            return []
        return [(str(chosen), str(row)) for row in self.chosen_rows(chosen)]


class MeterPointFilter(_LinkedOnlyFilter):
    """The readings of one meter point: shown only when a meter point's page links here."""

    title = "meter point"
    # Not a lookup path: Django refuses filters two relations deep unless list_filter names them.
    parameter_name = "meter_point"
    filter_on = "meter__meter_point_id"

    def chosen_rows(self, chosen: int) -> QuerySet[Model]:
        return MeterPoint.objects.filter(pk=chosen)


class MeterFilter(_LinkedOnlyFilter):
    """The readings of one meter: shown only when a meter's page links here."""

    title = "meter"
    parameter_name = "meter__id__exact"
    filter_on = "meter_id"

    def chosen_rows(self, chosen: int) -> QuerySet[Model]:
        return Meter.objects.filter(pk=chosen).select_related("meter_point")


def readings_url(by: type[_ByIdFilter], chosen: int) -> str:
    """The reading list with the filter ``by`` set to ``chosen``: where a flow file's, a meter
    point's or a meter's page links for all its readings."""
    query = urlencode({by.parameter_name: chosen})
    return f"{reverse('admin:readings_reading_changelist')}?{query}"


class _MeaningFilter(admin.SimpleListFilter):
    """A reading's status or anomaly, from its choices (no query for the list of them).

    The rare values (not live, an anomaly) also carry the condition of their partial index
    (``reading_not_live_idx``, ``reading_anomaly_idx``), so that the database reads that small
    index rather than walk the whole table by date."""

    field: str  # the reading's field
    common: str  # its common value, left out of the partial index
    choices_of: type[models.TextChoices]

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [(value or self.common_parameter, label) for value, label in self.choices_of.choices]

    @property
    def common_parameter(self) -> str:
        return self.common or "none"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        if value == self.common_parameter:
            return queryset.filter(**{self.field: self.common})
        if value not in self.choices_of.values:
            return queryset.none()
        return queryset.filter(**{self.field: value}).exclude(**{self.field: self.common})


class StatusFilter(_MeaningFilter):
    title = "status"
    parameter_name = "status"
    field = "status"
    common = ReadingStatus.LIVE.value
    choices_of = ReadingStatus


class AnomalyFilter(_MeaningFilter):
    title = "anomaly"
    parameter_name = "anomaly"
    field = "anomaly"
    common = Anomaly.NONE.value
    choices_of = Anomaly


def site_visits_url(mpan: str) -> str:
    """The site visits' list searched by ``mpan``: where a meter point's timeline links."""
    return f"{reverse('admin:readings_sitevisit_changelist')}?{urlencode({'q': mpan})}"
