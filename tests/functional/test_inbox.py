"""``manage.py process_inbox`` in one pass: what goes where, what is left, what it says."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readings.localtime import as_uk
from readings.models import FlowFile
from readings.services.inbox import CLAIM_PREFIX, STALE_CLAIM_SECONDS
from tests.factories import flow_file

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Folders:
    inbox: Path
    archive: Path
    quarantine: Path

    @property
    def today(self) -> Path:
        day = as_uk(datetime.now(tz=timezone.utc)).date()
        return self.archive / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"

    def run(self, *extra: str) -> tuple[str, CommandError | None]:
        out = io.StringIO()
        try:
            call_command(
                "process_inbox",
                str(self.inbox),
                "--archive",
                str(self.archive),
                "--quarantine",
                str(self.quarantine),
                "--interval",
                "0.05",
                *extra,
                stdout=out,
                no_color=True,
            )
        except CommandError as error:
            return out.getvalue(), error
        return out.getvalue(), None


@pytest.fixture
def folders(tmp_path: Path) -> Folders:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Folders(inbox, tmp_path / "archive", tmp_path / "quarantine")


def good(number: int) -> bytes:
    return flow_file(readings=2, file_identifier=f"GEN{number:07d}", first_mpan=number * 10)


INVALID = b"ZHV|oops\n"


class TestOnePass:
    def test_imports_in_name_order_and_archives_under_the_day(self, folders: Folders) -> None:
        (folders.inbox / "b.uff").write_bytes(good(2))
        (folders.inbox / "a.uff").write_bytes(good(1))

        output, error = folders.run()

        assert error is None, output
        assert sorted(p.name for p in folders.today.iterdir()) == ["a.uff", "b.uff"]
        assert list(FlowFile.objects.order_by("id").values_list("file_name", flat=True)) == [
            "a.uff",
            "b.uff",
        ]
        assert output.index("a.uff") < output.index("b.uff")
        assert "Pass: 2 imported, 0 already imported, 0 quarantined" in output
        assert list(folders.inbox.iterdir()) == []  # the work folder removed too

    def test_an_already_imported_file_is_archived_too(self, folders: Folders) -> None:
        (folders.inbox / "first.uff").write_bytes(good(1))
        folders.run()
        (folders.inbox / "again.uff").write_bytes(good(1))

        output, error = folders.run()

        assert error is None, output
        assert (folders.today / "again.uff").read_bytes() == good(1)
        assert "Pass: 0 imported, 1 already imported" in output
        assert FlowFile.objects.count() == 1

    def test_an_invalid_file_is_quarantined_with_every_issue_beside_it(
        self, folders: Folders
    ) -> None:
        (folders.inbox / "bad.uff").write_bytes(INVALID)
        (folders.inbox / "good.uff").write_bytes(good(1))

        output, error = folders.run()

        assert error is not None
        assert error.returncode == 1
        assert (folders.quarantine / "bad.uff").read_bytes() == INVALID
        errors = (folders.quarantine / "bad.uff.errors.txt").read_text()
        assert errors.startswith("File: bad.uff\nOutcome: rejected, not imported, not a valid")
        assert "Issues (2):\n  line 1, Data Flow Reference and Version (J0937)" in errors
        assert "\n  the file ends without a ZPT trailer\n" in errors
        assert "quarantined bad.uff -> " in output
        assert (folders.today / "good.uff").exists()
        assert "Pass: 1 imported, 0 already imported, 1 quarantined" in output

    def test_a_refused_file_is_quarantined_with_its_reason(self, folders: Folders) -> None:
        test_data = flow_file(readings=2, test_data_flag="TR01")
        (folders.inbox / "test.uff").write_bytes(test_data)

        _, error = folders.run()

        assert error is not None
        errors = (folders.quarantine / "test.uff.errors.txt").read_text()
        assert "Test Data Flag is 'TR01'" in errors

    def test_a_name_taken_in_the_archive_or_quarantine_gets_a_suffix(
        self, folders: Folders
    ) -> None:
        folders.today.mkdir(parents=True)
        (folders.today / "a.uff").write_bytes(b"kept")
        folders.quarantine.mkdir()
        (folders.quarantine / "bad.uff").write_bytes(b"kept too")
        (folders.inbox / "a.uff").write_bytes(good(1))
        (folders.inbox / "bad.uff").write_bytes(INVALID)

        folders.run()

        assert (folders.today / "a.uff").read_bytes() == b"kept"
        assert (folders.today / "a-1.uff").read_bytes() == good(1)
        assert (folders.quarantine / "bad.uff").read_bytes() == b"kept too"
        assert (folders.quarantine / "bad-1.uff").read_bytes() == INVALID
        assert (folders.quarantine / "bad-1.uff.errors.txt").exists()

    def test_hidden_files_and_folders_are_left_alone(self, folders: Folders) -> None:
        (folders.inbox / ".upload.uff.part").write_bytes(good(1))
        (folders.inbox / "sub").mkdir()

        output, error = folders.run()

        assert error is None, output
        assert (folders.inbox / ".upload.uff.part").exists()
        assert (folders.inbox / "sub").is_dir()
        assert FlowFile.objects.count() == 0
        assert "Pass: 0 imported" in output

    def test_a_file_still_growing_between_the_two_looks_is_left_for_later(
        self, folders: Folders, tmp_path: Path
    ) -> None:
        growing = folders.inbox / "growing.uff"
        writer = subprocess.Popen(  # appends a byte every 10 ms for 3 s
            [
                sys.executable,
                "-c",
                (
                    "import sys, time\n"
                    "with open(sys.argv[1], 'ab', buffering=0) as f:\n"
                    "    for _ in range(300):\n"
                    "        f.write(b'x'); time.sleep(0.01)\n"
                ),
                str(growing),
            ]
        )
        try:
            while not growing.exists():
                pass
            output, error = folders.run("--interval", "0.5")
        finally:
            writer.wait(timeout=30)

        assert error is None, output
        assert growing.exists()
        assert "1 still arriving" in output

    def test_a_dead_processors_claims_are_taken_over(self, folders: Folders) -> None:
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        host = socket.gethostname().replace(".", "_")
        claims = folders.inbox / f"{CLAIM_PREFIX}{host}.{int(dead.stdout)}"
        claims.mkdir()
        (claims / "claimed.uff").write_bytes(good(1))

        output, error = folders.run()

        assert error is None, output
        assert (folders.today / "claimed.uff").exists()
        assert not claims.exists()

    def test_a_live_processors_claims_are_left_alone(self, folders: Folders) -> None:
        host = socket.gethostname().replace(".", "_")
        claims = folders.inbox / f"{CLAIM_PREFIX}{host}.{os.getppid()}"
        claims.mkdir()
        (claims / "claimed.uff").write_bytes(good(1))

        output, error = folders.run()

        assert error is None, output
        assert (claims / "claimed.uff").exists()
        assert FlowFile.objects.count() == 0

    def test_a_name_that_is_not_utf8_is_archived_under_its_own_bytes(
        self, folders: Folders
    ) -> None:
        name = os.fsdecode(b"caf\xe9.uff")
        (folders.inbox / name).write_bytes(good(1))

        output, error = folders.run()

        assert error is None, output
        assert [os.fsencode(p.name) for p in folders.today.iterdir()] == [b"caf\xe9.uff"]
        assert "archived    caf\\udce9.uff -> " in output
        assert FlowFile.objects.get().file_name == "caf\\xe9.uff"

    @pytest.mark.parametrize(("age", "taken"), [(STALE_CLAIM_SECONDS + 60, True), (60, False)])
    def test_another_hosts_claims_are_taken_over_once_untouched_for_long(
        self, folders: Folders, age: float, taken: bool
    ) -> None:
        claims = folders.inbox / f"{CLAIM_PREFIX}other-host.4242"
        claims.mkdir()
        (claims / "claimed.uff").write_bytes(good(1))
        then = time.time() - age
        os.utime(claims, (then, then))

        output, error = folders.run()

        assert error is None, output
        assert (folders.today / "claimed.uff").exists() is taken
        assert (claims / "claimed.uff").exists() is not taken

    def test_an_inbox_that_is_not_a_folder_is_an_error(self, folders: Folders) -> None:
        folders.inbox.rmdir()

        _, error = folders.run()

        assert error is not None
        assert "the inbox is not a folder" in str(error)

    def test_an_empty_inbox_argument_is_an_error(self, folders: Folders) -> None:
        with pytest.raises(CommandError, match="invalid"):
            call_command("process_inbox", "", "--archive", "a", "--quarantine", "q")
