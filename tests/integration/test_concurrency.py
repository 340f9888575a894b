"""Real ``import_d0010`` processes at once, and one killed half-way, on SQLite and PostgreSQL.

Each test gets a database of its own, migrated by ``manage.py migrate``: a temporary SQLite file,
or a PostgreSQL database created and dropped around the test (on the server of ``DATABASE_URL``
when that is PostgreSQL, else 127.0.0.1:5432 as user postgres; ``TEST_POSTGRES_SERVER``
overrides both). PostgreSQL tests are skipped when the server cannot be reached, unless
``REQUIRE_POSTGRES=1`` (as in CI) makes that a failure.

To make two imports really meet, the test holds a "gate" while they start: a lock that lets
them read (so both find the file not yet imported) but not write, then lets both go at once.
On PostgreSQL, imports run side by side: a watcher on a connection of its own sees how many
transactions hold readings they wrote and have not committed yet, and what the readings mean is
compared with the same files imported one after the other.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db.models import Model
from psycopg import sql

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit
from tests.conftest import ROOT
from tests.factories import flow_file, mpan

pytestmark = pytest.mark.slow

ALL_MODELS: tuple[type[Model], ...] = (FlowFile, MeterPoint, Meter, FileMeter, Reading, SiteVisit)


def _postgres_server() -> str:
    """The server to make databases on: TEST_POSTGRES_SERVER, else DATABASE_URL's when that is
    PostgreSQL, else the local one."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        default = database_url.rsplit("/", 1)[0]
    else:
        default = "postgres://postgres@127.0.0.1:5432"
    return os.environ.get("TEST_POSTGRES_SERVER", default)


POSTGRES_SERVER = _postgres_server()
WAIT_SECONDS = 120.0


