"""Import one D0010 file: the use case behind the command line and the admin upload.

``import_flow_file`` streams the file through the parser and writes what it finds in bounded
batches, all inside one transaction: a file is imported whole or not at all. The same bytes
imported again are recognised by their SHA-256 and not written twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count
from django.utils.timezone import localtime

from readings.d0010.parser import D0010Parser, InvalidFlowFile
from readings.d0010.records import FlowIssue, Header, MeterPointGroup, Trailer
from readings.models import FileMeter, FlowFile
from readings.wording import content_counts

from .bulk import BatchWriter, DateTimeText, PreparedBatch, prepare_batch
from .meaning import recompute_meaning
from .process_settings import gc_threshold
from .read_ahead import ReadAhead

logger = logging.getLogger("readings.importing")

DEFAULT_BATCH_SIZE = 5000  # readings per batch of writes
ANALYZE_AFTER_READINGS = 10_000  # PostgreSQL: refresh the planner's statistics after this many
SQLITE_IMPORT_CACHE_KIB = 32 * 1024  # SQLite: page cache of the connection while it imports
_IMPORT_LOCK = 0x0D0010  # PostgreSQL advisory lock key held by the import that is writing
_HASH_CHUNK = 1 << 20

ProgressCallback = Callable[[int, int], None]  # (bytes read so far, file size)


class FlowFileAlreadyImported(Exception):
    """These exact bytes were imported before; nothing was written this time."""

    def __init__(self, file_name: str, existing: FlowFile):
        self.file_name = file_name
        self.existing = existing
        self.imported_at = f"{localtime(existing.imported_at):%Y-%m-%d %H:%M}"  # UK time
        self.reason = (
            f"already imported as flow file #{existing.pk} "
            f"('{existing.file_name}', {self.imported_at})"
        )
        super().__init__(f"{file_name}: {self.reason}")


class ImportRefused(Exception):
    """A well-formed file that is not imported, with the reason in plain words."""

    def __init__(self, file_name: str, reason: str):
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name}: {reason}")


class DuplicateFileIdentifier(ImportRefused):
    """A different file reuses an identifier its sender already used (J1064 must be unique)."""


class NotOperationalData(ImportRefused):
    """The header's Test Data Flag marks test traffic, and test data was not allowed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    """What one import did (or, for a dry run, would have done)."""

    file_name: str
    flow_file_id: int | None  # None for a dry run
    dry_run: bool
    meter_point_count: int
    meter_count: int
    reading_count: int
    site_visit_count: int
    group_count: int
    warnings: tuple[FlowIssue, ...]
    seconds: float

    @property
    def contents(self) -> str:
        """What the file held, in words: ``3 meter points, 4 meters, 8 readings, ...``."""
        return content_counts(
            meter_points=self.meter_point_count,
            meters=self.meter_count,
            readings=self.reading_count,
            site_visits=self.site_visit_count,
        )


