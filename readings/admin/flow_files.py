"""Flow files: their header, trailer and counts, deletion (superusers) and the web upload."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from readings.models import AttemptSource, FlowFile
from readings.services.deleting import delete_flow_file, describe_deletion
from readings.services.importing import (
    FlowFileAlreadyImported,
    ImportNotDone,
    ImportResult,
    NotOperationalData,
    Outcome,
    import_flow_file,
    record_too_large,
)
from readings.wording import counted, printable, uploaded_name

from .attempts import attempt_table
from .base import ImportedDataAdmin, change_link, primary_key
from .downloads import download, download_link, with_download
from .filters import FlowFileFilter, readings_url

IMPORT_PERMISSION = "readings.import_flowfile"
ERRORS_SHOWN = 10  # per rejected file, in its message
WARNINGS_SHOWN = 5


if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


@admin.register(FlowFile)
class FlowFileAdmin(ImportedDataAdmin[FlowFile]):
    list_display = (
        "file_name",
        "sender_participant_id",
        "file_identifier",
        "file_created_at",
        "imported_at",
        "readings_link",
        "meter_point_count",
        "warning_count",
    )
    ordering = ("-imported_at", "-id")
    sortable_by = ("imported_at", "file_created_at")
    search_fields = ("file_name", "=file_identifier", "=sender_participant_id")
    search_help_text = "Search by file name (any part), file identifier or sender (exact)."
    actions = None
    fieldsets = (
        (
            "File",
            {"fields": ("file_name", "size_bytes", "sha256", "imported_at", "readings_link")},
        ),
        ("Import attempts", {"fields": ("attempt_list",)}),
        (
            "Header (ZHV)",
            {
                "fields": (
                    "file_identifier",
                    ("flow_reference", "flow_version"),
                    ("sender_role", "sender_participant_id"),
                    ("recipient_role", "recipient_participant_id"),
                    "file_created_at",
                    ("sending_application_id", "receiving_application_id"),
                    "broadcast",
                    "test_data_flag",
                )
            },
        ),
        (
            "Trailer (ZPT)",
            {"fields": ("total_group_count", "flow_count", "checksum", "file_completed_at")},
        ),
        (
            "What the import found",
            {
                "fields": (
                    "meter_point_count",
                    "meter_count",
                    "reading_count",
                    "site_visit_count",
                    "warning_list",
                )
            },
        ),
    )
    readonly_fields = ("readings_link", "warning_list", "attempt_list", "download_link")

    def get_fieldsets(self, request: HttpRequest, obj: FlowFile | None = None) -> _FieldsetSpec:
        return with_download(super().get_fieldsets(request, obj), request, at=1)

    @admin.display(description="attempts")
    def attempt_list(self, obj: FlowFile) -> SafeString | str:
        return attempt_table(obj)

    @admin.display(description="the file's bytes")
    def download_link(self, obj: FlowFile) -> SafeString | str:
        return download_link("admin:readings_flowfile_download", obj.pk, obj.sha256)

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        flow_file = get_object_or_404(FlowFile, pk=primary_key(object_id) or 0)
        back = reverse("admin:readings_flowfile_change", args=[flow_file.pk])
        return download(request, sha256=flow_file.sha256, file_name=flow_file.file_name, back=back)

    @admin.display(description="readings")
    def readings_link(self, obj: FlowFile) -> SafeString:
        return format_html(
            '<a class="flow-file-readings" href="{}">{}</a>',
            readings_url(FlowFileFilter, obj.pk),
            counted(obj.reading_count, "reading"),
        )

    @admin.display(description="warnings")
    def warning_count(self, obj: FlowFile) -> int:
        return len(obj.warnings)

    @admin.display(description="warnings")
    def warning_list(self, obj: FlowFile) -> SafeString | str:
        issues = obj.warning_issues()
        if not issues:
            return "none"
        return format_html(
            '<ul class="flow-file-warnings">{}</ul>',
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        f"line {w.line_number}: {w.field or ''} {w.reason}"
                        if w.line_number is not None
                        else w.reason,
                    )
                    for w in issues
                ),
            ),
        )

    # -- deletion: superusers only, always through the service ----------------------------
    def has_delete_permission(self, request: HttpRequest, obj: FlowFile | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def delete_model(self, request: HttpRequest, obj: FlowFile) -> None:
        delete_flow_file(flow_file=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FlowFile]) -> None:
        for flow_file in queryset:
            delete_flow_file(flow_file=flow_file)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A confirmation that says what will go (``describe_deletion``), then the service."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        pk = primary_key(object_id)
        flow_file = FlowFile.objects.filter(pk=pk).first() if pk is not None else None
        if flow_file is None:
            messages.warning(request, f"There is no flow file with ID '{object_id}'.")
            return HttpResponseRedirect(reverse("admin:readings_flowfile_changelist"))
        if request.method == "POST":
            name = str(flow_file)
            self.log_deletions(request, FlowFile.objects.filter(pk=flow_file.pk))
            summary = delete_flow_file(flow_file=flow_file)
            messages.success(
                request,
                f"Deleted {name}: {counted(summary.readings, 'reading')}, "
                f"{counted(summary.site_visits, 'site visit')}, "
                f"{counted(summary.meters, 'meter')} and "
                f"{counted(summary.meter_points, 'meter point')} that no other file mentions.",
            )
            return HttpResponseRedirect(reverse("admin:readings_flowfile_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Delete this flow file?",
            "opts": self.opts,
            "object": flow_file,
            "summary": describe_deletion(flow_file=flow_file),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/readings/flowfile/delete_confirmation.html", context
        )

    # -- upload -----------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="readings_flowfile_upload",
        )
        download_view = path(
            "<path:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="readings_flowfile_download",
        )
        return [upload, download_view, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": request.user.has_perm(IMPORT_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Import each uploaded file with the import service; one message per file."""
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        limit: int = settings.D0010_UPLOAD_MAX_BYTES
        if request.method == "POST":
            uploads = request.FILES.getlist("files")
            if not uploads:
                messages.error(request, "Choose one or more D0010 files to upload.")
            allow_test_data = request.POST.get("allow_test_data") == "on"
            for upload in uploads:
                _import_upload(request, upload, limit=limit, allow_test_data=allow_test_data)
            return HttpResponseRedirect(reverse("admin:readings_flowfile_upload"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload D0010 files",
            "opts": self.opts,
            "max_size": filesizeformat(limit),
            "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/readings/flowfile/upload.html", context)


def _import_upload(
    request: HttpRequest, upload: UploadedFile, *, limit: int, allow_test_data: bool
) -> None:
    name = uploaded_name(upload.name)
    shown = printable(name)  # in messages: on one line, whatever the browser sent
    size = upload.size or 0
    if size > limit:
        text = (
            f"{shown}: not imported: it is {filesizeformat(size)}, larger than the "
            f"{filesizeformat(limit)} an upload may be (import it with the import_d0010 "
            "command instead)."
        )
        attempt_id = record_too_large(
            name, size=size, summary=text, via=AttemptSource.UPLOAD, user=request.user
        )
        messages.error(request, format_html("{} {}", text, _attempt_link_of(attempt_id)))
        return
    try:
        result = import_flow_file(
            cast(BinaryIO, cast(IO[bytes], upload.file)),  # a seekable binary file
            file_name=name,
            allow_test_data=allow_test_data,
            via=AttemptSource.UPLOAD,
            user=request.user,
        )
    except ImportNotDone as error:
        rejected = error.outcome is Outcome.REJECTED
        messages.add_message(
            request, messages.ERROR if rejected else messages.WARNING, _not_done(shown, error)
        )
        return
    url = reverse("admin:readings_flowfile_change", args=[result.flow_file_id])
    link = format_html('<a href="{}">flow file #{}</a>', url, result.flow_file_id)
    messages.success(
        request,
        format_html(
            "{}: {} as {}: {}. {}",
            shown,
            result.outcome.value,
            link,
            result.contents,
            _attempt(result),
        ),
    )
    if result.warnings:
        summary = result.warning_summary(shown=WARNINGS_SHOWN, rest="more on the file's page")
        messages.warning(request, f"{shown}: {summary}.")


TEST_DATA_BOX = "the “Import test data too” box on this page"


def _not_done(shown: str, error: ImportNotDone) -> str:
    """A file that was not imported: what happened, then its issues as a list (the first
    ``ERRORS_SHOWN``), how many more there are, and where to see them all."""
    reasons = list(error.reasons)
    if isinstance(error, NotOperationalData):
        reasons = [error.reason(allowed_by=TEST_DATA_BOX)]
    if isinstance(error, FlowFileAlreadyImported) or len(reasons) == 1:
        text = format_html("{}: {}. {}", shown, _one_line(error, reasons[0]), _attempt(error))
        if error.existing is not None:
            text = format_html("{} Open {}.", text, change_link(error.existing, error.existing))
        return text
    left = len(reasons) - ERRORS_SHOWN
    more = f"and {left} more" if left > 0 else ""
    if error.truncated:
        more = f"{more} (the file has further errors)" if more else "the file has further errors"
    rest = _attempt_link(error, more) if more else format_html("<p>{}</p>", _attempt(error))
    return format_html(
        '{}: {}:<ul class="upload-issues">{}</ul>{}',
        shown,
        error.headline,
        format_html_join("", "<li>{}</li>", ((reason,) for reason in reasons[:ERRORS_SHOWN])),
        rest,
    )


def _one_line(error: ImportNotDone, reason: str) -> str:
    if isinstance(error, FlowFileAlreadyImported):
        return error.summary(shown=1)
    return f"{error.headline}: {reason}"


def _attempt_link(error: ImportNotDone, more: str) -> SafeString:
    """``and 3 more``, linked to the import attempt's page, which lists every issue (plain text
    where no attempt was recorded)."""
    if error.attempt_id is None:
        return format_html('<p class="upload-more">{}</p>', more)
    url = reverse("admin:readings_importattempt_change", args=[error.attempt_id])
    return format_html(
        '<p class="upload-more">{}: <a href="{}">every issue on attempt {}\'s page</a></p>',
        more,
        url,
        error.attempt_id,
    )


def _attempt(outcome: ImportResult | ImportNotDone) -> SafeString | str:
    """``See attempt 12.``, linked to the attempt's page."""
    return _attempt_link_of(outcome.attempt_id)


def _attempt_link_of(attempt_id: int | None) -> SafeString | str:
    if attempt_id is None:
        return ""
    url = reverse("admin:readings_importattempt_change", args=[attempt_id])
    return format_html('See <a href="{}">attempt {}</a>.', url, attempt_id)
