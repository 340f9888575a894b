"""Import attempts: every try at importing a file, whatever came of it, and its issues."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from readings.localtime import format_minute
from readings.models import FlowFile, ImportAttempt

from .base import ImportedDataAdmin, change_link, primary_key
from .downloads import download, download_link, with_download

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


@admin.register(ImportAttempt)
class ImportAttemptAdmin(ImportedDataAdmin[ImportAttempt]):
    fieldsets = (
        (
            "Attempt",
            {
                "fields": (
                    ("source", "who"),
                    ("os_user", "host"),
                    ("started_at", "finished_at"),
                    "dry_run",
                    ("outcome", "refusal"),
                    "summary",
                    "retries",
                    "flow_file_link",
                )
            },
        ),
        ("File", {"fields": ("file_name", "size", "sha256")}),
        (
            "What it held",
            {
                "fields": (
                    ("meter_point_count", "meter_count", "reading_count", "site_visit_count"),
                )
            },
        ),
        ("Issues", {"fields": ("issue_table",)}),
    )
    list_display = (
        "__str__",
        "started_at",
        "source",
        "who",
        "outcome",
        "refusal",
        "reading_count",
        "flow_file_link",
    )
    list_display_links = ("__str__",)
    list_filter = ("outcome", "source", ("started_at", admin.DateFieldListFilter))
    ordering = ("-started_at", "-id")
    sortable_by = ("started_at",)
    search_fields = ("file_name", "=sha256")
    search_help_text = "Search by file name (any part) or SHA-256 (all 64 characters)."
    actions = None
    readonly_fields = ("who", "flow_file_link", "issue_table", "download_link")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportAttempt]:
        return super().get_queryset(request).select_related("user", "flow_file")

    def get_fieldsets(
        self, request: HttpRequest, obj: ImportAttempt | None = None
    ) -> _FieldsetSpec:
        return with_download(super().get_fieldsets(request, obj), request, at=4)

    @admin.display(description="who")
    def who(self, obj: ImportAttempt) -> str:
        if obj.user is not None:
            return obj.user.get_username()
        return f"{obj.os_user or '?'}@{obj.host or '?'}"

    @admin.display(description="flow file")
    def flow_file_link(self, obj: ImportAttempt) -> SafeString | str:
        return change_link(obj.flow_file, f"#{obj.flow_file.pk}") if obj.flow_file else "—"

    @admin.display(description="issues")
    def issue_table(self, obj: ImportAttempt) -> SafeString | str:
        issues = obj.issue_list()
        if not issues:
            return "none"
        more = (
            format_html('<p class="attempt-issues-more">{}</p>', "The file had further errors.")
            if obj.issues_truncated
            else ""
        )
        return format_html(
            '<table class="attempt-issues"><thead><tr><th>line</th><th>item</th>'
            "<th>reason</th></tr></thead><tbody>{}</tbody></table>{}",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (("" if i.line is None else i.line, i.item or "", i.reason) for i in issues),
            ),
            more,
        )

    @admin.display(description="the file's bytes")
    def download_link(self, obj: ImportAttempt) -> SafeString | str:
        return download_link("admin:readings_importattempt_download", obj.pk, obj.sha256)

    def get_urls(self) -> list[URLPattern]:
        view = path(
            "<path:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="readings_importattempt_download",
        )
        return [view, *super().get_urls()]

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        attempt = get_object_or_404(ImportAttempt, pk=primary_key(object_id) or 0)
        back = reverse("admin:readings_importattempt_change", args=[attempt.pk])
        return download(request, sha256=attempt.sha256, file_name=attempt.file_name, back=back)


def attempt_table(flow_file: FlowFile) -> SafeString | str:
    """The attempts that made or matched ``flow_file``, latest first, each linked."""
    attempts = flow_file.attempts.order_by("-started_at", "-id").select_related("user")
    rows = [
        (
            change_link(a, f"attempt {a.pk}"),
            format_minute(a.started_at),
            a.get_source_display(),
            a.get_outcome_display(),
        )
        for a in attempts
    ]
    if not rows:
        return "none on record"
    return format_html(
        '<table class="flow-file-attempts"><thead><tr><th>attempt</th><th>started</th>'
        "<th>source</th><th>outcome</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )
