"""What an import comes to, in the words every interface shows: the result of an import that
happened, or the exception that says why one did not.

Every way of not importing a file derives from ``ImportNotDone``. An interface catches that one
class and shows what it carries without knowing which subclass it is: its ``outcome``, its
``reasons`` (one line each) or its ``summary`` in one sentence, and the stored flow file it is
about (``existing``), if any.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from django.db import DatabaseError

from readings.dtc import FlowIssue, InvalidFlowFile
from readings.localtime import format_minute
from readings.models import FlowFile
from readings.wording import content_counts, counted, printable


class Outcome(enum.Enum):
    """What came of one file, as the command's lines start."""

    IMPORTED = "imported"
    VALID = "valid"  # checked by a dry run; nothing written
    SKIPPED = "skipped"  # in the database already
    REJECTED = "rejected"


def listed(texts: Sequence[str], *, shown: int, rest: str = "more") -> str:
    """The first ``shown`` of ``texts``, then how many are left: ``a; b; and 3 more``."""
    left = len(texts) - shown
    return "; ".join(texts[:shown]) + (f"; and {left} {rest}" if left > 0 else "")


class ImportNotDone(Exception):
    """A file that was not imported: nothing of it was written."""

    outcome: ClassVar[Outcome] = Outcome.REJECTED
    headline: ClassVar[str] = "not imported"  # what the summary starts with

    def __init__(
        self,
        file_name: str,
        reasons: Sequence[str],
        *,
        existing: FlowFile | None = None,
        truncated: bool = False,
    ) -> None:
        self.file_name = file_name
        self.reasons = tuple(reasons) or ("not imported",)  # where and why, one line each
        self.existing = existing  # the stored flow file this is about, if any
        self.truncated = truncated  # the file has more problems than ``reasons`` lists
        # Times the import's transaction was tried again after losing a deadlock or a
        # serialisation race (the import sets it).
        self.retries = 0
        more = f" (and {len(self.reasons) - 1} more)" if len(self.reasons) > 1 else ""
        super().__init__(f"{printable(file_name)}: {self.reasons[0]}{more}")

    def summary(self, *, shown: int) -> str:
        """In one sentence, with the first ``shown`` reasons: ``not imported: line 4, ...``."""
        further = " (the file has further errors)" if self.truncated else ""
        return f"{self.headline}: {listed(self.reasons, shown=shown)}{further}"


class InvalidFile(ImportNotDone):
    """The file breaks the D0010 definition; ``issues`` says where and why, line by line."""

    headline = "not imported, not a valid D0010 file"

    def __init__(self, error: InvalidFlowFile) -> None:
        super().__init__(
            error.file_name, [issue.brief for issue in error.issues], truncated=error.truncated
        )
        self.issues = error.issues


class FlowFileAlreadyImported(ImportNotDone):
    """These exact bytes were imported before (``existing``); nothing was written this time."""

    outcome = Outcome.SKIPPED
    existing: FlowFile

    def __init__(self, file_name: str, existing: FlowFile) -> None:
        imported_at = format_minute(existing.imported_at)  # UK time
        where = f"flow file #{existing.pk} ('{printable(existing.file_name)}', {imported_at})"
        super().__init__(file_name, [f"already imported as {where}"], existing=existing)

    def summary(self, *, shown: int) -> str:
        return f"{self.reasons[0]}; nothing was written"


class ImportRefused(ImportNotDone):
    """A well-formed file that a rule keeps out, with the reason in plain words."""

    def __init__(self, file_name: str, reason: str, *, existing: FlowFile | None = None) -> None:
        super().__init__(file_name, [reason], existing=existing)


class DuplicateFileIdentifier(ImportRefused):
    """A different file (``existing``) from the same sender has this file identifier (J1064
    must be unique per sender)."""


class NotOperationalData(ImportRefused):
    """The header's Test Data Flag marks test traffic, and test data was not allowed."""


class FileUnreadable(ImportNotDone):
    """The file could not be read (an ``OSError``)."""

    def __init__(self, file_name: str, error: OSError) -> None:
        super().__init__(file_name, [f"cannot be read: {error.strerror or error}"])


class DatabaseRefused(ImportNotDone):
    """The database refused a statement (a ``DatabaseError``); the transaction rolled back."""

    def __init__(self, file_name: str, error: DatabaseError) -> None:
        # On one line: PostgreSQL's messages have a DETAIL line, which may quote a value.
        super().__init__(file_name, [f"the database refused the import: {printable(str(error))}"])


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
    # Times the transaction was tried again after losing a deadlock or a serialisation race.
    retries: int = 0

    @property
    def outcome(self) -> Outcome:
        return Outcome.VALID if self.dry_run else Outcome.IMPORTED

    @property
    def contents(self) -> str:
        """What the file held, in words: ``3 meter points, 4 meters, 8 readings, ...``."""
        return content_counts(
            meter_points=self.meter_point_count,
            meters=self.meter_count,
            readings=self.reading_count,
            site_visits=self.site_visit_count,
        )

    @property
    def summary(self) -> str:
        """The contents, the time taken and, for a dry run, that nothing was written."""
        dry_run = " (dry run: nothing written)" if self.dry_run else ""
        return f"{self.contents} ({self.seconds:.2f} s){dry_run}"

    def warning_summary(self, *, shown: int, rest: str = "more") -> str:
        """The warnings in one sentence, the first ``shown`` of them: ``2 warnings: ...``."""
        briefs = [warning.brief for warning in self.warnings]
        return f"{counted(len(briefs), 'warning')}: {listed(briefs, shown=shown, rest=rest)}"
