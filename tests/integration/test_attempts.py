"""Every import attempt on record, and the bytes of every attempted file kept by content."""

from __future__ import annotations

import getpass
import hashlib
import io
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.test import override_settings

from readings.models import (
    AttemptIssue,
    AttemptOutcome,
    AttemptRefusal,
    AttemptSource,
    FlowFile,
    ImportAttempt,
    Reading,
)
from readings.services import raw_files
from readings.services.importing import (
    BytesNotKept,
    DatabaseRefused,
    DuplicateFileIdentifier,
    FileUnreadable,
    FlowFileAlreadyImported,
    ImportNotDone,
    InvalidFile,
    NotOperationalData,
    Outcome,
    import_flow_file,
)
from tests.conftest import Probe
from tests.factories import flow_file

pytestmark = pytest.mark.django_db

GOOD = flow_file(readings=4)
INVALID = flow_file(readings=3).replace(b"026|12", b"026|13", 1)  # a wrong check digit


def not_done(data: bytes, name: str = "f.uff") -> ImportNotDone:
    with pytest.raises(ImportNotDone) as caught:
        import_flow_file(io.BytesIO(data), file_name=name)
    return caught.value


def attempt_of(error: ImportNotDone) -> ImportAttempt:
    assert error.attempt_id is not None
    return ImportAttempt.objects.get(pk=error.attempt_id)


def stored_bytes(sha256: str) -> bytes:
    with raw_files.flow_file_storage().open(raw_files.stored_name(sha256), "rb") as stored:
        data: bytes = stored.read()
    return data


class TestAttemptOfEachOutcome:
    def test_the_attempts_outcomes_are_the_services_and_one_for_unfinished(self) -> None:
        assert set(AttemptOutcome.values) == {o.value for o in Outcome} | {"unfinished"}

    def test_an_import_is_an_attempt_with_its_counts_file_and_flow_file(self) -> None:
        result = import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        attempt = ImportAttempt.objects.get(pk=result.attempt_id)
        assert (attempt.outcome, attempt.refusal, attempt.source) == (
            AttemptOutcome.IMPORTED,
            AttemptRefusal.NONE,
            AttemptSource.COMMAND,
        )
        assert (attempt.file_name, attempt.size, attempt.sha256) == (
            "good.uff",
            len(GOOD),
            hashlib.sha256(GOOD).hexdigest(),
        )
        assert (attempt.reading_count, attempt.meter_point_count, attempt.meter_count) == (4, 2, 2)
        assert attempt.flow_file_id == result.flow_file_id
        assert attempt.finished_at is not None
        assert attempt.started_at <= attempt.finished_at
        assert (attempt.os_user, attempt.host) == (getpass.getuser(), socket.gethostname())
        assert attempt.user is None
        assert attempt.retries == 0

    def test_a_dry_run_is_a_valid_attempt_without_a_flow_file(self) -> None:
        result = import_flow_file(io.BytesIO(GOOD), file_name="good.uff", dry_run=True)

        attempt = ImportAttempt.objects.get(pk=result.attempt_id)
        assert (attempt.outcome, attempt.dry_run, attempt.flow_file) == (
            AttemptOutcome.VALID,
            True,
            None,
        )
        assert attempt.reading_count == 4
        assert not FlowFile.objects.exists()

    def test_the_same_bytes_again_are_a_skipped_attempt_linked_to_the_flow_file(self) -> None:
        first = import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        error = not_done(GOOD, "again.uff")

        assert isinstance(error, FlowFileAlreadyImported)
        attempt = attempt_of(error)
        assert (attempt.outcome, attempt.flow_file_id) == (
            AttemptOutcome.SKIPPED,
            first.flow_file_id,
        )
        assert ImportAttempt.objects.count() == 2

    def test_an_invalid_file_keeps_every_issue_with_line_item_and_reason(self) -> None:
        error = not_done(INVALID, "bad.uff")

        assert isinstance(error, InvalidFile)
        attempt = attempt_of(error)
        assert (attempt.outcome, attempt.refusal) == (
            AttemptOutcome.REJECTED,
            AttemptRefusal.INVALID,
        )
        assert attempt.issue_list() == tuple(AttemptIssue.of(i) for i in error.issues)
        assert attempt.issue_list()[0].line == 2
        assert "J0003" in (attempt.issue_list()[0].item or "")
        assert attempt.summary.startswith("not imported, not a valid D0010 file: line 2")

    @pytest.mark.parametrize(
        ("data", "kind", "refusal"),
        [
            (
                flow_file(readings=2, first_mpan=50),
                DuplicateFileIdentifier,
                AttemptRefusal.DUPLICATE_IDENTIFIER,
            ),
            (
                flow_file(readings=2, file_identifier="TEST000001", test_data_flag="TEST"),
                NotOperationalData,
                AttemptRefusal.TEST_DATA,
            ),
        ],
    )
    def test_a_refused_file_is_a_rejected_attempt_saying_why(
        self,
        data: bytes,
        kind: type[ImportNotDone],
        refusal: AttemptRefusal,
    ) -> None:
        import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        error = not_done(data, "refused.uff")

        assert isinstance(error, kind)
        attempt = attempt_of(error)
        assert (attempt.outcome, attempt.refusal) == (AttemptOutcome.REJECTED, refusal)
        assert [i.reason for i in attempt.issue_list()] == list(error.reasons)

    def test_an_unreadable_file_is_an_attempt_without_a_digest(self, tmp_path: Path) -> None:
        with pytest.raises(FileUnreadable) as caught:
            import_flow_file(tmp_path / "missing.uff")

        attempt = attempt_of(caught.value)
        assert (attempt.outcome, attempt.refusal, attempt.sha256, attempt.size) == (
            AttemptOutcome.REJECTED,
            AttemptRefusal.UNREADABLE,
            "",
            None,
        )

    def test_an_upload_records_the_web_user(self) -> None:
        user = User.objects.create_user("uploader")

        result = import_flow_file(
            io.BytesIO(GOOD), file_name="good.uff", via=AttemptSource.UPLOAD, user=user
        )

        attempt = ImportAttempt.objects.get(pk=result.attempt_id)
        assert (attempt.source, attempt.user) == (AttemptSource.UPLOAD, user)

    def test_a_fault_leaves_an_unfinished_attempt_that_says_so(
        self, before_each_write: Callable[[Probe], None]
    ) -> None:
        def fail(batch: object) -> None:
            raise KeyboardInterrupt

        before_each_write(fail)

        with pytest.raises(KeyboardInterrupt):
            import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        attempt = ImportAttempt.objects.get()
        assert (attempt.outcome, attempt.refusal) == (
            AttemptOutcome.UNFINISHED,
            AttemptRefusal.FAULT,
        )
        assert attempt.summary == "stopped by KeyboardInterrupt; nothing was written"
        assert not FlowFile.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestAttemptOutsideTheImportTransaction:
    def test_a_database_failure_rolls_back_the_import_and_keeps_its_attempt(
        self, before_each_write: Callable[[Probe], None]
    ) -> None:
        def fail(batch: object) -> None:
            raise DatabaseError("disk I/O error")

        before_each_write(fail)

        with pytest.raises(DatabaseRefused) as caught:
            import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        assert not FlowFile.objects.exists()
        assert not Reading.objects.exists()
        attempt = attempt_of(caught.value)
        assert (attempt.outcome, attempt.refusal) == (
            AttemptOutcome.REJECTED,
            AttemptRefusal.DATABASE,
        )
        assert "disk I/O error" in attempt.issue_list()[0].reason


