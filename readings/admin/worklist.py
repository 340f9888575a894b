"""The anomaly worklist: registers whose latest counting reading has an anomaly or is suspect,
aged, filterable by sender, exportable as the reading list is (same columns)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from readings import queries
from readings.models import FlowFile, Reading, WorklistEntry

from .filters import AnomalyFilter
from .readings import ReadingAdmin


class AgeFilter(admin.SimpleListFilter):
    """How long ago the register was last read (by the reading on the list)."""

    title = "age"
    parameter_name = "age"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [(age.key, age.label) for age in queries.AGES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queries.aged(queryset, value) if value else queryset


class SenderFilter(admin.SimpleListFilter):
    """The participant that sent the file the reading came in (J0938)."""

    title = "sender"
    parameter_name = "sender"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        senders = (
            FlowFile.objects.order_by("sender_participant_id")
            .values_list("sender_participant_id", flat=True)
            .distinct()
        )
        return [(sender, sender) for sender in senders]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(flow_file__sender_participant_id=value.upper())


@admin.register(WorklistEntry)
class WorklistAdmin(ReadingAdmin):
    """One row per register to look at: its latest counting reading, newest first (the
    proxy's manager holds the worklist's condition)."""

    list_display = (
        "read_at",
        "age",
        "mpan",
        "serial",
        "register_id",
        "value",
        "advance",
        "advance_per_day",
        "why",
        "sender",
        "flow_file_link",
    )

    def get_list_filter(self, request: HttpRequest) -> tuple[type[admin.ListFilter], ...]:
        return (AgeFilter, SenderFilter, AnomalyFilter)

    # Those who may see readings may see the worklist (a proxy has permissions of its own).
    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("readings.view_reading")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description="age")
    def age(self, obj: Reading) -> str:
        return queries.age_of(obj.read_at).label

    @admin.display(description="why")
    def why(self, obj: Reading) -> SafeString:
        reasons = [obj.get_anomaly_display()] if obj.anomaly else []
        if obj.reading_flag is False:
            reasons.append("suspect (flag F), no validated reading since")
        return format_html_join("", "<div>{}</div>", ((reason,) for reason in reasons))

    @admin.display(description="sender")
    def sender(self, obj: Reading) -> str:
        return obj.flow_file.sender_participant_id
