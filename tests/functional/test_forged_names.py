"""A file name that holds line breaks or escape sequences prints no line of its own: not in the
command's output, not in a log line, not in a message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.logs import RequestSafeFormatter
from readings.models import FlowFile
from readings.services.importing import DuplicateFileIdentifier, import_flow_file
from tests.factories import flow_file
from tests.functional.test_import_command import run
from tests.functional.test_upload import uff, upload

pytestmark = pytest.mark.django_db

FORGED = (
    "real.uff\nimported  fake.uff: 1 meter point, 1 meter, 1 reading, 0 site visits (0.01 s)"
    "\r\nSummary: 9 imported, 0 already imported, 0 rejected.\x1b[2K\u2028\u0085"
)
BREAKS = ("\n", "\r", "\x1b", "\u2028", "\u0085")


def forged_file(folder: Path, content: bytes) -> Path:
    path = folder / FORGED
    path.write_bytes(content)
    return path


def assert_one_line(text: str) -> None:
    assert not any(mark in text for mark in BREAKS), text


def assert_no_forged_lines(output: str) -> None:
    lines = output.splitlines()
    assert not any(line.startswith("imported  fake.uff") for line in lines), output
    assert sum(line.startswith("Summary:") for line in lines) == 1, output
    for line in lines:
        assert_one_line(line)


class TestTheCommand:
    def test_prints_an_imported_files_name_on_its_own_line(self, tmp_path: Path) -> None:
        forged_file(tmp_path, flow_file(readings=2))

        output, error = run(str(tmp_path))

        assert error is None
        assert_no_forged_lines(output)
        assert len(output.splitlines()) == 2
        assert "real.uff\\nimported  fake.uff" in output

    def test_prints_a_rejected_files_name_on_its_own_line(self, tmp_path: Path) -> None:
        forged_file(tmp_path, b"not a flow file\n")

        output, error = run(str(tmp_path))

        assert error is not None
        assert_no_forged_lines(output)
        assert_one_line(str(error))

    def test_prints_a_skipped_hidden_files_name_on_its_own_line(self, tmp_path: Path) -> None:
        (tmp_path / f".{FORGED}").write_bytes(b"")
        forged_file(tmp_path, flow_file(readings=2))

        output, error = run(str(tmp_path))

        assert error is None
        assert_no_forged_lines(output)
        assert len(output.splitlines()) == 3


class TestTheLog:
    def test_an_imports_records_are_one_line_each(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        import_flow_file(source=forged_file(tmp_path, flow_file(readings=2)))
        with pytest.raises(DuplicateFileIdentifier):
            import_flow_file(source=forged_file(tmp_path, flow_file(readings=3)))

        formatter = configured_formatter()
        records = [record for record in caplog.records if record.name.startswith("readings")]
        assert len(records) == 2
        for record in records:
            assert_one_line(formatter.format(record))

    def test_any_record_that_quotes_a_name_is_one_line(self) -> None:
        record = logging.LogRecord(
            "axes", logging.WARNING, __file__, 1, "login by %s", (FORGED,), None
        )

        line = configured_formatter().format(record)

        assert_one_line(line)
        assert "login by real.uff\\nimported  fake.uff" in line


class TestTheAdminMessages:
    def test_name_a_stored_file_on_one_line(self, importer: Client, tmp_path: Path) -> None:
        content = flow_file(readings=2)
        import_flow_file(source=forged_file(tmp_path, content))

        already = upload(importer, uff("again.uff", content))
        duplicate = upload(importer, uff("other.uff", flow_file(readings=3)))

        assert len(already) == len(duplicate) == 1
        assert "already imported" in already[0]
        assert "already sent file identifier" in duplicate[0]
        for message in already + duplicate:
            assert_one_line(message)
            assert "real.uff\\nimported  fake.uff" in message

    def test_name_a_deleted_file_on_one_line(self, admin_client: Client, tmp_path: Path) -> None:
        import_flow_file(source=forged_file(tmp_path, flow_file(readings=2)))
        stored = FlowFile.objects.get()

        response = admin_client.post(
            reverse("admin:readings_flowfile_delete", args=[stored.pk]), follow=True
        )

        messages = [str(message) for message in get_messages(response.wsgi_request)]
        assert len(messages) == 1
        assert messages[0].startswith("Deleted real.uff\\nimported  fake.uff")
        assert_one_line(messages[0])


def configured_formatter() -> logging.Formatter:
    """The formatter of the handlers ``LOGGING`` gives the service's loggers."""
    formatter = logging.getLogger("readings").handlers[0].formatter
    assert isinstance(formatter, RequestSafeFormatter)
    return formatter
