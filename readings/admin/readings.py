"""Readings: the list support staff search, filter and export; 028 groups and site visits."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, Format
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export

from readings import queries
from readings.d0010 import codes
from readings.exports import ReadingExportForm, ReadingResource, csv_chunks
from readings.models import FileMeter, Reading, SiteVisit

from .base import (
    FlowFileColumn,
    ImportedDataAdmin,
    SearchedByMpanOrSerial,
    boolean_icon,
    change_link,
)
from .filters import (
    AnomalyFilter,
    FlowFileFilter,
    MeterFilter,
    MeterPointFilter,
    ReadDateFilter,
    StatusFilter,
)
from .paginators import CappedCountPaginator

EXPORT_PERMISSION = "readings.export_reading"


@admin.register(Reading)
class ReadingAdmin(FlowFileColumn, ExportMixin[Reading], SearchedByMpanOrSerial[Reading]):  # type: ignore[misc]  # the import-export stubs type `model` and `change_list_template` unlike django-stubs (their own ExportActionModelAdmin ignores the same)
    """The reading list: exact MPAN or serial search, cheap filters, CSV export."""

    search_fields = ("meter__serial_key",)  # shows the search box
    list_display = (
        "read_at",
        "mpan",
        "serial",
        "register_id",
        "value",
        "type_code",
        "status_code",
        "flag_icon",
        "validation_icon",
        "method_code",
        "flow_file_link",
    )
    list_display_links = ("read_at",)
    list_select_related = ("meter__meter_point", "flow_file")
    list_filter = (
        ReadDateFilter,
        "reading_type",
        "bsc_validation_status",
        "reading_flag",
        "validation_status",
        "reading_method",
        StatusFilter,
        AnomalyFilter,
        FlowFileFilter,
        MeterPointFilter,
        MeterFilter,
    )
    ordering = ("-read_at", "-id")
    sortable_by = ("read_at",)
    # As many as a meter point's page shows. Rendering, not the database, is most of a list
    # page's time, and Django's admin spends about 1 ms of Python per row of 11 columns.
    list_per_page = queries.LATEST_READINGS
    paginator = CappedCountPaginator
    actions = None
    resource_classes = (ReadingResource,)
    export_form_class = ReadingExportForm
    fields = (
        "mpan",
        "serial",
        "register_id",
        "read_at",
        "value",
        "reading_flag",
        "reading_method",
        "reading_type",
        "bsc_validation_status",
        "validation_reason_code",
        "validation_status",
        "md_reset_at",
        "md_reset_count",
        "flow_file_link",
        "line_number",
        "site_visits",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reading]:
        return super().get_queryset(request).select_related("meter__meter_point", "flow_file")

    def get_ordering(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        """Newest reading first; the readings of one flow file in the file's own line order.

        By date, the database finds an older file's readings by walking the date index past
        every later reading (300 ms with 400,000 readings on PostgreSQL, growing with the
        table). In line order it reads them straight from the unique (file, line) index, and
        staff see them as the file lists them. A click on "read at" still sorts by date.
        """
        if request.GET.get(FlowFileFilter.parameter_name):
            return ("flow_file_id", "line_number")
        return self.ordering

    @admin.display(description="MPAN")
    def mpan(self, obj: Reading) -> SafeString:
        return change_link(obj.meter.meter_point, obj.meter.meter_point.mpan)

    @admin.display(description="meter serial")
    def serial(self, obj: Reading) -> SafeString:
        return change_link(obj.meter, obj.meter.serial_number)

    # Codes, with their meaning on hover: the labels would make every row several lines high.
    @admin.display(description="type")
    def type_code(self, obj: Reading) -> SafeString:
        return _code(obj.reading_type, codes.READING_TYPES)

    @admin.display(description="BSC status")
    def status_code(self, obj: Reading) -> SafeString:
        return _code(obj.bsc_validation_status, codes.BSC_VALIDATION_STATUSES)

    @admin.display(description="method")
    def method_code(self, obj: Reading) -> SafeString:
        return _code(obj.reading_method, codes.READING_METHODS)

    # The two flags as Django shows a BooleanField, with each icon made once, not per row.
    @admin.display(description=Reading._meta.get_field("reading_flag").verbose_name)
    def flag_icon(self, obj: Reading) -> SafeString:
        return boolean_icon(obj.reading_flag)

    @admin.display(description=Reading._meta.get_field("validation_status").verbose_name)
    def validation_icon(self, obj: Reading) -> SafeString:
        return boolean_icon(obj.validation_status)

    @admin.display(description="site visits")
    def site_visits(self, obj: Reading) -> SafeString:
        visits = SiteVisit.objects.filter(reading=obj).order_by("line_number")
        return format_html_join(
            "",
            "<div>{} {}: {}</div>",
            ((v.check_code, v.get_check_code_display(), v.additional_information) for v in visits),
        )

    # -- export ---------------------------------------------------------------------------
    def has_export_permission(self, request: HttpRequest) -> bool:
        """Only with the explicit permission, and only for those who may view readings
        (superusers have every permission)."""
        return request.user.has_perm(EXPORT_PERMISSION) and self.has_view_permission(request)

    @property
    def export_formats(self) -> list[type[Format]]:
        return [CSV]

    def _do_file_export(
        self,
        file_format: Format,
        request: HttpRequest,
        queryset: QuerySet[Reading],
        export_form: Form | None = None,
    ) -> StreamingHttpResponse:
        """The CSV of the listed readings, streamed: rows are written (``csv_chunks``) as they
        are read, so memory stays flat however many readings are exported.

        Overrides django-import-export's ``ExportMixin._do_file_export`` (4.4), which builds
        the whole file through a tablib ``Dataset`` in one ``HttpResponse``; the headers and
        the ``post_export`` signal are the same.
        """
        if not self.has_export_permission(request):
            raise PermissionDenied
        selected = (
            export_form.get_selected_resource_export_fields()
            if isinstance(export_form, SelectableFieldsExportForm)
            else None
        )
        encoding = self.to_encoding or "utf-8"
        pieces = csv_chunks(ReadingResource(), queryset, selected or None)
        response = StreamingHttpResponse(
            (piece.encode(encoding) for piece in pieces),
            content_type=file_format.get_content_type(),
        )
        file_name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        post_export.send(sender=None, model=self.model)
        return response

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Reading]:
        """The reading list's queryset, as searched and filtered; nothing for filters that the
        list itself would refuse (it shows an error then), with a message saying so."""
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            messages.error(request, "The filters in the address are not valid: nothing to export.")
            return Reading.objects.none()


@admin.register(FileMeter)
class FileMeterAdmin(ImportedDataAdmin[FileMeter]):
    list_display = ("__str__", "meter", "reading_type", "bsc_validation_status", "flow_file")
    list_select_related = ("meter__meter_point", "flow_file")
    list_filter = (FlowFileFilter, "reading_type", "bsc_validation_status")
    ordering = ("-flow_file_id", "-line_number")  # newest first, straight from the unique index
    sortable_by = ()
    paginator = CappedCountPaginator

    def get_queryset(self, request: HttpRequest) -> QuerySet[FileMeter]:
        return super().get_queryset(request).select_related("meter__meter_point", "flow_file")


@admin.register(SiteVisit)
class SiteVisitAdmin(FlowFileColumn, SearchedByMpanOrSerial[SiteVisit]):
    list_display = (
        "__str__",
        "meter_point_link",
        "meter",
        "check_code",
        "additional_information",
        "flow_file_link",
    )
    list_select_related = ("meter_point", "meter__meter_point", "flow_file")
    list_filter = (FlowFileFilter, "group", "check_code")
    ordering = ("-flow_file_id", "-line_number")  # newest first, straight from the unique index
    sortable_by = ()
    paginator = CappedCountPaginator
    search_fields = ("meter_point__mpan",)  # shows the search box
    search_help_text = "Search by MPAN (13 digits, spaces allowed). Matches are exact."

    def get_queryset(self, request: HttpRequest) -> QuerySet[SiteVisit]:
        return (
            super()
            .get_queryset(request)
            .select_related("meter_point", "meter__meter_point", "flow_file", "reading")
        )

    @admin.display(description="MPAN")
    def meter_point_link(self, obj: SiteVisit) -> SafeString:
        return change_link(obj.meter_point, obj.meter_point.mpan)


def _code(code: str, labels: Mapping[str, str]) -> SafeString:
    return format_html('<abbr title="{}">{}</abbr>', labels.get(code, ""), code)
