"""List filters that stay cheap on large tables: no full-table aggregates, no long lists."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from readings.localtime import as_uk, midnight
from readings.meaning_choices import Anomaly, ReadingStatus
from readings.models import FlowFile, Meter, MeterPoint, Reading

from .base import primary_key

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


class ReadDateFilter(admin.SimpleListFilter):
    """Drill down by year, then month, then day of the reading (UK dates).

    Unlike ``date_hierarchy`` this never runs an aggregate over the table: the years come from
    the first and last readings (two index lookups), the months and days from the calendar.
    """

    title = "read date"
    parameter_name = "read_date"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        first = Reading.objects.order_by("read_at", "id").values_list("read_at", flat=True)[:1]
        last = Reading.objects.order_by("-read_at", "-id").values_list("read_at", flat=True)[:1]
        if not first or not last:
            return []
        first_year = as_uk(first[0]).year
        last_year = as_uk(last[0]).year
        choices = [(str(year), str(year)) for year in range(last_year, first_year - 1, -1)]
        return choices + list(self._drill_down())

    def _drill_down(self) -> Iterator[tuple[str, str]]:
        period = _period(self.value() or "")
        if period is None:
            return
        start, _, depth = period
        if depth == "year":
            for month in range(1, 13):
                yield f"{start:%Y}-{month:02d}", f"{calendar.month_abbr[month]} {start:%Y}"
        else:
            month_start = start.replace(day=1)
            yield f"{month_start:%Y-%m}", f"{month_start:%b %Y}"
            for day in range(1, calendar.monthrange(start.year, start.month)[1] + 1):
                yield f"{start:%Y-%m}-{day:02d}", f"{day} {start:%b %Y}"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        period = _period(value)
        if period is None:
            return queryset.none()
        start, end, _ = period
        return queryset.filter(read_at__gte=midnight(start), read_at__lt=midnight(end))


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
