"""``import_d0010`` when the folder, the name or the disk is at fault: a line naming the file
and the reason, the next file imported, the summary, a non-zero exit, never a traceback."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from readings.models import FlowFile, Reading
from tests.factories import flow_file
from tests.functional.test_inbox import Folders


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_d0010", "--no-progress", *args, stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.mark.django_db
class TestPathsAtFault:
    def test_an_empty_path_is_an_error_and_not_the_current_folder(self, tmp_path: Path) -> None:
        good = tmp_path / "good.uff"
        good.write_bytes(flow_file(readings=2))

        output, error = run("", str(good))

        assert error is not None
        assert error.returncode == 1
        assert 'rejected  "": an empty path names no file or folder' in output
        assert f"imported  {good}:" in output
        assert "Summary: 1 imported, 0 already imported, 1 rejected." in output

    def test_a_folder_that_cannot_be_read_is_reported_and_the_next_path_imported(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        locked = tmp_path / "locked"
        locked.mkdir()
        (locked / "inside.uff").write_bytes(flow_file(readings=2))
        good = tmp_path / "good.uff"
        good.write_bytes(flow_file(readings=2, file_identifier="GEN0000002", first_mpan=9))
        real_iterdir = Path.iterdir

        def iterdir(path: Path) -> Iterator[Path]:
            if path == locked:  # as chmod 000 does for anyone but root
                raise PermissionError(13, "Permission denied", str(path))
            return real_iterdir(path)

        monkeypatch.setattr(Path, "iterdir", iterdir)

        output, error = run(str(locked), str(good))

        assert error is not None
        assert error.returncode == 1
        assert f"rejected  {locked}: the folder cannot be read: Permission denied" in output
        assert f"imported  {good}:" in output
        assert FlowFile.objects.count() == 1

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode")
    def test_a_folder_without_read_permission_is_reported(self, tmp_path: Path) -> None:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0)
        try:
            output, error = run(str(locked))
        finally:
            locked.chmod(0o700)

        assert error is not None
        assert error.returncode == 1
        assert "the folder cannot be read: Permission denied" in output

    def test_a_name_that_is_not_utf8_is_imported_and_printed_escaped(self, tmp_path: Path) -> None:
        folder = tmp_path / "in"
        folder.mkdir()
        raw_name = os.fsencode(folder) + b"/caf\xe9.uff"  # Latin-1, not UTF-8
        Path(os.fsdecode(raw_name)).write_bytes(flow_file(readings=2))

        output, error = run(str(folder))

        assert error is None, output
        assert "caf\\udce9.uff: 1 meter point" in output
        assert FlowFile.objects.get().file_name == "caf\\xe9.uff"


@pytest.fixture
def full_soon() -> Iterator[None]:
    """SQLite as on a full disk: no more pages than it holds, and a few."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page limit stands for a full disk")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {int(pages) + 20}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")


@pytest.mark.django_db(transaction=True)
class TestAFullDisk:
    def test_is_a_line_naming_the_file_and_the_next_file_is_tried(
        self, tmp_path: Path, full_soon: None
    ) -> None:
        large = tmp_path / "a_large.uff"
        large.write_bytes(flow_file(readings=20_000))
        small = tmp_path / "b_small.uff"
        small.write_bytes(flow_file(readings=2, file_identifier="GEN0000002", first_mpan=90_000))

        output, error = run(str(large), str(small))

        assert error is not None
        assert error.returncode == 1
        assert (
            f"rejected  {large}: the database refused the import: database or disk is full"
            in output
        )
        assert f"{small}:" in output
        assert "Summary: " in output
        assert not FlowFile.objects.filter(file_name="a_large.uff").exists()
        assert Reading.objects.exclude(flow_file__file_name="b_small.uff").count() == 0

    def test_in_the_inbox_puts_the_file_back_for_the_next_pass(
        self, tmp_path: Path, full_soon: None
    ) -> None:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        (inbox / "large.uff").write_bytes(flow_file(readings=20_000))
        folders = Folders(inbox, tmp_path / "archive", tmp_path / "quarantine")

        output, error = folders.run()

        assert error is not None
        assert error.returncode == 1
        assert "put back    large.uff: the database refused the import: database or disk" in output
        assert "0 quarantined, 1 put back for the next pass" in output
        assert [path.name for path in inbox.iterdir()] == ["large.uff"]
        assert list((tmp_path / "quarantine").iterdir()) == []
        assert FlowFile.objects.count() == 0
