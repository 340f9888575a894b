"""``manage.py import_d0010`` as a user runs it: messages, exit codes, mixed files."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readings.models import FlowFile, MeterPoint, Reading
from readings.services.importing._tuning import GC_FIRST_THRESHOLD, SWITCH_INTERVAL
from tests.conftest import InterpreterSettings, interpreter_settings
from tests.factories import flow_file
from tests.processes import manage_py

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_d0010", *args, stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.uff"
    path.write_bytes(flow_file(readings=3).replace(b"026|12", b"026|13", 1))
    return path


class TestImportCommand:
    def test_a_good_file_is_imported_with_its_counts(self, official_sample: Path) -> None:
        output, error = run(str(official_sample))

        assert error is None
        assert f"imported  {official_sample}: 11 meter points, 11 meters, 13 readings" in output
        assert "Summary: 1 imported, 0 already imported, 0 rejected." in output

    def test_a_second_run_skips_the_file_as_already_imported(self, official_sample: Path) -> None:
        run(str(official_sample))

        output, error = run(str(official_sample))

        assert error is None
        assert f"skipped   {official_sample}: already imported as flow file #" in output
        assert Reading.objects.count() == 13

    def test_a_bad_file_is_rejected_with_line_and_reason_and_a_non_zero_exit(
        self, bad_file: Path
    ) -> None:
        output, error = run(str(bad_file))

        assert error is not None
        assert error.returncode == 1
        assert f"rejected  {bad_file}: line 2, MPAN Core (J0003): '13" in output
        assert "fails the MPAN check digit" in output
        assert FlowFile.objects.count() == 0

    def test_other_files_are_still_imported_when_one_is_rejected(
        self, official_sample: Path, every_group_file: Path, bad_file: Path
    ) -> None:
        output, error = run(str(official_sample), str(bad_file), str(every_group_file))

        assert error is not None
        assert "Summary: 2 imported, 0 already imported, 1 rejected." in output
        assert FlowFile.objects.count() == 2

    def test_a_folder_imports_its_files_in_name_order(self, tmp_path: Path) -> None:
        for number, name in ((2, "b.uff"), (1, "a.uff"), (3, "c.uff")):
            (tmp_path / name).write_bytes(
                flow_file(readings=2, file_identifier=f"GEN000000{number}", first_mpan=number * 10)
            )
        (tmp_path / ".hidden").write_text("ignored")
        (tmp_path / "sub").mkdir()

        output, error = run(str(tmp_path))

        assert error is None
        imported = [
            line.split(":")[0].split("/")[-1]
            for line in output.splitlines()
            if line.startswith("imported")
        ]
        assert imported == ["a.uff", "b.uff", "c.uff"]
        assert "skipping 2 hidden file(s) or sub-folder(s)" in output
        assert list(FlowFile.objects.order_by("id").values_list("file_name", flat=True)) == [
            "a.uff",
            "b.uff",
            "c.uff",
        ]

    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (b"", "the file is empty"),
            (bytes(range(256)) * 4, "line 1"),
            (b"just some notes\nnothing else\n", "not a D0010 file"),
        ],
    )
    def test_junk_is_rejected_clearly(self, tmp_path: Path, content: bytes, reason: str) -> None:
        path = tmp_path / "junk.uff"
        path.write_bytes(content)

        output, error = run(str(path))

        assert error is not None
        assert f"rejected  {path}:" in output
        assert reason in output

    def test_a_missing_path_and_an_empty_folder_are_rejected(self, tmp_path: Path) -> None:
        empty = tmp_path / "empty"
        empty.mkdir()

        output, error = run(str(tmp_path / "nope.uff"), str(empty))

        assert error is not None
        assert "no such file or folder" in output
        assert "the folder holds no files to import" in output

    def test_dry_run_reports_and_writes_nothing(self, official_sample: Path) -> None:
        output, error = run("--dry-run", str(official_sample))

        assert error is None
        assert "valid" in output
        assert "13 readings" in output
        assert "(dry run: nothing written)" in output
        assert MeterPoint.objects.count() == 0

    def test_test_data_needs_allow_test_data(self, tmp_path: Path) -> None:
        path = tmp_path / "test.uff"
        path.write_bytes(flow_file(readings=2, test_data_flag="TR01"))

        output, error = run(str(path))
        assert error is not None
        assert "--allow-test-data" in output

        output, error = run("--allow-test-data", str(path))
        assert error is None

    def test_warnings_are_printed_under_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "w.uff"
        path.write_bytes(flow_file(readings=2).replace(b"||1|2024", b"||4|2024"))

        output, _ = run(str(path))

        assert "warning: line 6, Flow Count (J1066): says 4 but the file has 1 026 groups" in output


class TestImportCommandProcessSettings:
    def test_imports_run_with_the_interpreter_tuned_and_its_settings_are_put_back(
        self, official_sample: Path, settings_while_writing: list[InterpreterSettings]
    ) -> None:
        before = interpreter_settings()

        _, error = run(str(official_sample))

        assert error is None
        tuned = (round(SWITCH_INTERVAL * 1_000_000), (GC_FIRST_THRESHOLD, *before[1][1:]))
        assert settings_while_writing == [tuned]
        assert interpreter_settings() == before


class TestImportCommandProcess:
    """The real process: exit status and no traceback, whatever the input."""

    def test_a_rejected_file_exits_1_without_a_traceback(self, tmp_path: Path) -> None:
        junk = tmp_path / "junk.bin"
        junk.write_bytes(b"\x00" + os.urandom(4095))  # never blank on line 1
        database = tmp_path / "db.sqlite3"
        manage_py("migrate", "-v0", database=database, check=True)

        done = manage_py("import_d0010", junk, tmp_path / "missing", database=database)

        assert done.returncode == 1
        assert "Traceback" not in done.stdout + done.stderr
        assert f"rejected  {junk}: line 1" in done.stdout
        assert "2 file(s) rejected" in done.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_a_large_file_shows_a_progress_bar_on_a_terminal(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "large.uff"
        path.write_bytes(flow_file(readings=40_000))
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)

        output, error = run(str(path))

        assert error is None
        assert "40000 readings" in output
        assert "large.uff" in terminal.getvalue()
        assert "%|" in terminal.getvalue()  # a bar drawn; tqdm may skip the last redraw

    def test_no_bar_is_drawn_when_standard_error_is_not_a_terminal(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "large.uff"
        path.write_bytes(flow_file(readings=40_000))
        redirected = io.StringIO()
        monkeypatch.setattr(sys, "stderr", redirected)

        run(str(path))

        assert redirected.getvalue() == ""