def import_flow_file(
    *,
    source: Path | BinaryIO,
    file_name: str | None = None,
    dry_run: bool = False,
    allow_test_data: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import one D0010 file in one transaction.

    ``source`` is a path or a seekable binary stream (then ``file_name`` names it; a path's name
    is used otherwise). With ``dry_run`` the file is checked and written exactly as for real,
    then rolled back. Imports write one at a time: one that finds another writing waits for it
    to commit or roll back.

    Raises:
        InvalidFlowFile: the file breaks the D0010 definition (``issues`` says where and why).
        FlowFileAlreadyImported: these bytes were imported before; nothing is written.
        DuplicateFileIdentifier: another file from the same sender has this file identifier.
        NotOperationalData: the file is test data and ``allow_test_data`` is false.
    """
    started = time.perf_counter()
    name = file_name or (source.name if isinstance(source, Path) else "uploaded file")
    try:
        with _opened(source) as stream:
            sha256, size = _digest(stream)
            existing = FlowFile.objects.filter(sha256=sha256).first()
            if existing is not None:
                raise FlowFileAlreadyImported(name, existing)
            result = _import(
                stream,
                name=name,
                sha256=sha256,
                size=size,
                dry_run=dry_run,
                allow_test_data=allow_test_data,
                batch_size=batch_size,
                on_progress=on_progress,
                started=started,
            )
    except InvalidFlowFile as error:
        logger.warning(
            "rejected file=%r errors=%d first=%r seconds=%.3f",
            name,
            len(error.issues),
            str(error.issues[0]) if error.issues else "",
            time.perf_counter() - started,
        )
        raise
    except FlowFileAlreadyImported as error:
        logger.info(
            "already imported file=%r flow_file_id=%s seconds=%.3f",
            name,
            error.existing.pk,
            time.perf_counter() - started,
        )
        raise
    except ImportRefused as error:
        logger.warning(
            "refused file=%r reason=%r seconds=%.3f",
            name,
            error.reason,
            time.perf_counter() - started,
        )
        raise
    except Exception as error:  # logged, then left to the interface to report
        logger.error(
            "failed file=%r error=%s seconds=%.3f",
            name,
            type(error).__name__,
            time.perf_counter() - started,
        )
        raise
    logger.info(
        "%s file=%r flow_file_id=%s meter_points=%d meters=%d readings=%d site_visits=%d "
        "warnings=%d seconds=%.3f",
        "checked (dry run)" if dry_run else "imported",
        name,
        result.flow_file_id,
        result.meter_point_count,
        result.meter_count,
        result.reading_count,
        result.site_visit_count,
        len(result.warnings),
        result.seconds,
    )
    return result


@contextmanager
def _opened(source: Path | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(source, Path):
        with source.open("rb") as stream:
            yield stream
    else:
        yield source


def _digest(stream: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _import(
    stream: BinaryIO,
    *,
    name: str,
    sha256: str,
    size: int,
    dry_run: bool,
    allow_test_data: bool,
    batch_size: int,
    on_progress: ProgressCallback | None,
    started: float,
) -> ImportResult:
    parser = D0010Parser(stream, file_name=name)
    # The parser and the preparation of each batch run in a thread of their own, a batch or two
    # ahead, while this thread waits for the database to write the batch before.
    records = ReadAhead(
        _batches(parser, batch_size=batch_size, datetime_text=BatchWriter.datetime_text()),
        depth=2,
    )
    with gc_threshold.applied(), _import_page_cache(), transaction.atomic(), records:
        _one_import_at_a_time()
        writer: BatchWriter | None = None
        flow_file: FlowFile | None = None
        trailer: Trailer | None = None
        refusal: ImportRefused | None = None
        for record in records:
            if isinstance(record, PreparedBatch):
                if writer is None:
                    continue  # refused: read on only to report every error in the file
                writer.write(record)
                if on_progress is not None:
                    on_progress(parser.bytes_read, size)
            elif isinstance(record, Header):
                try:
                    flow_file = _start(
                        record, name=name, sha256=sha256, size=size, allow=allow_test_data
                    )
                except ImportRefused as error:
                    refusal = error
                else:
                    writer = BatchWriter(flow_file)
            else:
                trailer = record
        if refusal is not None:
            raise refusal
        # The parser raises unless it yielded a header (so a writer) and a trailer.
        assert writer is not None  # noqa: S101
        assert flow_file is not None  # noqa: S101
        assert trailer is not None  # noqa: S101
        if writer.reading_count >= ANALYZE_AFTER_READINGS:
            writer.refresh_planner_statistics()
        meaning = recompute_meaning(flow_file_ids=[flow_file.pk])  # statuses, advances, ...
        warnings = tuple(parser.warnings) + meaning.warnings(file_name=name)
        if parser.warnings_left_out:
            warnings += (
                FlowIssue(
                    file_name=name,
                    line_number=None,
                    field=None,
                    reason=f"{parser.warnings_left_out} more warnings left out",
                ),
            )
        counts = FileMeter.objects.filter(flow_file=flow_file).aggregate(
            meters=Count("meter", distinct=True),
            meter_points=Count("meter__meter_point", distinct=True),
        )
        flow_file.total_group_count = trailer.total_group_count
        flow_file.checksum = trailer.checksum
        flow_file.flow_count = trailer.flow_count
        flow_file.file_completed_at = trailer.completed_at
        flow_file.meter_point_count = counts["meter_points"]
        flow_file.meter_count = counts["meters"]
        flow_file.reading_count = writer.reading_count
        flow_file.site_visit_count = writer.site_visit_count
        flow_file.warnings = [
            {"line": w.line_number, "field": w.field, "reason": w.reason} for w in warnings
        ]
        flow_file.save(
            update_fields=[
                "total_group_count",
                "checksum",
                "flow_count",
                "file_completed_at",
                "meter_point_count",
                "meter_count",
                "reading_count",
                "site_visit_count",
                "warnings",
            ]
        )
        if on_progress is not None:
            on_progress(size, size)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(
        file_name=name,
        flow_file_id=None if dry_run else flow_file.pk,
        dry_run=dry_run,
        meter_point_count=flow_file.meter_point_count,
        meter_count=flow_file.meter_count,
        reading_count=flow_file.reading_count,
        site_visit_count=flow_file.site_visit_count,
        group_count=trailer.total_group_count,
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )


def _batches(
    records: Iterable[Header | MeterPointGroup | Trailer],
    *,
    batch_size: int,
    datetime_text: DateTimeText,
) -> Iterator[Header | PreparedBatch | Trailer]:
    """The parser's records, its 026 groups gathered in prepared batches of ``batch_size``
    readings or a little more (a group is never split)."""
    groups: list[MeterPointGroup] = []
    readings = 0
    for record in records:
        if isinstance(record, MeterPointGroup):
            groups.append(record)
            readings += record.reading_count
            if readings >= batch_size:
                yield prepare_batch(groups, datetime_text)
                groups, readings = [], 0
            continue
        if groups:
            yield prepare_batch(groups, datetime_text)
            groups, readings = [], 0
        yield record


def _start(header: Header, *, name: str, sha256: str, size: int, allow: bool) -> FlowFile:
    """Check the header against what is stored, and create the file's row."""
    if header.is_test_data and not allow:
        raise NotOperationalData(
            name,
            f"the header's Test Data Flag is '{header.test_data_flag}', not OPER: this is test "
            "data (import it anyway with --allow-test-data)",
        )
    clash = _identifier_clash(header)
    if clash is not None:
        if clash.sha256 == sha256:  # the same bytes, committed since the check before parsing
            raise FlowFileAlreadyImported(name, clash)
        raise _duplicate_identifier(name, header, clash)
    flow_file = FlowFile(
        file_name=name[:255],
        sha256=sha256,
        size_bytes=size,
        file_identifier=header.file_identifier,
        flow_version=header.flow_version,
        sender_role=header.sender_role,
        sender_participant_id=header.sender_participant_id,
        recipient_role=header.recipient_role,
        recipient_participant_id=header.recipient_participant_id,
        file_created_at=header.created_at,
        sending_application_id=header.sending_application_id,
        receiving_application_id=header.receiving_application_id,
        broadcast=header.broadcast,
        test_data_flag=header.test_data_flag,
    )
    try:
        with transaction.atomic():
            flow_file.save(force_insert=True)
    except IntegrityError:
        # Another import of the same bytes, or of the same identifier, committed first.
        existing = FlowFile.objects.filter(sha256=sha256).first()
        if existing is not None:
            raise FlowFileAlreadyImported(name, existing) from None
        clash = _identifier_clash(header)
        if clash is not None:
            raise _duplicate_identifier(name, header, clash) from None
        raise
    return flow_file


def _identifier_clash(header: Header) -> FlowFile | None:
    return FlowFile.objects.filter(
        sender_participant_id=header.sender_participant_id,
        file_identifier=header.file_identifier,
    ).first()


def _duplicate_identifier(name: str, header: Header, clash: FlowFile) -> DuplicateFileIdentifier:
    return DuplicateFileIdentifier(
        name,
        f"sender {header.sender_participant_id} already sent file identifier "
        f"{header.file_identifier} in a different file ('{clash.file_name}', flow file "
        f"#{clash.pk}); a file identifier must be unique per sender",
    )


@contextmanager
def _import_page_cache() -> Iterator[None]:
    """On SQLite, give the connection a larger page cache while it imports, then put it back.

    SQLite's default cache is 2 MB. New meters and readings land all over the serial and date
    indexes, and once those outgrow the cache, pages are written out and read back batch after
    batch. With 32 MB the writes of a 1,000,000-reading file took about 8 % less time; memory
    grows by at most the cache's size, and only for the import's connection.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        # A connection that failed may refuse this too: the import's own error is the one to
        # report, and a broken connection is closed by Django with its cache.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


def _one_import_at_a_time() -> None:
    """Make imports on PostgreSQL write one at a time, as SQLite's IMMEDIATE transactions do.

    Meter points and meters are shared rows, locked by the first import that inserts them until
    it commits. Two files about the same meter points in a different order would each hold some
    that the other needs next, batch after batch, and deadlock. The lock is released at commit
    or rollback, and by the server if the process dies.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