@dataclass(frozen=True)
class Database:
    """A database of the test's own, and how a process reaches it."""

    vendor: str  # "sqlite" or "postgresql"
    url: str
    sqlite_path: Path | None = None
    postgres_name: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_"))
        }
        env["DATABASE_URL"] = self.url
        return env

    def query(self, statement: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        if self.sqlite_path is not None:
            with closing(sqlite3.connect(self.sqlite_path, timeout=WAIT_SECONDS)) as connection:
                return connection.execute(statement, tuple(params)).fetchall()
        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(statement.replace("?", "%s"), params).fetchall()

    def row_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for model in ALL_MODELS:
            [(count,)] = self.query(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608 - the models' own table names
            assert isinstance(count, int)
            counts[model.__name__] = count
        return counts

    def duplicate_rows(self) -> int:
        """Meter points sharing an MPAN or meters sharing a serial at a point (must be 0)."""
        points = MeterPoint._meta.db_table
        meters = Meter._meta.db_table
        [(count,)] = self.query(
            f'SELECT (SELECT COUNT(*) - COUNT(DISTINCT "mpan") FROM "{points}") + '  # noqa: S608 - the models' own table names
            f'(SELECT COUNT(*) FROM (SELECT 1 FROM "{meters}" '
            f'GROUP BY "meter_point_id", "serial_number" HAVING COUNT(*) > 1) AS d)'
        )
        assert isinstance(count, int)
        return count

    def readings_written(self) -> bool:
        """Whether an import has started writing readings, committed or not."""
        if self.sqlite_path is not None:
            # Uncommitted pages spill into the write-ahead log once the page cache is full.
            wal = self.sqlite_path.with_name(self.sqlite_path.name + "-wal")
            return wal.exists() and wal.stat().st_size > 4 << 20
        [(size,)] = self.query("SELECT pg_relation_size(?)", [Reading._meta.db_table])
        assert isinstance(size, int)
        return size > 0

    @contextmanager
    def gate(
        self, start: Callable[[], list[subprocess.Popen[str]]]
    ) -> Iterator[list[subprocess.Popen[str]]]:
        """Close the gate, ``start`` the processes, and wait until every one of them is held
        there (they may read but not write); the gate opens when the block ends. Closing it
        before the processes start means none can slip through first."""
        sqlite_path = self.sqlite_path
        if sqlite_path is not None:
            with closing(sqlite3.connect(sqlite_path, isolation_level=None)) as connection:
                connection.execute("BEGIN IMMEDIATE")  # the write lock: readers still read
                processes = start()
                _wait_until(
                    lambda: all(_has_open(process, sqlite_path) for process in processes),
                    "the processes to open the database",
                    processes,
                )
                time.sleep(1.0)  # then read, find nothing, and queue for the write lock
                yield processes
                connection.execute("ROLLBACK")
            return
        with psycopg.connect(self.url) as connection:
            # Blocks INSERT into the flow file table, not SELECT.
            connection.execute(
                sql.SQL("LOCK TABLE {} IN SHARE MODE").format(
                    sql.Identifier(FlowFile._meta.db_table)
                )
            )
            processes = start()
            _wait_until(
                lambda: self._waiting_on_locks() == len(processes),
                f"{len(processes)} imports to wait for the gate",
                processes,
            )
            yield processes
            connection.rollback()

    def _waiting_on_locks(self) -> int:
        [(count,)] = self.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'",
            [self.postgres_name],
        )
        assert isinstance(count, int)
        return count


def _has_open(process: subprocess.Popen[str], path: Path) -> bool:
    fds = Path(f"/proc/{process.pid}/fd")
    if not fds.is_dir():  # not Linux: give the process time instead
        time.sleep(3.0)
        return True
    try:
        return any(fd.readlink() == path.resolve() for fd in fds.iterdir())
    except OSError:  # a descriptor closed while being read
        return False


def _wait_until(
    condition: Callable[[], bool], what: str, processes: Sequence[subprocess.Popen[str]]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        finished = [process for process in processes if process.poll() is not None]
        if finished or time.monotonic() > deadline:
            outputs = [process.communicate() for process in finished]
            pytest.fail(f"gave up waiting for {what}; finished processes said: {outputs}")
        time.sleep(0.02)


def _postgres_admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {POSTGRES_SERVER} ({str(error).strip()})"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}, and REQUIRE_POSTGRES=1 requires it")
    pytest.skip(f"{reason}; set REQUIRE_POSTGRES=1 to make this a failure")


def _migrate(database: Database) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=database.env,
        check=True,
        capture_output=True,
        timeout=WAIT_SECONDS,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "concurrency.sqlite3"
        database = Database(vendor="sqlite", url=f"sqlite:///{path}", sqlite_path=path)
        _migrate(database)
        yield database
        return
    with _postgres_database() as database:
        yield database


@pytest.fixture
def postgresql() -> Iterator[Database]:
    """A PostgreSQL database of the test's own (what imports side by side need)."""
    with _postgres_database() as database:
        yield database


@contextmanager
def _postgres_database() -> Iterator[Database]:
    name = f"d0010_reliability_{uuid.uuid4().hex[:12]}"
    with _postgres_admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            database = Database(
                vendor="postgresql", url=f"{POSTGRES_SERVER}/{name}", postgres_name=name
            )
            _migrate(database)
            yield database
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def start_import(database: Database, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_d0010", "--no-progress", *map(str, args)],
        cwd=ROOT,
        env=database.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Exit status and everything the process wrote."""
    try:
        stdout, stderr = process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"the import did not finish in {WAIT_SECONDS} s: {stdout}{stderr}")
    return process.returncode, stdout + stderr


def meter_point_file(numbers: Sequence[int], *, identifier: str, day: str) -> bytes:
    """A valid file with one meter and two readings for each meter point, in the given order."""
    body: list[str] = []
    for number in numbers:
        body += [
            f"026|{mpan(number)}|V|",
            f"028|S{number:06d}|R|",
            f"030|01|{day}000000|{number}.0|||T|N|",
            f"030|02|{day}000000|{number}.5|||T|N|",
        ]
    return dtc_file(body, identifier=identifier)


def dtc_file(body: Sequence[str], *, identifier: str) -> bytes:
    """The groups of ``body`` between a header and a trailer."""
    groups = sum(1 for line in body if line.startswith("026"))
    return "\n".join(
        [
            f"ZHV|{identifier}|D0010002|D|DCAA|X|SUPA|20240401120000||||OPER|",
            *body,
            f"ZPT|{identifier}|{len(body)}||{groups}|20240401120001|",
            "",
        ]
    ).encode()


@contextmanager
def most_writing_at_once(database: Database) -> Iterator[list[int]]:
    """Watch, from a connection of its own, how many transactions hold rows of readings they
    have written and not committed yet; the list's one item is the most seen at once."""
    most = [0]
    stop = threading.Event()

    def watch() -> None:
        with psycopg.connect(database.url, autocommit=True) as connection:
            while not stop.is_set():
                most[0] = max(most[0], _writing(connection))
                time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield most
    finally:
        stop.set()
        watcher.join(WAIT_SECONDS)


def _writing(connection: psycopg.Connection[tuple[object, ...]]) -> int:
    """Transactions that hold the lock that writing readings takes (until they end)."""
    [(count,)] = connection.execute(
        "SELECT COUNT(DISTINCT pid) FROM pg_locks WHERE locktype = 'relation' "
        "AND relation = %s::regclass AND mode = 'RowExclusiveLock' AND granted "
        "AND pid <> pg_backend_pid()",
        [Reading._meta.db_table],
    ).fetchall()
    assert isinstance(count, int)
    return count


def _import_one_by_one(database: Database, *paths: Path) -> None:
    for path in paths:
        status, output = finish(start_import(database, path))
        assert status == 0, output


class TestTwoProcessesImportingTheSameFile:
    def test_one_imports_it_and_the_other_reports_it_already_imported(
        self, database: Database, tmp_path: Path
    ) -> None:
        path = tmp_path / "same.uff"
        path.write_bytes(flow_file(readings=20_000))

        with database.gate(
            lambda: [start_import(database, path), start_import(database, path)]
        ) as processes:
            pass
        results = [finish(process) for process in processes]

        assert [status for status, _ in results] == [0, 0], results
        outputs = sorted(output for _, output in results)
        assert outputs[0].startswith(f"imported  {path}: 10000 meter points"), outputs
        assert outputs[1].startswith(f"skipped   {path}: already imported as flow file #")
        assert database.row_counts() == {
            "FlowFile": 1,
            "MeterPoint": 10_000,
            "Meter": 10_000,
            "FileMeter": 10_000,
            "Reading": 20_000,
            "SiteVisit": 0,
        }


class TestTwoProcessesImportingDifferentFilesAboutTheSameMeterPoints:
    def test_both_import_without_duplicates_or_deadlock(
        self, database: Database, tmp_path: Path
    ) -> None:
        numbers = range(1, 5_001)
        # Opposite orders and small batches: each import holds meter points the other needs
        # next, the classic shape of a deadlock.
        forward = tmp_path / "forward.uff"
        forward.write_bytes(meter_point_file(numbers, identifier="FWD0000001", day="20240301"))
        backward = tmp_path / "backward.uff"
        backward.write_bytes(
            meter_point_file(numbers[::-1], identifier="BWD0000001", day="20240302")
        )

        with database.gate(
            lambda: [
                start_import(database, forward, "--batch-size", "500"),
                start_import(database, backward, "--batch-size", "500"),
            ]
        ) as processes:
            pass
        results = [finish(process) for process in processes]

        assert [status for status, _ in results] == [0, 0], results
        assert all(output.startswith("imported  ") for _, output in results), results
        assert database.row_counts() == {
            "FlowFile": 2,
            "MeterPoint": 5_000,
            "Meter": 5_000,
            "FileMeter": 10_000,
            "Reading": 20_000,
            "SiteVisit": 0,
        }
        assert database.duplicate_rows() == 0


class TestAProcessKilledInTheMiddleOfAnImport:
    def test_leaves_nothing_behind_and_the_file_imports_afterwards(
        self, database: Database, tmp_path: Path
    ) -> None:
        path = tmp_path / "large.uff"
        path.write_bytes(flow_file(readings=200_000))
        process = start_import(database, path, "--batch-size", "2000")
        _wait_until(database.readings_written, "readings to be written", [process])

        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        status, _ = finish(process)

        assert status == -signal.SIGKILL
        assert set(database.row_counts().values()) == {0}
        status, output = finish(start_import(database, path))
        assert status == 0, output
        assert output.startswith(f"imported  {path}: 100000 meter points, 100000 meters, 200000")
        assert database.row_counts()["Reading"] == 200_000


class TestTwoProcessesImportingFilesWithTheSameIdentifier:
    def test_one_imports_its_file_and_the_other_is_refused(
        self, database: Database, tmp_path: Path
    ) -> None:
        paths = []
        for day in ("20240301", "20240302"):  # different bytes, the same sender and identifier
            path = tmp_path / f"{day}.uff"
            path.write_bytes(meter_point_file(range(1, 201), identifier="SAME000001", day=day))
            paths.append(path)

        with database.gate(lambda: [start_import(database, path) for path in paths]) as processes:
            pass
        results = sorted(finish(process) for process in processes)

        assert [status for status, _ in results] == [0, 1], results
        assert results[0][1].startswith("imported  "), results
        assert "already sent file identifier SAME000001 in a different file" in results[1][1]
        assert database.row_counts()["FlowFile"] == 1
        assert database.row_counts()["Reading"] == 400


class TestImportsSideBySideOnPostgreSQL:
    def test_files_about_the_same_meter_points_write_at_the_same_time_and_both_commit(
        self, postgresql: Database, tmp_path: Path
    ) -> None:
        numbers = range(1, 3_001)
        known = tmp_path / "known.uff"  # the meter points are there before
        known.write_bytes(meter_point_file(numbers, identifier="KNOWN00001", day="20240201"))
        _import_one_by_one(postgresql, known)
        march = tmp_path / "march.uff"
        march.write_bytes(meter_point_file(numbers, identifier="MARCH00001", day="20240301"))
        later = tmp_path / "later.uff"  # a day later, the meter points in the other order
        later.write_bytes(meter_point_file(numbers[::-1], identifier="LATER00001", day="20240302"))

        with most_writing_at_once(postgresql) as most:
            with postgresql.gate(
                lambda: [
                    start_import(postgresql, path, "--batch-size", "200") for path in (march, later)
                ]
            ) as processes:
                pass
            results = [finish(process) for process in processes]

        assert [status for status, _ in results] == [0, 0], results
        assert most == [2]  # both held uncommitted readings at the same moment
        assert postgresql.row_counts() == {
            "FlowFile": 3,
            "MeterPoint": 3_000,
            "Meter": 3_000,
            "FileMeter": 9_000,
            "Reading": 18_000,
            "SiteVisit": 0,
        }
        assert postgresql.duplicate_rows() == 0
        # What the readings mean, as one after the other: each register's chain runs through
        # the three days, and only the latest day's reading is the latest.
        reading = Reading._meta.db_table
        assert postgresql.query(
            f'SELECT "status", "is_latest", "advance" IS NULL, COUNT(*) FROM "{reading}" '  # noqa: S608 - the model's own table name
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ) == [
            ("live", False, False, 6_000),
            ("live", False, True, 6_000),
            ("live", True, False, 6_000),
        ]
        [(latest_day,)] = postgresql.query(
            f'SELECT DISTINCT "read_at"::date FROM "{reading}" WHERE "is_latest"'  # noqa: S608 - the model's own table name
        )
        assert str(latest_day) == "2024-03-02"

    def test_a_file_that_commits_after_a_later_one_means_what_it_would_one_after_the_other(
        self, postgresql: Database, tmp_path: Path
    ) -> None:
        point = [f"026|{mpan(1)}|V|", "028|S000001|R|"]
        known = tmp_path / "known.uff"
        known.write_bytes(
            dtc_file([*point, "030|01|20240301000000|100.0|||T|N|"], identifier="KNOWN00001")
        )
        # A long file with a reading of the register, then a short one that withdraws it.
        long = tmp_path / "long.uff"
        long.write_bytes(
            dtc_file(
                [
                    *meter_point_file(range(10, 20_010), identifier="-", day="20240401")
                    .decode()
                    .splitlines()[1:-1],
                    *point,
                    "030|01|20240401000000|150.0|||T|N|",
                ],
                identifier="LONG000001",
            )
        )
        withdrawal = tmp_path / "withdrawal.uff"
        withdrawal.write_bytes(
            dtc_file(
                [f"026|{mpan(1)}|V|", "028|S000001|W|", "030|01|20240401000000|150.0|||T|N|"],
                identifier="W000000001",
            )
        )
        _import_one_by_one(postgresql, known)

        # The long file takes its id first, and is still writing when the short one commits.
        long_import = start_import(postgresql, long, "--batch-size", "500")
        with psycopg.connect(postgresql.url, autocommit=True) as connection:
            _wait_until(lambda: _writing(connection) == 1, "the long file to write", [long_import])
        status, output = finish(start_import(postgresql, withdrawal))
        assert status == 0, output
        assert long_import.poll() is None, "the long file finished first: no race to show"
        status, output = finish(long_import)
        assert status == 0, output

        with _postgres_database() as one_by_one:
            _import_one_by_one(one_by_one, known, long, withdrawal)
            expected = _meaning_of_meter_point(one_by_one, mpan(1))
        assert _meaning_of_meter_point(postgresql, mpan(1)) == expected
        assert [status for _, status, *_ in expected] == ["live", "withdrawn", "withdrawal"]


def _meaning_of_meter_point(database: Database, number: str) -> list[tuple[object, ...]]:
    """Each reading of the meter point by file and line: status, advance, anomaly, latest."""
    return database.query(
        f'SELECT f."file_identifier" || \':\' || r."line_number", r."status", r."advance", '  # noqa: S608 - the models' own table names
        'r."anomaly", r."is_latest" '
        f'FROM "{Reading._meta.db_table}" r JOIN "{FlowFile._meta.db_table}" f '
        'ON f."id" = r."flow_file_id" '
        f'JOIN "{Meter._meta.db_table}" m ON m."id" = r."meter_id" '
        f'JOIN "{MeterPoint._meta.db_table}" p ON p."id" = m."meter_point_id" '
        'WHERE p."mpan" = ? ORDER BY r."read_at", f."id"',
        [number],
    )
