"""Meter points and meters: their pages show their latest readings and a chart."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from readings import queries
from readings.models import Meter, MeterPoint

from .base import ImportedDataAdmin, TabularInline, change_link
from .charts import readings_chart
from .paginators import CappedCountPaginator
from .readings import SEARCH_HELP


def _readings_url(**filters: int) -> str:
    return f"{reverse('admin:readings_reading_changelist')}?{urlencode(filters)}"


def _may_see_readings(request: HttpRequest) -> bool:
    """Readings on a meter point's or meter's page are for those who may view readings."""
    return request.user.has_perm("readings.view_reading")


def _object_id(object_id: str) -> int | None:
    valid = object_id.isascii() and object_id.isdigit() and len(object_id) <= 18
    return int(object_id) if valid else None


class MeterInline(TabularInline[Meter, MeterPoint]):
    model = Meter
    fields = ("serial", "serial_key", "readings")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    # ``obj`` is the meter point here, a meter in the base class: ``Model`` accepts both.
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meter]:
        return super().get_queryset(request).select_related("meter_point").order_by("serial_key")

    @admin.display(description="serial number")
    def serial(self, obj: Meter) -> SafeString:
        return change_link(obj, obj.serial_number)

    @admin.display(description="readings")
    def readings(self, obj: Meter) -> SafeString:
        return format_html(
            '<a href="{}">readings of this meter</a>', _readings_url(meter__id__exact=obj.pk)
        )


@admin.register(MeterPoint)
class MeterPointAdmin(ImportedDataAdmin[MeterPoint]):
    search_fields = ("mpan",)  # shows the search box; see get_search_results
    search_help_text = SEARCH_HELP
    list_display = ("mpan",)
    ordering = ("mpan",)
    sortable_by = ("mpan",)
    paginator = CappedCountPaginator
    inlines = (MeterInline,)
    fields = ("mpan",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[MeterPoint], search_term: str
    ) -> tuple[QuerySet[MeterPoint], bool]:
        return queries.search_meter_points(queryset, search_term), False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        pk = _object_id(object_id)
        point = MeterPoint.objects.filter(pk=pk).first() if pk is not None else None
        if point is not None and _may_see_readings(request):
            extra_context = {
                **(extra_context or {}),
                "latest": queries.latest_readings(queries.readings_of_meter_point(point)),
                "all_readings_url": _readings_url(meter__meter_point__id__exact=point.pk),
                "chart": readings_chart(queries.chart_series(point)),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Meter)
class MeterAdmin(ImportedDataAdmin[Meter]):
    search_fields = ("serial_key",)  # shows the search box; see get_search_results
    search_help_text = SEARCH_HELP
    list_display = ("serial_number", "meter_point_link", "serial_key")
    list_select_related = ("meter_point",)
    ordering = ("serial_key", "id")
    sortable_by = ()
    paginator = CappedCountPaginator
    fields = ("serial_number", "serial_key", "meter_point_link")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meter]:
        return super().get_queryset(request).select_related("meter_point")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Meter], search_term: str
    ) -> tuple[QuerySet[Meter], bool]:
        return queries.search_meters(queryset, search_term), False

    @admin.display(description="MPAN")
    def meter_point_link(self, obj: Meter) -> SafeString:
        return change_link(obj.meter_point, obj.meter_point.mpan)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        pk = _object_id(object_id)
        meter = Meter.objects.filter(pk=pk).first() if pk is not None else None
        if meter is not None and _may_see_readings(request):
            extra_context = {
                **(extra_context or {}),
                "latest": queries.latest_readings(queries.readings_of_meter(meter)),
                "all_readings_url": _readings_url(meter__id__exact=meter.pk),
            }
        return super().change_view(request, object_id, form_url, extra_context)
