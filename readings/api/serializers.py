"""What the API sends and takes: each field declared once, here, for the views and the schema."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from readings.dtc import FlowIssue
from readings.localtime import format_iso
from readings.meaning_choices import ReadingStatus
from readings.models import (
    AttemptIssue,
    AttemptIssueData,
    AttemptOutcome,
    AttemptSource,
    FlowFile,
    ImportAttempt,
    Reading,
)
from readings.queries import (
    ActualRead,
    MeterOfPoint,
    MeterPointSummary,
    RegisterLatest,
    SiteVisitNote,
)

UK_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # 2024-03-31 or 31/03/2024


@extend_schema_field(OpenApiTypes.DATETIME)
class UKDateTimeField(serializers.Field):  # type: ignore[type-arg]  # read-only: no input type
    """A moment in ISO 8601, in UK local time with its offset: ``2024-04-03T00:00:00+01:00``."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(read_only=True, **kwargs)  # type: ignore[arg-type]  # the stubs type a field's kwargs narrower than DRF passes them

    def to_representation(self, value: datetime) -> str:
        return format_iso(value)


def issues(found: Iterable[FlowIssue]) -> list[AttemptIssueData]:
    """Problems of a file as the API gives them: ``{line, item, reason}``, as attempts keep them."""
    return [AttemptIssue.of(issue).as_data() for issue in found]


class IssueSerializer(serializers.Serializer[AttemptIssueData]):
    line = serializers.IntegerField(allow_null=True, help_text="None: the file as a whole.")
    item = serializers.CharField(allow_null=True, help_text="The item's name and J number.")
    reason = serializers.CharField()


class CountsSerializer(serializers.Serializer[FlowFile]):
    meter_points = serializers.IntegerField(source="meter_point_count")
    meters = serializers.IntegerField(source="meter_count")
    readings = serializers.IntegerField(source="reading_count")
    site_visits = serializers.IntegerField(source="site_visit_count")


class FlowFileSerializer(serializers.ModelSerializer[FlowFile]):
    """A flow file as it was imported: its header, counts and warnings."""

    name = serializers.CharField(source="file_name")
    sender = serializers.CharField(source="sender_participant_id", help_text="J0938")
    recipient = serializers.CharField(source="recipient_participant_id", help_text="J0939")
    file_created_at = UKDateTimeField(help_text="J0280")
    imported_at = UKDateTimeField()
    counts = CountsSerializer(source="*")
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = FlowFile
        fields: tuple[str, ...] = (
            "id",
            "name",
            "sha256",
            "size_bytes",
            "file_identifier",
            "flow_reference",
            "flow_version",
            "sender_role",
            "sender",
            "recipient_role",
            "recipient",
            "file_created_at",
            "imported_at",
            "test_data_flag",
            "counts",
            "warnings",
        )
        read_only_fields = fields

    @extend_schema_field(IssueSerializer(many=True))
    def get_warnings(self, obj: FlowFile) -> list[AttemptIssueData]:
        return issues(obj.warning_issues())


