"""The import log: every import says, through Django's logging, which file, what came of it,
the counts and how long it took, and never what the file holds."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.db import DatabaseError

from readings.services.importing import (
    DatabaseRefused,
    FlowFileAlreadyImported,
    ImportRefused,
    InvalidFile,
    import_flow_file,
)
from tests.factories import flow_file

pytestmark = pytest.mark.django_db

LOGGER = "readings.importing"
PRIVATE_NOTE = "Customer says the key is under the mat at 12 Acacia Avenue"
VALID = flow_file(readings=3)


def with_site_visit(data: bytes) -> bytes:
    """``data`` with a 029 site visit carrying free text, its trailer's count put right."""
    lines = data.decode().splitlines()
    lines.insert(3, f"029|01|{PRIVATE_NOTE}|")
    zhv, *body, zpt = lines
    fields = zpt.split("|")
    fields[2] = str(len(body))
    return "\n".join([zhv, *body, "|".join(fields)]).encode() + b"\n"


def import_bytes(data: bytes, name: str) -> None:
    import_flow_file(source=io.BytesIO(data), file_name=name)


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


@pytest.fixture
def caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="readings")
    return caplog


class TestImportLog:
    def test_goes_through_djangos_logging_configuration(self) -> None:
        loggers = settings.LOGGING["loggers"]

        assert isinstance(loggers, dict)
        assert "readings" in loggers
        assert logging.getLogger(LOGGER).getEffectiveLevel() <= logging.INFO

    def test_an_imported_file_is_logged_with_its_counts_and_duration(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        import_bytes(with_site_visit(VALID), "good.uff")

        [message] = messages(caplog)
        assert message.startswith("imported file='good.uff' flow_file_id=")
        for count in ("meter_points=2", "meters=2", "readings=3", "site_visits=1", "warnings=0"):
            assert count in message
        assert "seconds=" in message
        assert caplog.records[-1].levelno == logging.INFO

    def test_a_rejected_file_is_logged_with_its_error_count_first_error_and_duration(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        bad = VALID.replace(b"030|02|20240301000000|", b"030|02|20240231000000|", 1)

        with pytest.raises(InvalidFile):
            import_bytes(bad, "bad.uff")

        [message] = messages(caplog)
        assert message.startswith("rejected file='bad.uff' errors=1 first=")
        assert "line 5" in message
        assert "seconds=" in message
        assert caplog.records[-1].levelno == logging.WARNING

    def test_an_already_imported_file_is_logged_with_its_duration(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        import_bytes(VALID, "first.uff")
        caplog.clear()

        with pytest.raises(FlowFileAlreadyImported):
            import_bytes(VALID, "again.uff")

        [message] = messages(caplog)
        assert message.startswith("already imported file='again.uff' flow_file_id=")
        assert "seconds=" in message

    def test_a_refused_file_is_logged_with_its_reason_and_duration(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(ImportRefused):
            import_bytes(flow_file(readings=1, test_data_flag="TR01"), "test-data.uff")

        [message] = messages(caplog)
        assert message.startswith("refused file='test-data.uff' reason=")
        assert "seconds=" in message

    def test_a_failure_of_the_database_is_logged_by_kind_only(
        self, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refuse(*args: object, **kwargs: object) -> None:
            raise DatabaseError(f"could not write {PRIVATE_NOTE}")

        monkeypatch.setattr("readings.services.importing._bulk.BatchWriter.write", refuse)

        with pytest.raises(DatabaseRefused):
            import_bytes(with_site_visit(VALID), "unlucky.uff")

        [message] = messages(caplog)
        assert message.startswith("failed file='unlucky.uff' error=DatabaseError seconds=")
        assert caplog.records[-1].levelno == logging.ERROR

    def test_never_holds_what_the_file_says(self, caplog: pytest.LogCaptureFixture) -> None:
        note_too_long = with_site_visit(VALID).replace(
            PRIVATE_NOTE.encode(), PRIVATE_NOTE.encode() * 4
        )

        import_bytes(with_site_visit(VALID), "good.uff")
        with pytest.raises(FlowFileAlreadyImported):
            import_bytes(with_site_visit(VALID), "good.uff")
        with pytest.raises(InvalidFile):
            import_bytes(note_too_long, "long-note.uff")

        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert len(messages(caplog)) == 3
        assert PRIVATE_NOTE not in logged
        assert "030|" not in logged
        assert "ZHV|" not in logged
