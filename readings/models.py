"""What D0010 files told us: flow files, meter points, meters, readings and site visits.

Every item of every group in a file is stored. Readings, site visits and 028 meter groups
belong to the flow file they came in (deleted with it); meter points and meters are shared by
every file that mentions them. The same reading sent again in a later file is stored again,
with that file: the history shows every file a reading came in.

Integrity lives in the database (unique and check constraints); the indexes match how support
staff search: by MPAN, by meter serial, by date.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import ClassVar, TypedDict

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual

from readings.d0010 import codes
from readings.dtc import FlowIssue, is_test_data
from readings.localtime import format_minute
from readings.meaning_choices import Anomaly, ReadingStatus
from readings.wording import printable


def _choices(mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(code, f"{code}: {label}") for code, label in mapping.items()]


def _one_of(field: str, values: Iterable[str]) -> models.Q:
    """``field`` equals one of ``values``, as a check constraint's condition.

    Written as ``field = a OR field = b ...`` rather than ``field IN (a, b, ...)``: SQLite
    evaluates a check's IN list of three or more values by building a temporary index for every
    row it writes, which made the 17 reading types cost about 1.2 µs per imported reading
    against 0.1 µs for the equalities. Both mean the same on either database.
    """
    return reduce(operator.or_, (models.Q(**{field: value}) for value in values))


BSC_VALIDATION_STATUS_CHOICES = _choices(codes.BSC_VALIDATION_STATUSES)
READING_TYPE_CHOICES = _choices(codes.READING_TYPES)
READING_METHOD_CHOICES = _choices(codes.READING_METHODS)
SITE_VISIT_CHECK_CODE_CHOICES = _choices(codes.SITE_VISIT_CHECK_CODES)
READING_REASON_CODE_CHOICES = _choices(codes.READING_REASON_CODES)
SITE_VISIT_GROUP_CHOICES = list(codes.SITE_VISIT_GROUPS.items())


class FlowFile(models.Model):
    """One imported D0010 file: its name and bytes' digest, header (ZHV) and trailer (ZPT)."""

    file_name = models.CharField(max_length=255, help_text="The name the file arrived with.")
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    size_bytes = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    # ZHV
    file_identifier = models.CharField(max_length=10, help_text="J1064")
    flow_reference = models.CharField(max_length=5, help_text="J0937, first five characters")
    flow_version = models.CharField(max_length=3, help_text="J0937, after D0010")
    sender_role = models.CharField(max_length=1, help_text="J0934")
    sender_participant_id = models.CharField(max_length=4, help_text="J0938")
    recipient_role = models.CharField(max_length=1, help_text="J0935")
    recipient_participant_id = models.CharField(max_length=4, help_text="J0939")
    file_created_at = models.DateTimeField(help_text="J0280")
    sending_application_id = models.CharField(max_length=5, blank=True, help_text="J1060")
    receiving_application_id = models.CharField(max_length=5, blank=True, help_text="J1061")
    broadcast = models.CharField(max_length=1, blank=True, help_text="J1062")
    test_data_flag = models.CharField(max_length=4, blank=True, help_text="J1063")

    # ZPT (null only while the file is being imported, inside its transaction)
    total_group_count = models.PositiveBigIntegerField(null=True, help_text="J1067")
    checksum = models.CharField(max_length=10, blank=True, help_text="J1078")
    flow_count = models.PositiveIntegerField(null=True, help_text="J1066")
    file_completed_at = models.DateTimeField(null=True, blank=True, help_text="J1065")

    # What the import found, kept so that list pages need no aggregate queries.
    meter_point_count = models.PositiveIntegerField(default=0)
    meter_count = models.PositiveIntegerField(default=0)
    reading_count = models.PositiveIntegerField(default=0)
    site_visit_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    # The span of the file's readings (null when it has none): which years hold readings,
    # from a row per file rather than an aggregate over every reading.
    first_read_at = models.DateTimeField("first read at", null=True, blank=True)
    last_read_at = models.DateTimeField("last read at", null=True, blank=True)

    class Meta:
        constraints = [
            # Whatever their case: the parser upper-cases MPIDs, and a file identifier that
            # differs from another only in case is the same identifier (README, Decisions).
            # Both are ASCII letters and digits, which SQLite and PostgreSQL upper-case alike.
            models.UniqueConstraint(
                Upper("sender_participant_id"),
                Upper("file_identifier"),
                name="flowfile_unique_identifier_per_sender_any_case",
                violation_error_message="This sender has already sent a file with this identifier.",
            ),
        ]
        indexes = [
            models.Index(fields=["file_name"], name="flowfile_name_idx"),
            models.Index(fields=["-imported_at"], name="flowfile_imported_idx"),
        ]
        permissions = [
            ("import_flowfile", "Can import D0010 files through the web"),
            ("download_flowfile", "Can download flow files"),
        ]

    def __str__(self) -> str:
        return f"{printable(self.file_name)} ({self.sender_participant_id} {self.file_identifier})"

    @property
    def is_test_data(self) -> bool:
        return is_test_data(self.test_data_flag)

    def warning_issues(self) -> tuple[FlowIssue, ...]:
        """The import's warnings, as the parser gave them (``warnings`` keeps them as JSON)."""
        stored: object = self.warnings
        entries: list[object] = stored if isinstance(stored, list) else []
        issues: list[FlowIssue] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            item: dict[str, object] = entry
            line, field, reason = item.get("line"), item.get("field"), item.get("reason")
            issues.append(
                FlowIssue(
                    file_name=self.file_name,
                    line_number=line if isinstance(line, int) else None,
                    field=field if isinstance(field, str) else None,
                    reason=str(reason),
                )
            )
        return tuple(issues)

    def set_warning_issues(self, issues: Iterable[FlowIssue]) -> None:
        """Keep ``issues`` in ``warnings``, as JSON (the file's name is this file's own)."""
        self.warnings = [
            {"line": issue.line_number, "field": issue.field, "reason": issue.reason}
            for issue in issues
        ]


