"""Readings: the list support staff search, filter and export; 028 groups and site visits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, Format
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export

from readings import queries
from readings.exports import (
    SPREADSHEET_MAX_READINGS,
    ReadingExportForm,
    ReadingResource,
    SpreadsheetXLSX,
    csv_chunks,
    spreadsheet,
)
from readings.models import FileMeter, Reading, SiteVisit

from .badges import advance_in_words, anomaly_badge, status_badge
from .base import (
    FlowFileColumn,
    ImportedDataAdmin,
    SearchedByMpanOrSerial,
    SortableByOnlyChangeList,
    change_link,
)
from .empty import explain_empty
from .export_scope import describe_scope, export_file_stem
from .filters import (
    AnomalyFilter,
    FlowFileFilter,
    MeterFilter,
    MeterPointFilter,
    ReadAtRangeFilter,
    ReadDateFilter,
    StatusFilter,
)
from .paginators import CappedCountPaginator

EXPORT_PERMISSION = "readings.export_reading"


@admin.register(Reading)
class ReadingAdmin(FlowFileColumn, ExportMixin[Reading], SearchedByMpanOrSerial[Reading]):  # type: ignore[misc]  # the import-export stubs type `model` and `change_list_template` unlike django-stubs (their own ExportActionModelAdmin ignores the same)
    """The reading list: exact MPAN or serial search, cheap filters, CSV export."""

    search_fields = ("meter__serial_key",)  # shows the search box
    # Few, dense columns, to fit a laptop's screen (1280 px) beside the admin's sidebar; the
    # reading's own page has every item, with the codes' full labels.
    list_display: tuple[str, ...] = (
        "read_at",
        "mpan",
        "serial",
        "register_id",
        "value",
        "type_word",
        "status_column",
        "flow_file_link",
    )
    list_display_links = ("read_at",)
    list_select_related = ("meter__meter_point", "flow_file")
    list_filter = (
        ReadDateFilter,
        ReadAtRangeFilter,
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
        "status",
        "advance",
        "advance_per_day",
        "anomaly",
        "is_latest",
        "site_visits",
    )
    readonly_fields = fields

    def __init__(self, model: type[Reading], admin_site: admin.AdminSite) -> None:
        # Set before django-import-export's __init__ takes it as the base of its own template
        # (the stubs declare it an instance variable there).
        self.change_list_template = "admin/readings/reading/change_list.html"
        super().__init__(model, admin_site)

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

    @admin.display(description="serial")
    def serial(self, obj: Reading) -> SafeString:
        return change_link(obj.meter, obj.meter.serial_number)

    # Codes in words (``C customer``): readable without a tooltip, on touch screens too.
    @admin.display(description="type")
    def type_word(self, obj: Reading) -> str:
        return obj.type_in_words

    @admin.display(description="status")
    def status_column(self, obj: Reading) -> SafeString:
        """The status, the anomaly if there is one, and the advance since the register's
        previous counting reading with its rate per day, in one column (columns of their own,
        mostly empty, would not fit a laptop's screen)."""
        badges = format_html("{} {}", status_badge(obj.status), anomaly_badge(obj.anomaly))
        if obj.advance is None:
            return badges
        return format_html(
            '{}<span class="advance">{}</span>',
            badges,
            advance_in_words(obj.advance, obj.advance_per_day),
        )

    # -- the list ---------------------------------------------------------------------------
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list; when it is empty, why (``explain_empty``), and no Export of nothing."""
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        changelist = context.get("cl") if isinstance(context, dict) else None
        empty = isinstance(changelist, ChangeList) and changelist.result_count == 0
        if isinstance(context, dict) and isinstance(changelist, ChangeList) and empty:
            context["has_export_permission"] = False
            context["empty_explanation"] = explain_empty(request, changelist)
        return response

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
        return [CSV, SpreadsheetXLSX]

    def get_export_filename(  # type: ignore[override]  # the stubs' ExportMixin ignores the same: the admin's signature differs from its base mixin's
        self, request: HttpRequest, queryset: QuerySet[Reading], file_format: Format
    ) -> str:
        """``readings-1400077200517-2024.csv``: what was searched and filtered, in the name."""
        return f"{export_file_stem(request.GET)}.{file_format.get_extension()}"

    def init_request_context_data(self, request: HttpRequest, form: Form) -> dict[str, Any]:
        """The export page, saying how many readings the file will hold and which search and
        filters of the list they come from."""
        context: dict[str, Any] = super().init_request_context_data(request, form)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return context
        if not isinstance(changelist, SortableByOnlyChangeList):
            return context
        context["export_count"] = changelist.count_in_words
        context["export_scope"] = describe_scope(changelist)
        return context

    def _do_file_export(
        self,
        file_format: Format,
        request: HttpRequest,
        queryset: QuerySet[Reading],
        export_form: Form | None = None,
    ) -> HttpResponseBase:
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
        file_name = self.get_export_filename(request, queryset, file_format)
        if isinstance(file_format, SpreadsheetXLSX):
            return self._spreadsheet(request, queryset, selected, file_name)
        encoding = self.to_encoding or "utf-8"
        pieces = csv_chunks(ReadingResource(), queryset, selected or None)
        response = StreamingHttpResponse(
            (piece.encode(encoding) for piece in pieces),
            content_type=file_format.get_content_type(),
        )
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        post_export.send(sender=None, model=self.model)
        return response

    def _spreadsheet(
        self,
        request: HttpRequest,
        queryset: QuerySet[Reading],
        selected: list[str] | None,
        file_name: str,
    ) -> HttpResponse:
        """The XLSX file, made in memory: refused, with a message, past
        ``SPREADSHEET_MAX_READINGS`` (a bounded count says so)."""
        if queryset.order_by()[: SPREADSHEET_MAX_READINGS + 1].count() > SPREADSHEET_MAX_READINGS:
            messages.error(
                request,
                f"A spreadsheet holds at most {SPREADSHEET_MAX_READINGS:,} readings: narrow the "
                "search or filters, or export CSV, which has no limit.",
            )
            return HttpResponseRedirect(request.get_full_path())
        response = HttpResponse(
            spreadsheet(queryset, selected), content_type=SpreadsheetXLSX().get_content_type()
        )
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
