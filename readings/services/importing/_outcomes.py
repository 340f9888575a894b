"""What an import comes to: its result, or the exception that says why it did not happen."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.timezone import localtime

from readings.d0010.records import FlowIssue
from readings.models import FlowFile
from readings.wording import content_counts


class FlowFileAlreadyImported(Exception):
    """These exact bytes were imported before; nothing was written this time."""

    def __init__(self, file_name: str, existing: FlowFile):
        self.file_name = file_name
        self.existing = existing
        self.imported_at = f"{localtime(existing.imported_at):%Y-%m-%d %H:%M}"  # UK time
        self.reason = (
            f"already imported as flow file #{existing.pk} "
            f"('{existing.file_name}', {self.imported_at})"
        )
        super().__init__(f"{file_name}: {self.reason}")


class ImportRefused(Exception):
    """A well-formed file that is not imported, with the reason in plain words."""

    def __init__(self, file_name: str, reason: str):
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name}: {reason}")


class DuplicateFileIdentifier(ImportRefused):
    """A different file reuses an identifier its sender already used (J1064 must be unique)."""


class NotOperationalData(ImportRefused):
    """The header's Test Data Flag marks test traffic, and test data was not allowed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    """What one import did (or, for a dry run, would have done)."""

    file_name: str
    flow_file_id: int | None  # None for a dry run
    dry_run: bool
    meter_point_count: int
    meter_count: int
    reading_count: int
    site_visit_count: int
    group_count: int
    warnings: tuple[FlowIssue, ...]
    seconds: float

    @property
    def contents(self) -> str:
        """What the file held, in words: ``3 meter points, 4 meters, 8 readings, ...``."""
        return content_counts(
            meter_points=self.meter_point_count,
            meters=self.meter_count,
            readings=self.reading_count,
            site_visits=self.site_visit_count,
        )