class MeterPoint(models.Model):
    """A metering point, by MPAN core (J0003): 13 digits, kept as a string."""

    mpan = models.CharField("MPAN", max_length=13)

    class Meta:
        constraints = [
            # A constraint rather than unique=True: on PostgreSQL the field would also get a
            # second (LIKE) index, which only prefix searches use, and MPAN searches are exact.
            models.UniqueConstraint(fields=["mpan"], name="meterpoint_unique_mpan"),
            models.CheckConstraint(
                condition=Exact(Length("mpan"), 13), name="meterpoint_mpan_13_characters"
            ),
        ]

    def __str__(self) -> str:
        return self.mpan


class Meter(models.Model):
    """A meter (J0004 serial number) at a meter point. Serials are unique per meter point."""

    # No index of its own: the unique (meter point, serial) constraint's index starts with it.
    meter_point = models.ForeignKey(
        MeterPoint, on_delete=models.PROTECT, related_name="meters", db_index=False
    )
    serial_number = models.CharField(max_length=10)
    serial_key = models.CharField(
        max_length=10,
        editable=False,
        help_text="The serial upper-cased without spaces: what searches match.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meter_point", "serial_number"], name="meter_unique_serial_per_point"
            ),
            models.CheckConstraint(
                condition=~models.Q(serial_number=""), name="meter_serial_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["serial_key"], name="meter_serial_key_idx")]

    def __str__(self) -> str:
        return f"{self.serial_number} at {self.meter_point.mpan}"


class FileMeter(models.Model):
    """A 028 group: a meter as one file lists it, with the reading type (J0171) of the readings
    under it and the BSC validation status (J0022) of its 026. Kept even when it has no
    readings, so that nothing the file says is lost."""

    flow_file = models.ForeignKey(  # indexed by the unique (flow_file, line_number)
        FlowFile, on_delete=models.CASCADE, related_name="file_meters", db_index=False
    )
    line_number = models.PositiveIntegerField()
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="file_meters")
    reading_type = models.CharField(max_length=1, choices=READING_TYPE_CHOICES)
    bsc_validation_status = models.CharField(max_length=1, choices=BSC_VALIDATION_STATUS_CHOICES)

    class Meta:
        verbose_name = "meter group (028)"
        verbose_name_plural = "meter groups (028)"
        constraints = [
            models.UniqueConstraint(
                fields=["flow_file", "line_number"], name="filemeter_unique_line"
            ),
        ]
        indexes = [models.Index(fields=["meter"], name="filemeter_meter_idx")]

    def __str__(self) -> str:
        return f"flow file #{self.flow_file_id}, line {self.line_number}"


# The registers to look at: their latest counting reading has an anomaly or is suspect (flag
# F: so no validated reading came after it). The worklist's rows and its partial index.
ON_WORKLIST = models.Q(is_latest=True) & (~models.Q(anomaly="") | models.Q(reading_flag=False))


