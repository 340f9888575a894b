"""Meter points and meters: their pages show their latest readings and a chart."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from readings import queries
from readings.models import Meter, MeterPoint, Reading
from readings.wording import counted_up_to

from .base import FlowFileColumn, ReadOnlyInline, SearchedByMpanOrSerial, change_link
from .charts import consumption_charts
from .filters import MeterFilter, MeterPointFilter, readings_url, site_visits_url
from .paginators import COUNT_CAP, CappedCountPaginator

_M = TypeVar("_M", bound=Model)


def _may_see_readings(request: HttpRequest) -> bool:
    """Readings on a meter point's or meter's page are for those who may view readings."""
    return request.user.has_perm("readings.view_reading")


class LatestReadingsFormSet(BaseInlineFormSet[Reading, Meter, ModelForm[Reading]]):
    """The meter's newest readings only: an inline of every reading would not scale."""

    _latest: QuerySet[Reading]

    def get_queryset(self) -> QuerySet[Reading]:
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[: queries.LATEST_READINGS]
        return self._latest


class ReadingInline(FlowFileColumn, ReadOnlyInline[Reading, Meter]):
    """A meter's readings, read-only and newest first, bounded; the page links to the rest."""

    model = Reading
    formset = LatestReadingsFormSet
    verbose_name_plural = f"readings (newest {queries.LATEST_READINGS} first)"
    fields = (
        "reading",
        "register_id",
        "value",
        "reading_type",
        "bsc_validation_status",
        "reading_flag",
        "reading_method",
        "validation_reason_code",
        "flow_file_link",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reading]:
        return (
            super()
            .get_queryset(request)
            .select_related("flow_file", "meter__meter_point")
            .order_by("-read_at", "-id")
        )

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_see_readings(request)

    @admin.display(description="read at")
    def reading(self, obj: Reading) -> SafeString:
        return change_link(obj, date_format(localtime(obj.read_at), "DATETIME_FORMAT"))


class MeterInline(ReadOnlyInline[Meter, MeterPoint]):
    model = Meter
    fields = ("serial", "serial_key", "readings")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meter]:
        return super().get_queryset(request).select_related("meter_point").order_by("serial_key")

    @admin.display(description="serial number")
    def serial(self, obj: Meter) -> SafeString:
        return change_link(obj, obj.serial_number)

    @admin.display(description="readings")
    def readings(self, obj: Meter) -> SafeString:
        return format_html(
            '<a href="{}">readings of this meter</a>', readings_url(MeterFilter, obj.pk)
        )


class _ReadingsOnPage(SearchedByMpanOrSerial[_M]):
    """A page that shows its object's readings, to those who may view readings; a list
    searched by MPAN or meter serial."""

    def readings_context(self, obj: _M) -> dict[str, object]:
        """What the page's template shows of ``obj``'s readings."""
        raise NotImplementedError

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: _M | None = None,
    ) -> HttpResponse:
        if obj is not None and _may_see_readings(request):
            context = {**context, **self.readings_context(obj)}
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(MeterPoint)
class MeterPointAdmin(_ReadingsOnPage[MeterPoint]):
    search_fields = ("mpan",)  # shows the search box
    list_display = ("mpan",)
    ordering = ("mpan",)
    sortable_by = ("mpan",)
    paginator = CappedCountPaginator
    inlines = (MeterInline,)
    fields = ("mpan",)

    def readings_context(self, obj: MeterPoint) -> dict[str, object]:
        readings = queries.readings_of_meter_point(obj)
        return {
            "summary": queries.meter_point_summary(obj.mpan),
            "latest": queries.latest_readings(readings),
            "all_readings_url": readings_url(MeterPointFilter, obj.pk),
            "chart": consumption_charts(queries.consumption_series(readings)),
            "timeline": queries.meter_point_timeline(obj),
            "timeline_limit": queries.TIMELINE_ENTRIES,
            "all_site_visits_url": site_visits_url(obj.mpan),
        }


@admin.register(Meter)
class MeterAdmin(_ReadingsOnPage[Meter]):
    search_fields = ("serial_key",)  # shows the search box
    list_display = ("serial_number", "meter_point_link", "serial_key")
    list_select_related = ("meter_point",)
    ordering = ("serial_key", "id")
    sortable_by = ()
    paginator = CappedCountPaginator
    fields = ("serial_number", "serial_key", "meter_point_link")
    readonly_fields = fields
    inlines = (ReadingInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meter]:
        return super().get_queryset(request).select_related("meter_point")

    @admin.display(description="MPAN")
    def meter_point_link(self, obj: Meter) -> SafeString:
        return change_link(obj.meter_point, obj.meter_point.mpan)

    def readings_context(self, obj: Meter) -> dict[str, object]:
        return {
            "all_readings_text": _all_readings_text(
                # Counted up to the lists' cap: a long history is not counted to its end.
                queries.readings_of_meter(obj).order_by()[: COUNT_CAP + 1].count()
            ),
            "chart": consumption_charts(queries.consumption_series(queries.readings_of_meter(obj))),
            "all_readings_url": readings_url(MeterFilter, obj.pk),
        }


def _all_readings_text(count: int) -> str:
    """The meter page's link to its readings in the reading list, from a count capped at
    ``COUNT_CAP`` (``count`` past it means "more")."""
    if count > queries.LATEST_READINGS:
        if count > COUNT_CAP:
            return f"See all readings ({counted_up_to(count, COUNT_CAP, 'reading')})"
        return f"See all {count:,} readings"
    if count == 1:
        return "Open this reading in the reading list"
    return f"Open these {count} readings in the reading list"
