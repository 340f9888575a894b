"""One measured step, run in its own process so that its peak RSS is its own.

``python -m bench.child STEP JSON`` runs the step with the arguments in JSON and prints one JSON
line: the step's figures, with ``peak_rss_mb`` (``getrusage`` of this process) and
``seconds``. The database is the one ``DATABASE_URL`` names.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Django is imported only once a step has set it up
    from django.test import Client

Figures = dict[str, Any]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()


def migrate(arguments: Figures) -> Figures:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {}


def import_file(arguments: Figures) -> Figures:
    _django()
    from readings.services.importing import DEFAULT_BATCH_SIZE, import_flow_file, import_tuning

    batch_size = arguments["batch_size"] or DEFAULT_BATCH_SIZE
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with import_tuning():  # as the import_d0010 command runs
        result = import_flow_file(source=Path(arguments["path"]), batch_size=int(batch_size))
    seconds = time.perf_counter() - started
    return {
        "readings": result.reading_count,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "warnings": len(result.warnings),
    }


def importer(arguments: Figures) -> Figures:
    """One of several importers side by side: import ``paths`` one after the other, starting at
    ``start_at`` (``time.time()``, the same for all, once each has set Django up); the wall
    clock times it started and finished, and the readings it imported."""
    _django()
    from readings.services.importing import DEFAULT_BATCH_SIZE, import_flow_file, import_tuning

    batch_size = int(arguments["batch_size"] or DEFAULT_BATCH_SIZE)
    time.sleep(max(0.0, float(arguments["start_at"]) - time.time()))
    started = time.time()
    readings = retries = 0
    with import_tuning():
        for path in arguments["paths"]:
            result = import_flow_file(source=Path(path), batch_size=batch_size)
            readings += result.reading_count
            retries += result.retries
    return {"readings": readings, "started": started, "finished": time.time(), "retries": retries}


# The tables an import writes, parents first: what the floor writes again.
FLOOR_TABLES = (
    "readings_meterpoint",
    "readings_meter",
    "readings_filemeter",
    "readings_reading",
    "readings_sitevisit",
)
FLOOR_BATCH = 5000


def floor(arguments: Figures) -> Figures:
    """How fast the database takes the rows an import stored, and nothing else.

    Reads every row the import wrote (from ``DATABASE_URL``, the loaded database) and writes
    them again, ids and all, into a fresh migrated database at ``target``, with its indexes,
    constraints and foreign keys: no file, no parsing, no lookups. SQLite gets them as the
    import sends them (one ``INSERT ... SELECT`` from a JSON array per 5,000 rows, which was
    faster than ``executemany`` here); PostgreSQL by ``COPY``. Only the writes and the commit
    are timed. No import of the same file into the same schema can be faster than this.
    """
    _django()
    from django.db import connection

    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table in ("readings_flowfile", *FLOOR_TABLES):
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed names
            rows[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    readings = len(rows["readings_reading"][1])
    if connection.vendor == "sqlite":
        seconds = _floor_sqlite(Path(arguments["target"]), rows)
    else:
        seconds = _floor_postgres(arguments["target"], rows)
    return {"readings": readings, "seconds": seconds}


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def _floor_sqlite(target: Path, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    import sqlite3

    from readings.services.importing import SQLITE_IMPORT_CACHE_KIB

    batches = {  # made before the clock starts: the import makes them in another thread
        table: [
            json.dumps(data[i : i + FLOOR_BATCH], default=str)
            for i in range(0, len(data), FLOOR_BATCH)
        ]
        for table, (_, data) in rows.items()
    }
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB:d}")
        statements = {}
        for table, (columns, _) in rows.items():
            items = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(len(columns)))
            statements[table] = (
                f"INSERT INTO {table} ({_quoted(columns)}) SELECT {items} FROM json_each(?) AS j"  # noqa: S608
            )
        for batch in batches["readings_flowfile"]:
            connection.execute(statements["readings_flowfile"], (batch,))
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for table in FLOOR_TABLES:
            for batch in batches[table]:
                connection.execute(statements[table], (batch,))
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def _floor_postgres(target: str, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    import psycopg

    with psycopg.connect(target) as connection:

        def copy(table: str) -> None:
            columns, data = rows[table]
            with connection.cursor().copy(
                f"COPY {table} ({_quoted(columns)}) FROM STDIN"
            ) as writer:
                for row in data:
                    writer.write_row(row)

        copy("readings_flowfile")
        connection.commit()
        started = time.perf_counter()
        for table in FLOOR_TABLES:
            copy(table)
        connection.commit()  # the deferred foreign key checks run here
        return time.perf_counter() - started


def reference_sqlite(arguments: Figures) -> Figures:
    from bench.reference import sqlite_reference

    started = time.perf_counter()
    readings = sqlite_reference(Path(arguments["path"]), Path(arguments["database"]))
    return {"readings": readings, "seconds": time.perf_counter() - started}


def reference_postgres(arguments: Figures) -> Figures:
    from bench.reference import postgres_reference

    started = time.perf_counter()
    readings = postgres_reference(Path(arguments["path"]), arguments["url"])
    return {"readings": readings, "seconds": time.perf_counter() - started}


def admin_pages(arguments: Figures) -> Figures:
    """Server-side render times of the admin's reading and meter point pages, and CSV export."""
    _django()
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from readings.models import FlowFile, Meter, MeterPoint, Reading

    if not admin.site.is_registered(Reading) or not admin.site.is_registered(MeterPoint):
        return {"skipped": "the admin does not register Reading and MeterPoint yet"}
    user_model = get_user_model()
    user = user_model.objects.filter(
        username="bench"
    ).first() or user_model.objects.create_superuser("bench", "bench@example.invalid", None)
    client = Client()
    client.force_login(user)
    meter = Meter.objects.select_related("meter_point").order_by("id")[Meter.objects.count() // 2]
    readings_url = reverse("admin:readings_reading_changelist")
    worklist_url = reverse("admin:readings_worklistentry_changelist")
    sender = FlowFile.objects.values_list("sender_participant_id", flat=True).first()
    pages = {
        "reading list, unfiltered": readings_url,
        "reading list, search by MPAN": f"{readings_url}?q={meter.meter_point.mpan}",
        "reading list, search by serial": f"{readings_url}?q={meter.serial_number}",
        "reading list, status withdrawn": f"{readings_url}?status=withdrawn",
        "reading list, status live": f"{readings_url}?status=live",
        "reading list, anomaly negative": f"{readings_url}?anomaly=negative",
        "anomaly worklist": worklist_url,
        "anomaly worklist, over 6 months, by sender": f"{worklist_url}?age=older&sender={sender}",
        "meter point page (summary, chart, timeline)": reverse(
            "admin:readings_meterpoint_change", args=[meter.meter_point_id]
        ),
        "meter page (chart)": reverse("admin:readings_meter_change", args=[meter.pk]),
    }
    figures = _timed_pages(client, pages, int(arguments["renders"]))
    if "skipped" in figures:
        return figures
    export = arguments.get("export")
    if export is not None:
        figures["csv"] = _export(client, export)
    return figures


def _export(client: Client, file_name: str) -> Figures:
    """Export the reading list as CSV through the admin's export form: every reading, or those
    of the flow file named ``file_name`` (the list's flow file filter)."""
    from django.urls import reverse

    from readings.exports import ReadingResource
    from readings.models import FlowFile

    query = ""
    if file_name:
        query = f"?flow_file__id__exact={FlowFile.objects.get(file_name=file_name).pk}"
    data = {"format": "0", "resource": "0"}
    for name in ReadingResource().get_export_order():
        data[f"readingresource_{name}"] = "on"
    started = time.perf_counter()
    response = client.post(f"{reverse('admin:readings_reading_export')}{query}", data)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/csv"):
        return {"skipped": f"the export answered HTTP {response.status_code}"}
    lines = size = 0
    for piece in response:  # piece by piece, as a client receives a streamed file
        lines += piece.count(b"\n")
        size += len(piece)
    seconds = time.perf_counter() - started
    return {"rows": lines - 1, "seconds": seconds, "megabytes": size / 2**20}  # less the header


def long_history(arguments: Figures) -> Figures:
    """The reading list and the page of one meter with a very long history: ``readings``
    hourly readings of one register, written by one SQL statement into the (fresh) database,
    then timed as ``admin_pages`` times its pages (median of ``renders``, with query counts)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from readings.models import FlowFile, Meter, MeterPoint

    count = int(arguments["readings"])
    point = MeterPoint.objects.create(mpan="1400077200517")
    meter = Meter.objects.create(meter_point=point, serial_number="LONG 1", serial_key="LONG1")
    flow_file = FlowFile.objects.create(
        file_name="long.uff",
        sha256="0" * 64,
        size_bytes=0,
        file_identifier="LONG",
        flow_reference="D0010",
        flow_version="002",
        sender_role="D",
        sender_participant_id="BNCH",
        recipient_role="X",
        recipient_participant_id="BNCH",
        file_created_at=timezone.now(),
        reading_count=count,
    )
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
        read_at = "datetime('2000-01-01', '+' || i || ' hours')"
        source = "n"
    else:
        numbers = ""
        read_at = "TIMESTAMPTZ '2000-01-01 00:00+00' + i * INTERVAL '1 hour'"
        source = "generate_series(1, %s) AS n(i)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{numbers} INSERT INTO readings_reading (flow_file_id, line_number, meter_id, "  # noqa: S608 - fixed text
            "register_id, read_at, value, reading_flag, reading_method, reading_type, "
            "bsc_validation_status, validation_reason_code) "
            f"SELECT %s, i, %s, '01', {read_at}, i, TRUE, 'N', 'R', 'V', '' FROM {source}",
            [count, flow_file.pk, meter.pk] if numbers else [flow_file.pk, meter.pk, count],
        )
        cursor.execute("ANALYZE")
    filled = time.perf_counter() - started
    user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", None)
    client = Client()
    client.force_login(user)
    readings_url = reverse("admin:readings_reading_changelist")
    pages = {
        "reading list of the meter": f"{readings_url}?meter__id__exact={meter.pk}",
        "reading list searched by its serial": f"{readings_url}?q={meter.serial_number}",
        "meter page": reverse("admin:readings_meter_change", args=[meter.pk]),
    }
    figures = _timed_pages(client, pages, int(arguments["renders"]))
    figures["fill_seconds"] = filled
    return figures


def _timed_pages(client: Client, pages: dict[str, str], renders: int) -> Figures:
    """Each page's median render time over ``renders`` and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures: Figures = {"pages": {}}
    for name, url in pages.items():
        times: list[float] = []
        queries = 0
        for _ in range(renders):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            if response.status_code != 200:
                return {"skipped": f"{name}: HTTP {response.status_code} at {url}"}
            queries = len(captured.captured_queries)
        figures["pages"][name] = {"median_ms": statistics.median(times) * 1000, "queries": queries}
    return figures


STEPS: dict[str, Callable[[Figures], Figures]] = {
    "migrate": migrate,
    "import": import_file,
    "reference-sqlite": reference_sqlite,
    "reference-postgres": reference_postgres,
    "floor": floor,
    "admin": admin_pages,
    "long-history": long_history,
    "importer": importer,
}


def main(argv: list[str]) -> int:
    step, arguments = argv[0], json.loads(argv[1])
    figures = STEPS[step](arguments)
    figures["peak_rss_mb"] = _peak_rss_mb()
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
