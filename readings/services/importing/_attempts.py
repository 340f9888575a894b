"""The attempt's own row: begun before the import's transaction, finished after it.

Both writes are single statements outside the import's transaction, so that its rollback (a
refusal, a database failure, a dry run) leaves the attempt on record. Called inside an outer
``atomic`` block (a test, or a caller's own transaction), they belong to that transaction
instead: the import's rollback (a savepoint then) still leaves them, the outer one does not.
"""

from __future__ import annotations

import getpass
import logging
import socket

from django.contrib.auth.models import AnonymousUser, User
from django.db import DatabaseError
from django.utils import timezone

from readings.models import (
    AttemptIssue,
    AttemptOutcome,
    AttemptRefusal,
    AttemptSource,
    ImportAttempt,
)

from ._outcomes import ImportNotDone, ImportResult

logger = logging.getLogger("readings.importing")

WebUser = User | AnonymousUser  # what ``request.user`` is


def begin(name: str, *, via: AttemptSource, user: WebUser | None, dry_run: bool) -> ImportAttempt:
    """A new attempt, unfinished, on record at once (one INSERT)."""
    return ImportAttempt.objects.create(
        source=via,
        user=user if isinstance(user, User) else None,
        os_user=_os_user(),
        host=_host(),
        started_at=timezone.now(),
        file_name=name[:255],
        dry_run=dry_run,
    )


def refused_unread(
    name: str, *, via: AttemptSource, user: WebUser | None, size: int, summary: str
) -> ImportAttempt:
    """An upload refused before its bytes were read (larger than an upload may be): on
    record, finished at once (one INSERT); no digest, no bytes kept."""
    now = timezone.now()
    return ImportAttempt.objects.create(
        source=via,
        user=user if isinstance(user, User) else None,
        os_user=_os_user(),
        host=_host(),
        started_at=now,
        finished_at=now,
        file_name=name[:255],
        size=size,
        outcome=AttemptOutcome.REJECTED,
        refusal=AttemptRefusal.TOO_LARGE,
        summary=summary,
    )


def imported(attempt: ImportAttempt, result: ImportResult, *, sha256: str, size: int) -> None:
    """The attempt came to an import (or to a valid dry run)."""
    attempt.outcome = AttemptOutcome(result.outcome.value)
    attempt.summary = result.summary
    attempt.meter_point_count = result.meter_point_count
    attempt.meter_count = result.meter_count
    attempt.reading_count = result.reading_count
    attempt.site_visit_count = result.site_visit_count
    attempt.set_issues(AttemptIssue.of(warning) for warning in result.warnings)
    attempt.retries = result.retries
    attempt.flow_file_id = result.flow_file_id  # None for a dry run: rolled back
    _finish(attempt, sha256=sha256, size=size)


def not_done(
    attempt: ImportAttempt, error: ImportNotDone, *, sha256: str, size: int | None
) -> None:
    """The attempt came to nothing written: what ``error`` says, every issue of it."""
    attempt.outcome = AttemptOutcome(error.outcome.value)
    attempt.refusal = error.refusal
    attempt.summary = error.summary(shown=1)
    attempt.set_issues(error.attempt_issues())
    attempt.issues_truncated = error.truncated
    attempt.retries = error.retries
    attempt.flow_file = error.existing
    _finish(attempt, sha256=sha256, size=size)


def stopped(attempt: ImportAttempt, error: BaseException, *, sha256: str, size: int | None) -> None:
    """The import stopped on something else (Ctrl-C, a fault): unfinished, and said so."""
    attempt.refusal = AttemptRefusal.FAULT
    attempt.summary = f"stopped by {type(error).__name__}; nothing was written"
    _finish(attempt, sha256=sha256, size=size)


def _finish(attempt: ImportAttempt, *, sha256: str, size: int | None) -> None:
    """Store what the attempt came to (one UPDATE). A failure to store it is logged and does
    not replace the import's own outcome."""
    attempt.sha256 = sha256
    attempt.size = size
    attempt.finished_at = timezone.now()
    try:
        attempt.save(
            update_fields=[
                "outcome",
                "refusal",
                "summary",
                "meter_point_count",
                "meter_count",
                "reading_count",
                "site_visit_count",
                "issues",
                "issues_truncated",
                "retries",
                "flow_file",
                "sha256",
                "size",
                "finished_at",
            ]
        )
    except DatabaseError as error:
        logger.error(
            "attempt not finished attempt_id=%s error=%s", attempt.pk, type(error).__name__
        )


def _os_user() -> str:
    """The user this process runs as, or empty where the system cannot say."""
    try:
        return getpass.getuser()[:150]
    except (KeyError, OSError, ImportError):  # no name for the uid, no pwd module
        return ""


def _host() -> str:
    try:
        return socket.gethostname()[:255]
    except OSError:
        return ""