class FlowFileNamedSerializer(serializers.Serializer[FlowFile]):
    """A flow file by its id and name."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="file_name")


class UploadSerializer(serializers.Serializer[dict[str, object]]):
    file = serializers.FileField(
        allow_empty_file=True, help_text="One D0010 file (multipart/form-data)."
    )
    allow_test_data = serializers.BooleanField(
        default=False, help_text="Import a file whose header marks it as test data (TR01)."
    )

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        # ``file`` reads the last of the files sent under that name: more than one would leave
        # the others unread without a word.
        sent = self.initial_data.getlist("file") if hasattr(self.initial_data, "getlist") else []
        if len(sent) > 1:
            raise serializers.ValidationError(
                {"file": [f"Send one file per request: this one sent {len(sent)}."]}
            )
        return attrs


class UploadedSerializer(FlowFileSerializer):
    """The flow file an upload imported, with its import attempt."""

    attempt_id = serializers.SerializerMethodField()

    class Meta(FlowFileSerializer.Meta):
        fields = (*FlowFileSerializer.Meta.fields, "attempt_id")
        read_only_fields = fields

    def get_attempt_id(self, obj: FlowFile) -> int | None:
        attempt_id: int | None = self.context.get("attempt_id")
        return attempt_id


class NotImportedSerializer(serializers.Serializer[dict[str, object]]):
    """Why a file was not imported: in one sentence, and line by line."""

    detail = serializers.CharField()
    name = serializers.CharField(help_text="The file's name as it was sent.")
    # ``errors`` is a serializer's own attribute: the field is named in ``get_fields``.
    existing = FlowFileNamedSerializer(
        allow_null=True, help_text="The stored flow file that stands in the way (409)."
    )
    attempt_id = serializers.IntegerField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]  # the stubs make Field generic in four types DRF never fills in
        return {"errors": IssueSerializer(many=True), **super().get_fields()}


class DetailSerializer(serializers.Serializer[dict[str, object]]):
    detail = serializers.CharField()


class TooLargeSerializer(DetailSerializer):
    """413: the upload was refused unread; the attempt on record, when the caller is known."""

    attempt_id = serializers.IntegerField(allow_null=True, required=False)
    limit_bytes = serializers.IntegerField(required=False)


class ReadingSerializer(serializers.ModelSerializer[Reading]):
    """A register reading as its file gave it, with what it means among its register's."""

    mpan = serializers.CharField(source="meter.meter_point.mpan")
    serial = serializers.CharField(source="meter.serial_number", help_text="J0004")
    register = serializers.CharField(source="register_id", help_text="J0010")
    read_at = UKDateTimeField(help_text="J0016")
    value = serializers.DecimalField(max_digits=10, decimal_places=1, help_text="J0040")
    flag = serializers.BooleanField(
        source="reading_flag", allow_null=True, help_text="J0045: true valid, false suspect"
    )
    method = serializers.CharField(source="reading_method", help_text="J1888")
    advance = serializers.DecimalField(max_digits=11, decimal_places=1, allow_null=True)
    flow_file = FlowFileNamedSerializer()
    line = serializers.IntegerField(source="line_number")

    class Meta:
        model = Reading
        fields = (
            "id",
            "mpan",
            "serial",
            "register",
            "read_at",
            "value",
            "reading_type",
            "bsc_validation_status",
            "flag",
            "method",
            "status",
            "advance",
            "anomaly",
            "flow_file",
            "line",
        )
        read_only_fields = fields


class ReadingFilterSerializer(serializers.Serializer[dict[str, object]]):
    """The readings' filters, from the query string; dates are UK calendar days."""

    register = serializers.CharField(required=False, max_length=2)
    # ``from`` is a Python keyword: the field is named in ``get_fields``.
    to = serializers.DateField(
        required=False, input_formats=UK_DATE_FORMATS, help_text="Read on or before this UK day."
    )
    status = serializers.ChoiceField(choices=ReadingStatus.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]  # the stubs make Field generic in four types DRF never fills in
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, input_formats=UK_DATE_FORMATS, help_text="Read on or after this UK day."
        )
        return fields

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        first, last = attrs.get("from"), attrs.get("to")
        if isinstance(first, date) and isinstance(last, date) and first > last:
            said = f"The range starts ({first:%d/%m/%Y}) after it ends ({last:%d/%m/%Y})"
            raise serializers.ValidationError({"to": [f"{said}: no reading can be in it."]})
        return attrs


class FlowFileFilterSerializer(serializers.Serializer[dict[str, object]]):
    sender = serializers.CharField(required=False, max_length=4, help_text="J0938")
    created_since = serializers.DateTimeField(
        required=False,
        input_formats=["iso-8601", *UK_DATE_FORMATS],
        help_text="The header's creation time (J0280) at or after this (a UK day or a time).",
    )
    imported_since = serializers.DateTimeField(
        required=False,
        input_formats=["iso-8601", *UK_DATE_FORMATS],
        help_text="Imported at or after this (a UK day or a time).",
    )