class TestRawBytes:
    def test_every_attempted_file_is_kept_once_per_content(self) -> None:
        import_flow_file(io.BytesIO(GOOD), file_name="good.uff")
        not_done(GOOD, "again.uff")
        error = not_done(INVALID, "bad.uff")

        assert error.attempt_id is not None
        stored = sorted(p.name for p in raw_files_folder().rglob("*") if p.is_file())
        assert stored == sorted(
            [hashlib.sha256(GOOD).hexdigest(), hashlib.sha256(INVALID).hexdigest()]
        )
        assert stored_bytes(hashlib.sha256(INVALID).hexdigest()) == INVALID

    def test_the_bytes_are_stored_under_ab_cd_and_the_digest(self) -> None:
        sha256 = hashlib.sha256(GOOD).hexdigest()

        import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        assert (raw_files_folder() / sha256[:2] / sha256[2:4] / sha256).read_bytes() == GOOD

    def test_a_file_rewritten_during_its_import_is_stored_read_and_hashed_as_it_first_was(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "changing.uff"
        # Many times the parser's 64 KiB reads, so that most of the file is read after the
        # first batch is written; the second content has the same layout, another day.
        first = flow_file(readings=20_000, first_mpan=1)
        second = flow_file(readings=20_000, first_mpan=1, day="20240302")
        path.write_bytes(first)

        def rewrite(done: int, total: int) -> None:
            path.write_bytes(second)

        result = import_flow_file(path, batch_size=500, on_progress=rewrite)

        flow = FlowFile.objects.get(pk=result.flow_file_id or 0)
        assert path.read_bytes() == second  # the file did change half-way
        assert flow.sha256 == hashlib.sha256(first).hexdigest()
        assert stored_bytes(flow.sha256) == first
        days = set(Reading.objects.values_list("read_at__day", flat=True))
        assert days == {1}  # every reading from the first content, none from the second
        assert Reading.objects.count() == 20_000

    def test_a_partial_copy_is_replaced_by_the_whole_one(self) -> None:
        sha256 = hashlib.sha256(GOOD).hexdigest()
        partial = raw_files_folder() / sha256[:2] / sha256[2:4] / sha256
        partial.parent.mkdir(parents=True)
        partial.write_bytes(GOOD[:10])

        import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        assert partial.read_bytes() == GOOD


class TestBytesNotKept:
    def test_a_file_whose_bytes_cannot_be_kept_is_not_imported_and_its_attempt_says_why(
        self, tmp_path: Path
    ) -> None:
        not_a_folder = tmp_path / "a-file"
        not_a_folder.write_bytes(b"")
        storages = {
            **settings.STORAGES,
            "flow_files": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(not_a_folder)},
            },
        }

        with override_settings(STORAGES=storages), pytest.raises(BytesNotKept) as caught:
            import_flow_file(io.BytesIO(GOOD), file_name="good.uff")

        assert not FlowFile.objects.exists()
        attempt = attempt_of(caught.value)
        assert (attempt.outcome, attempt.refusal, attempt.sha256) == (
            AttemptOutcome.REJECTED,
            AttemptRefusal.STORAGE,
            hashlib.sha256(GOOD).hexdigest(),
        )
        assert "could not be kept in the flow-file storage" in caught.value.reasons[0]


def raw_files_folder() -> Path:
    return Path(raw_files.flow_file_storage().path(""))
