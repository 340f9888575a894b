"""Real ``process_inbox`` and ``import_d0010`` processes stopped, killed and side by side, on
SQLite and (when reachable) PostgreSQL: the databases of ``test_concurrency``."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.factories import flow_file
from tests.integration.test_concurrency import (  # noqa: F401 - ``database`` is a fixture
    Database,
    _wait_until,
    database,
    finish,
    start_import,
)

pytestmark = pytest.mark.slow

LARGE_READINGS = 200_000  # spills into SQLite's log long before its commit


def start_inbox(
    database: Database,  # noqa: F811 - the fixture's value
    root: Path,
    *args: str,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "process_inbox",
            str(root / "inbox"),
            "--archive",
            str(root / "archive"),
            "--quarantine",
            str(root / "quarantine"),
            "--interval",
            "0.2",
            *args,
        ],
        cwd=ROOT,
        env=database.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def inbox_with(root: Path, files: dict[str, bytes]) -> Path:
    inbox = root / "inbox"
    inbox.mkdir()
    for name, content in files.items():
        (inbox / name).write_bytes(content)
    return inbox


def archived(root: Path) -> list[str]:
    return sorted(path.name for path in (root / "archive").rglob("*") if path.is_file())


def large_file() -> bytes:
    return flow_file(readings=LARGE_READINGS, file_identifier="BIG0000001")


def small_file(number: int) -> bytes:
    return flow_file(readings=4, file_identifier=f"SML{number:07d}", first_mpan=200_000 + number)


class TestImportCommandStopped:
    @pytest.mark.parametrize(
        ("signal_number", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
    )
    def test_during_a_file_rolls_it_back_and_prints_the_summary_without_a_traceback(
        self,
        database: Database,  # noqa: F811 - the fixture
        tmp_path: Path,
        signal_number: int,
        status: int,
    ) -> None:
        if database.vendor != "sqlite":
            pytest.skip("one database shows it")
        path = tmp_path / "large.uff"
        path.write_bytes(large_file())
        process = start_import(database, path, "--batch-size", "2000")
        _wait_until(database.readings_written, "readings to be written", [process])

        process.send_signal(signal_number)
        code, output = finish(process)

        assert code == status, output
        assert "Traceback" not in output
        name = signal.Signals(signal_number).name
        assert f"{path}: stopped by {name} during its import: whole or nothing" in output
        assert f"Summary: 0 imported, 0 already imported, 1 rejected. Stopped by {name}." in output
        assert set(database.row_counts().values()) == {0}


class TestInboxStopped:
    def test_by_sigterm_during_a_file_exits_0_and_leaves_the_file_in_the_inbox(
        self,
        database: Database,  # noqa: F811 - the fixture
        tmp_path: Path,
    ) -> None:
        if database.vendor != "sqlite":
            pytest.skip("one database shows it")
        inbox = inbox_with(tmp_path, {"large.uff": large_file()})
        process = start_inbox(database, tmp_path, "--watch")
        _wait_until(database.readings_written, "readings to be written", [process])

        process.send_signal(signal.SIGTERM)
        code, output = finish(process)

        assert code == 0, output
        assert "Traceback" not in output
        assert "Stopped by SIGTERM: the file under way put back in the inbox" in output
        assert set(database.row_counts().values()) == {0}
        assert [path.name for path in inbox.iterdir()] == ["large.uff"]


class TestInboxKilled:
    def test_mid_import_then_restarted_imports_every_file_exactly_once(
        self,
        database: Database,  # noqa: F811 - the fixture
        tmp_path: Path,
    ) -> None:
        files = {"a_large.uff": large_file(), "b_small.uff": small_file(1)}
        inbox_with(tmp_path, files)
        process = start_inbox(database, tmp_path, "--watch")
        _wait_until(database.readings_written, "readings to be written", [process])

        process.send_signal(signal.SIGKILL)
        finish(process)
        code, output = finish(start_inbox(database, tmp_path))

        assert code == 0, output
        assert "took over" not in output  # logged, not printed; the files say it
        assert archived(tmp_path) == sorted(files)
        counts = database.row_counts()
        assert counts["FlowFile"] == 2
        assert counts["Reading"] == LARGE_READINGS + 4
        assert list((tmp_path / "inbox").iterdir()) == []


class TestTwoInboxProcessors:
    def test_never_take_the_same_file(
        self,
        database: Database,  # noqa: F811 - the fixture
        tmp_path: Path,
    ) -> None:
        files = {f"f{number:02d}.uff": small_file(number) for number in range(12)}
        inbox_with(tmp_path, files)

        processes = [start_inbox(database, tmp_path) for _ in range(2)]
        results = [finish(process) for process in processes]

        assert [code for code, _ in results] == [0, 0], results
        taken = [
            line.split()[1]
            for _, output in results
            for line in output.splitlines()
            if line.startswith("archived")
        ]
        assert sorted(taken) == sorted(files)  # each once, by one of them
        assert archived(tmp_path) == sorted(files)
        assert database.row_counts()["FlowFile"] == len(files)
        assert "already imported as" not in "".join(output for _, output in results)
