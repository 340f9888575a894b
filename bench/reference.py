"""The reference the import is compared with: split the lines, insert only the readings.

No validation and no model: one denormalised table, one transaction. On SQLite the rows go in
with ``executemany``; on PostgreSQL with psycopg 3 ``COPY``. It is what the machine and the
database can do with the same file when nothing else is asked of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg

_COLUMNS = (
    "mpan, bsc_validation_status, serial_number, reading_type, register_id, read_at, value, "
    "md_reset_at, md_reset_count, reading_flag, reading_method"
)
_CREATE = """
CREATE TABLE reference_reading (
    id INTEGER PRIMARY KEY,
    mpan TEXT NOT NULL, bsc_validation_status TEXT NOT NULL, serial_number TEXT NOT NULL,
    reading_type TEXT NOT NULL, register_id TEXT NOT NULL, read_at TEXT NOT NULL,
    value TEXT NOT NULL, md_reset_at TEXT, md_reset_count TEXT, reading_flag TEXT,
    reading_method TEXT NOT NULL
)
"""
_INSERT = f"INSERT INTO reference_reading ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - no values

Row = tuple[str, str, str, str, str, str, str, str | None, str | None, str, str]


def reading_rows(path: Path) -> Iterator[Row]:
    """The 030 lines of a file with their 026 and 028 context, as plain strings."""
    mpan = status = serial = reading_type = ""
    with path.open("r", encoding="cp1252", newline="") as lines:
        for line in lines:
            fields = line.rstrip("\r\n").split("|")
            tag = fields[0]
            if tag == "030":
                yield (
                    mpan,
                    status,
                    serial,
                    reading_type,
                    fields[1],
                    fields[2],
                    fields[3],
                    fields[4] or None,
                    fields[5] or None,
                    fields[6],
                    fields[7],
                )
            elif tag == "028":
                serial, reading_type = fields[1], fields[2]
            elif tag == "026":
                mpan, status = fields[1], fields[2]


def sqlite_reference(path: Path, database: Path) -> int:
    """Insert the file's readings into a new SQLite database; returns how many."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_CREATE)
        connection.execute("BEGIN")
        connection.executemany(_INSERT, reading_rows(path))
        connection.execute("COMMIT")
        (count,) = connection.execute("SELECT count(*) FROM reference_reading").fetchone()
    finally:
        connection.close()
    return int(count)


def postgres_reference(path: Path, url: str) -> int:
    """COPY the file's readings into a new table of the database at ``url``; returns how many."""
    with psycopg.connect(url) as connection:
        with connection.cursor() as cursor:
            cursor.execute(_CREATE.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"))
            with cursor.copy(f"COPY reference_reading ({_COLUMNS}) FROM STDIN") as copy:
                for row in reading_rows(path):
                    copy.write_row(row)
            cursor.execute("SELECT count(*) FROM reference_reading")
            found = cursor.fetchone()
        connection.commit()
    return int(found[0]) if found else 0