class Reading(models.Model):
    """A 030 register reading with its 032 validation result, if any, and the context the
    file gave it: reading type (028) and BSC validation status (026)."""

    # No single-column indexes on the foreign keys: the unique (flow_file, line_number) and the
    # (meter, read_at) indexes start with them, and every index slows the bulk insert.
    flow_file = models.ForeignKey(
        FlowFile, on_delete=models.CASCADE, related_name="readings", db_index=False
    )
    line_number = models.PositiveIntegerField()
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="readings", db_index=False
    )
    register_id = models.CharField("register", max_length=2, help_text="J0010")
    read_at = models.DateTimeField("read at", help_text="J0016, UK local time in the file")
    value = models.DecimalField(max_digits=10, decimal_places=1, help_text="J0040")
    md_reset_at = models.DateTimeField("MD reset at", null=True, blank=True, help_text="J0044")
    md_reset_count = models.PositiveSmallIntegerField(
        "MD resets", null=True, blank=True, help_text="J1013"
    )
    reading_flag = models.BooleanField(
        "valid", null=True, help_text="J0045: yes = valid, no = suspect, unknown = not given"
    )
    reading_method = models.CharField(
        "method", max_length=1, choices=READING_METHOD_CHOICES, help_text="J1888"
    )
    reading_type = models.CharField(
        "type", max_length=1, choices=READING_TYPE_CHOICES, help_text="J0171 (028)"
    )
    bsc_validation_status = models.CharField(
        "BSC status", max_length=1, choices=BSC_VALIDATION_STATUS_CHOICES, help_text="J0022 (026)"
    )
    validation_reason_code = models.CharField(
        "032 reason",
        max_length=2,
        blank=True,
        choices=READING_REASON_CODE_CHOICES,
        help_text="J0332 (032)",
    )
    validation_status = models.BooleanField(
        "032 status", null=True, help_text="J0047 (032): yes = now valid, no = still suspect"
    )
    # -- What the reading means (readings/services/meaning.py computes these in the import's
    # transaction). Database defaults, so the bulk INSERT need not send them: a new reading is
    # live and the latest of its register until the computation says otherwise.
    status = models.CharField(
        max_length=10, choices=ReadingStatus.choices, db_default=ReadingStatus.LIVE
    )
    advance = models.DecimalField(
        max_digits=11,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Since the previous live reading of the register (live readings only).",
    )
    advance_per_day = models.DecimalField(
        "advance per day", max_digits=18, decimal_places=3, null=True, blank=True
    )
    anomaly = models.CharField(
        max_length=8, blank=True, choices=Anomaly.choices, db_default=Anomaly.NONE
    )
    is_latest = models.BooleanField(
        "latest", db_default=True, help_text="The latest live reading of its register."
    )
    # -- end of what the reading means

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow_file", "line_number"], name="reading_unique_line"
            ),
            # -- what the reading means
            models.CheckConstraint(
                condition=_one_of("status", ReadingStatus.values), name="reading_status_valid"
            ),
            models.CheckConstraint(
                condition=_one_of("anomaly", Anomaly.values), name="reading_anomaly_valid"
            ),
            # -- end of what the reading means
            models.CheckConstraint(condition=models.Q(value__gte=0), name="reading_value_gte_0"),
            models.CheckConstraint(
                condition=models.Q(md_reset_count__lte=999), name="reading_md_resets_lte_999"
            ),
            models.CheckConstraint(
                condition=_one_of("reading_method", codes.READING_METHODS),
                name="reading_method_valid",
            ),
            models.CheckConstraint(
                condition=_one_of("reading_type", codes.READING_TYPES),
                name="reading_type_valid",
            ),
            models.CheckConstraint(
                condition=_one_of("bsc_validation_status", codes.BSC_VALIDATION_STATUSES),
                name="reading_bsc_status_valid",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("register_id"), 1),
                name="reading_register_not_empty",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(validation_reason_code="", validation_status__isnull=True)
                    | (
                        ~models.Q(validation_reason_code="")
                        & models.Q(validation_status__isnull=False)
                    )
                ),
                name="reading_032_complete",
            ),
        ]
        indexes = [
            # A meter's readings in the lists' order, tie-breaker included: read straight
            # from the index, without sorting a long history.
            models.Index(fields=["meter", "-read_at", "-id"], name="reading_meter_order_idx"),
            models.Index(fields=["-read_at", "-id"], name="reading_read_at_idx"),
            # -- what the reading means: partial indexes, empty or small for the common rows
            models.Index(
                fields=["status"],
                condition=~models.Q(status=ReadingStatus.LIVE),
                name="reading_not_live_idx",
            ),
            models.Index(
                fields=["anomaly"], condition=~models.Q(anomaly=""), name="reading_anomaly_idx"
            ),
            models.Index(  # the registers to look at: latest reading odd or suspect
                fields=["-read_at"], condition=ON_WORKLIST, name="reading_worklist_idx"
            ),
            # -- end of what the reading means
        ]
        permissions = [("export_reading", "Can export readings as CSV")]

    def __str__(self) -> str:
        """Unique (a file's line) without a query: ``01 03/04/2024 00:00 34567.0 (flow file
        #3, line 6)``, the time in UK local time as the file gave it."""
        return (
            f"{self.register_id} {format_minute(self.read_at)} {self.value} "
            f"(flow file #{self.flow_file_id}, line {self.line_number})"
        )

    # Codes in words, for lists and tables: ``C customer`` (the choices' labels are longer).
    @property
    def type_in_words(self) -> str:
        return codes.in_words(self.reading_type, codes.READING_TYPE_WORDS)

    @property
    def bsc_status_in_words(self) -> str:
        return codes.in_words(self.bsc_validation_status, codes.BSC_VALIDATION_STATUS_WORDS)

    @property
    def method_in_words(self) -> str:
        return codes.in_words(self.reading_method, codes.READING_METHOD_WORDS)