class ImportAttemptFilterSerializer(serializers.Serializer[dict[str, object]]):
    outcome = serializers.ChoiceField(choices=AttemptOutcome.choices, required=False)
    # ``source`` is a field's own attribute: the field is named in ``get_fields``.
    q = serializers.CharField(
        required=False,
        max_length=300,
        help_text="The file name (any part, any case) or its SHA-256 (all 64 characters).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]  # the stubs make Field generic in four types DRF never fills in
        fields = super().get_fields()
        fields["source"] = serializers.ChoiceField(choices=AttemptSource.choices, required=False)
        return fields


class ImportAttemptSerializer(serializers.ModelSerializer[ImportAttempt]):
    """One try at importing a file: by whom and how, what came of it, and every issue."""

    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    started_at = UKDateTimeField()
    finished_at = UKDateTimeField(allow_null=True)
    counts = CountsSerializer(source="*")
    issues = serializers.SerializerMethodField()
    flow_file = FlowFileNamedSerializer(allow_null=True)

    class Meta:
        model = ImportAttempt
        fields = (
            "id",
            "source",
            "user",
            "os_user",
            "host",
            "started_at",
            "finished_at",
            "file_name",
            "size",
            "sha256",
            "dry_run",
            "outcome",
            "refusal",
            "summary",
            "counts",
            "issues",
            "issues_truncated",
            "retries",
            "flow_file",
        )
        read_only_fields = fields

    @extend_schema_field(IssueSerializer(many=True))
    def get_issues(self, obj: ImportAttempt) -> list[AttemptIssueData]:
        return [issue.as_data() for issue in obj.issue_list()]


class MeterOfPointSerializer(serializers.Serializer[MeterOfPoint]):
    meter_id = serializers.IntegerField()
    serial = serializers.CharField(source="serial_number")
    installed_at = UKDateTimeField(allow_null=True, help_text="Its first install (I) reading.")
    removed_at = UKDateTimeField(allow_null=True, help_text="Its last removal (F) reading.")
    last_read_at = UKDateTimeField(allow_null=True)
    is_current = serializers.BooleanField()


class RegisterLatestSerializer(serializers.Serializer[RegisterLatest]):
    reading_id = serializers.IntegerField()
    serial = serializers.CharField(source="serial_number")
    register = serializers.CharField(source="register_id")
    read_at = UKDateTimeField()
    value = serializers.DecimalField(max_digits=10, decimal_places=1)
    reading_type = serializers.CharField()
    advance = serializers.DecimalField(max_digits=11, decimal_places=1, allow_null=True)
    anomaly = serializers.CharField(allow_blank=True)
    suspect = serializers.BooleanField(help_text="Flagged suspect (J0045 F).")


class ActualReadSerializer(serializers.Serializer[ActualRead]):
    reading_id = serializers.IntegerField()
    serial = serializers.CharField(source="serial_number")
    register = serializers.CharField(source="register_id")
    read_at = UKDateTimeField()
    value = serializers.DecimalField(max_digits=10, decimal_places=1)
    reading_type = serializers.CharField()
    days_since = serializers.IntegerField()


class SiteVisitSerializer(serializers.Serializer[SiteVisitNote]):
    group = serializers.CharField()
    check_code = serializers.CharField()
    check_code_label = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    serial = serializers.CharField(source="serial_number", allow_null=True)
    flow_file_id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_created_at = UKDateTimeField()


class MeterPointSummarySerializer(serializers.Serializer[MeterPointSummary]):
    """A meter point's summary (``readings.queries.meter_point_summary``)."""

    mpan = serializers.CharField()
    meters = MeterOfPointSerializer(many=True)
    current_meter = MeterOfPointSerializer(allow_null=True)
    registers = RegisterLatestSerializer(
        many=True, help_text="The latest counting reading of each register."
    )
    last_actual_read = ActualReadSerializer(allow_null=True)
    open_anomalies = RegisterLatestSerializer(
        many=True, help_text="Registers whose latest counting reading is odd or suspect."
    )
    last_site_visit = SiteVisitSerializer(allow_null=True)