class SiteVisit(models.Model):
    """A 027, 029 or 033 site visit, at meter point, meter or register reading level."""

    flow_file = models.ForeignKey(  # indexed by the unique (flow_file, line_number)
        FlowFile, on_delete=models.CASCADE, related_name="site_visits", db_index=False
    )
    line_number = models.PositiveIntegerField()
    parent_line_number = models.PositiveIntegerField(
        help_text="The line of the 026, 028 or 030 group the visit belongs to."
    )
    group = models.CharField(max_length=3, choices=SITE_VISIT_GROUP_CHOICES)
    meter_point = models.ForeignKey(
        MeterPoint, on_delete=models.PROTECT, related_name="site_visits"
    )
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, null=True, blank=True, related_name="site_visits"
    )
    reading = models.ForeignKey(
        Reading, on_delete=models.CASCADE, null=True, blank=True, related_name="site_visits"
    )
    check_code = models.CharField(
        max_length=2, choices=SITE_VISIT_CHECK_CODE_CHOICES, help_text="J0024"
    )
    additional_information = models.CharField(max_length=200, blank=True, help_text="J0012")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow_file", "line_number"], name="sitevisit_unique_line"
            ),
            models.CheckConstraint(
                condition=_one_of("group", codes.SITE_VISIT_GROUPS),
                name="sitevisit_group_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["meter_point"], name="sitevisit_meter_point_idx"),
            models.Index(fields=["meter"], name="sitevisit_meter_idx"),
            models.Index(fields=["reading"], name="sitevisit_reading_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.group} {self.check_code} (flow file #{self.flow_file_id}, "
            f"line {self.line_number})"
        )


class AttemptSource(models.TextChoices):
    """How a file came to be imported."""

    COMMAND = "command", "command line"
    UPLOAD = "upload", "admin upload"
    INBOX = "inbox", "inbox"
    API = "api", "REST API"


class AttemptOutcome(models.TextChoices):
    """What came of an attempt: the import service's ``Outcome`` values, and ``unfinished``
    for one that has not come to one (still running, or stopped before it did: a killed
    process, Ctrl-C, an unexpected fault)."""

    IMPORTED = "imported", "imported"
    VALID = "valid", "valid (dry run)"
    SKIPPED = "skipped", "already imported"
    REJECTED = "rejected", "not imported"
    UNFINISHED = "unfinished", "did not finish"


class AttemptRefusal(models.TextChoices):
    """Why a rejected attempt was not imported (empty for the other outcomes)."""

    NONE = "", "—"
    INVALID = "invalid", "not a valid D0010 file"
    DUPLICATE_IDENTIFIER = "duplicate_identifier", "duplicate file identifier"
    TEST_DATA = "test_data", "test data"
    UNREADABLE = "unreadable", "unreadable"
    DATABASE = "database", "database failure"
    STORAGE = "storage", "bytes not kept"
    TOO_LARGE = "too_large", "too large to read"
    FAULT = "fault", "stopped or failed"


class AttemptIssueData(TypedDict):
    """One issue as ``ImportAttempt.issues`` keeps it in JSON."""

    line: int | None
    item: str | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptIssue:
    """One issue of an attempt: where (line, item; None for the file as a whole) and why."""

    line: int | None
    item: str | None
    reason: str

    @classmethod
    def of(cls, issue: FlowIssue) -> AttemptIssue:
        return cls(line=issue.line_number, item=issue.field, reason=issue.reason)

    def as_data(self) -> AttemptIssueData:
        return {"line": self.line, "item": self.item, "reason": self.reason}

    @classmethod
    def from_data(cls, data: object) -> AttemptIssue | None:
        """The issue ``data`` (as ``as_data`` gave it) holds, or None if it is not one."""
        if not isinstance(data, dict):
            return None
        entry: dict[str, object] = data
        line, item, reason = entry.get("line"), entry.get("item"), entry.get("reason")
        return cls(
            line=line if isinstance(line, int) else None,
            item=item if isinstance(item, str) else None,
            reason=str(reason),
        )

    @property
    def brief(self) -> str:
        """``line 4, Register Reading (J0040): why``, or only why for the whole file."""
        where = [f"line {self.line}"] if self.line is not None else []
        where += [self.item] if self.item else []
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportAttempt(models.Model):
    """One try at importing one file, whatever came of it, by any interface.

    Written before the import's transaction starts and finished after it ends, so that the
    import's rollback leaves it: a refused, invalid or failed file is on record as much as an
    imported one. ``flow_file`` is the file it made or matched (kept as null if that flow file
    is deleted); the file's bytes are kept by content (``sha256``) in the flow-file storage.
    """

    source = models.CharField(max_length=10, choices=AttemptSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_attempts",
        help_text="Who uploaded the file (web and API attempts).",
    )
    os_user = models.CharField(
        "OS user", max_length=150, blank=True, help_text="The user the importing process ran as."
    )
    host = models.CharField(
        max_length=255, blank=True, help_text="The machine the importing process ran on."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, help_text="The name the file arrived with.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="In bytes.")
    sha256 = models.CharField(
        "SHA-256", max_length=64, blank=True, help_text="Empty when the file could not be read."
    )
    dry_run = models.BooleanField(default=False)
    outcome = models.CharField(
        max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.UNFINISHED
    )
    refusal = models.CharField(
        "why not imported", max_length=20, choices=AttemptRefusal.choices, blank=True
    )
    summary = models.TextField(blank=True, help_text="What came of it, in one sentence.")
    meter_point_count = models.PositiveIntegerField(default=0)
    meter_count = models.PositiveIntegerField(default=0)
    reading_count = models.PositiveIntegerField(default=0)
    site_visit_count = models.PositiveIntegerField(default=0)
    issues = models.JSONField(
        default=list, blank=True, help_text="Every error or warning: line, item and reason."
    )
    issues_truncated = models.BooleanField(
        default=False, help_text="The file had more errors than the parser reports."
    )
    retries = models.PositiveIntegerField(
        default=0, help_text="Times the import's transaction was tried again after a conflict."
    )
    flow_file = models.ForeignKey(
        FlowFile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attempts",
        help_text="The flow file it made or matched.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_one_of("source", AttemptSource.values), name="importattempt_source_valid"
            ),
            models.CheckConstraint(
                condition=_one_of("outcome", AttemptOutcome.values),
                name="importattempt_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="importattempt_started_idx"),
            models.Index(fields=["file_name"], name="importattempt_name_idx"),
            models.Index(fields=["sha256", "-started_at"], name="importattempt_sha256_idx"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.pk}: {printable(self.file_name)} ({self.outcome})"

    def issue_list(self) -> tuple[AttemptIssue, ...]:
        """``issues`` as typed values."""
        stored: object = self.issues
        entries: list[object] = stored if isinstance(stored, list) else []
        return tuple(i for i in map(AttemptIssue.from_data, entries) if i is not None)

    def set_issues(self, issues: Iterable[AttemptIssue]) -> None:
        self.issues = [issue.as_data() for issue in issues]


class _OnWorklist(models.Manager["WorklistEntry"]):
    def get_queryset(self) -> models.QuerySet[WorklistEntry]:
        return super().get_queryset().filter(ON_WORKLIST)


class WorklistEntry(Reading):
    """The anomaly worklist's rows: readings (a proxy, no table of its own), each the latest
    counting reading of its register, with an anomaly or suspect; read through the partial
    index ``reading_worklist_idx``, whose condition is the same."""

    objects: ClassVar[_OnWorklist] = _OnWorklist()

    class Meta:
        proxy = True
        verbose_name = "anomaly worklist entry"
        verbose_name_plural = "anomaly worklist"
