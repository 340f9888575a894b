"""``import_flow_file``: hash, parse and write one file in one transaction, and log the outcome."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from django.db import DatabaseError, transaction

from readings.d0010 import D0010Parser
from readings.d0010.records import MeterPointGroup
from readings.dtc import FlowIssue, Header, InvalidFlowFile, Trailer
from readings.models import AttemptSource, FlowFile
from readings.services import raw_files
from readings.services.meaning import recompute_meaning

from . import _attempts, _flow_file
from ._attempts import WebUser
from ._bulk import WRITTEN, BatchWriter, PreparedBatch, prepare_batch
from ._database import (
    DateTimeText,
    datetime_text,
    import_page_cache,
    lock_meters_of,
    refresh_planner_statistics,
    retried,
)
from ._outcomes import (
    BytesNotKept,
    DatabaseRefused,
    FileUnreadable,
    FlowFileAlreadyImported,
    ImportNotDone,
    ImportRefused,
    ImportResult,
    InvalidFile,
)
from ._read_ahead import ReadAhead

logger = logging.getLogger("readings.importing")

DEFAULT_BATCH_SIZE = 5000  # readings per batch of writes
ANALYZE_AFTER_READINGS = 10_000  # PostgreSQL: refresh the planner's statistics after this many
_HASH_CHUNK = 1 << 20

ProgressCallback = Callable[[int, int], None]  # (bytes read so far, file size)


def import_flow_file(
    source: Path | BinaryIO,
    *,
    file_name: str | None = None,
    dry_run: bool = False,
    allow_test_data: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
    via: AttemptSource = AttemptSource.COMMAND,
    user: WebUser | None = None,
) -> ImportResult:
    """Import one D0010 file in one transaction, and keep the attempt and the file's bytes.

    ``source`` is a path or a seekable binary stream (then ``file_name`` names it; a path's name
    is used otherwise). It is read once, into a temporary file on disk while it is hashed; the
    parser reads that copy and the flow-file storage keeps it, so the digest, the stored bytes
    and what is imported are the same bytes whatever happens to ``source`` meanwhile. With
    ``dry_run`` the file is checked and written exactly as for real, then rolled back. On
    PostgreSQL imports run side by side; one waits for another only where they meet: at a
    meter point or meter the other inserted and has not committed yet, and while the other
    works out the meaning of readings of the same meters. A transaction that loses a deadlock
    or a serialisation race is tried again, up to ``RETRIES`` times (``retries`` on the result
    or the exception says how many).

    Every call is an ``ImportAttempt`` (``via`` says through which interface, ``user`` who,
    for the web; the process's user and host are recorded too), written before the import's
    transaction and finished after it, so that its rollback leaves it. Called inside an outer
    ``atomic`` block, the attempt is part of that block's transaction (see ``_attempts``).
    The result and the exceptions carry its ``attempt_id``.

    Raises (each an ``ImportNotDone``; nothing of the file is written):
        InvalidFile: the file breaks the D0010 definition (``issues`` says where and why).
        FlowFileAlreadyImported: these bytes were imported before (``existing``).
        DuplicateFileIdentifier: another file from the same sender has this file identifier.
        NotOperationalData: the file is test data and ``allow_test_data`` is false.
        FileUnreadable: reading the file failed.
        BytesNotKept: the flow-file storage could not store the file's bytes.
        DatabaseRefused: the database refused a statement (``attempt_id`` is None when it
            refused the attempt's own row).
    """
    started = time.perf_counter()
    name = _storable(file_name or (source.name if isinstance(source, Path) else "uploaded file"))
    retries = 0

    def on_retry(retry: int, error: Exception) -> None:
        nonlocal retries
        retries = retry
        logger.warning(
            "retrying file=%r retry=%d error=%s seconds=%.3f",
            name,
            retry,
            type(error.__cause__ or error).__name__,
            time.perf_counter() - started,
        )

    try:
        with _not_done_as_such(name):
            attempt = _attempts.begin(name, via=via, user=user, dry_run=dry_run)
    except ImportNotDone as error:
        _log_not_done(error, seconds=time.perf_counter() - started)
        raise
    read = _Read()
    try:
        with _not_done_as_such(name), _spooled(source, read) as stream:
            _keep(stream, name=name, read=read)
            existing = _flow_file.imported_before(read.sha256)
            if existing is not None:
                raise FlowFileAlreadyImported(name, existing)

            def once() -> ImportResult:
                stream.seek(0)
                return _import(
                    stream,
                    name=name,
                    sha256=read.sha256,
                    size=read.size,
                    dry_run=dry_run,
                    allow_test_data=allow_test_data,
                    batch_size=batch_size,
                    on_progress=on_progress,
                    started=started,
                    attempt_id=attempt.pk,
                )

            result, retries = retried(once, on_retry=on_retry)
            result = dataclasses.replace(result, retries=retries)
    except ImportNotDone as error:
        error.attempt_id = attempt.pk
        error.retries = retries
        _attempts.not_done(attempt, error, sha256=read.sha256, size=read.known_size)
        _log_not_done(error, seconds=time.perf_counter() - started)
        raise
    except BaseException as error:  # the import log's boundary: a fault is logged, then raised
        _attempts.stopped(attempt, error, sha256=read.sha256, size=read.known_size)
        _log_failed(name, error, seconds=time.perf_counter() - started)
        raise
    _attempts.imported(attempt, result, sha256=read.sha256, size=read.size)
    logger.info(
        "%s file=%r flow_file_id=%s attempt_id=%d meter_points=%d meters=%d readings=%d "
        "site_visits=%d warnings=%d seconds=%.3f",
        "checked (dry run)" if dry_run else "imported",
        name,
        result.flow_file_id,
        attempt.pk,
        result.meter_point_count,
        result.meter_count,
        result.reading_count,
        result.site_visit_count,
        len(result.warnings),
        result.seconds,
    )
    return result


def record_too_large(
    file_name: str,
    *,
    size: int,
    summary: str,
    via: AttemptSource,
    user: WebUser | None = None,
) -> int:
    """Put on record an upload that its interface refused unread, being larger than an upload
    may be (``summary`` says so, in the interface's words): an attempt, rejected as too large,
    with no digest and no bytes kept. Its id."""
    name = _storable(file_name)
    attempt = _attempts.refused_unread(name, via=via, user=user, size=size, summary=summary)
    logger.info("not imported (too large) file=%r attempt_id=%d size=%d", name, attempt.pk, size)
    return attempt.pk


def _storable(name: str) -> str:
    """``name`` as UTF-8 can store it: the bytes of a name that is not UTF-8 (which Python
    holds as lone surrogates) written as ``\\xff``."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


@contextmanager
def _not_done_as_such(name: str) -> Iterator[None]:
    """The parser's, the file's and the database's refusals, as ``ImportNotDone``."""
    try:
        yield
    except InvalidFlowFile as error:
        raise InvalidFile(error) from error
    except OSError as error:
        raise FileUnreadable(name, error) from error
    except DatabaseError as error:
        raise DatabaseRefused(name, error) from error


def _log_not_done(error: ImportNotDone, *, seconds: float) -> None:
    """One line per file, naming it and what came of it, never what it holds."""
    name = error.file_name
    if isinstance(error, InvalidFile):
        first = str(error.issues[0]) if error.issues else ""
        logger.warning(
            "rejected file=%r errors=%d first=%r seconds=%.3f",
            name,
            len(error.issues),
            first,
            seconds,
        )
    elif isinstance(error, FlowFileAlreadyImported):
        logger.info(
            "already imported file=%r flow_file_id=%s seconds=%.3f",
            name,
            error.existing.pk,
            seconds,
        )
    elif isinstance(error, ImportRefused):
        logger.warning("refused file=%r reason=%r seconds=%.3f", name, error.reasons[0], seconds)
    else:  # the file or the database failed: by kind only, its message may quote the file
        _log_failed(name, error.__cause__ or error, seconds=seconds)


def _log_failed(name: str, error: BaseException, *, seconds: float) -> None:
    logger.error("failed file=%r error=%s seconds=%.3f", name, type(error).__name__, seconds)


@dataclass
class _Read:
    """What one read of the source found: its digest and size (empty and None until read)."""

    sha256: str = ""
    size: int = 0
    known_size: int | None = None


@contextmanager
def _spooled(source: Path | BinaryIO, read: _Read) -> Iterator[BinaryIO]:
    """The source's bytes, read once into a temporary file on disk while they are hashed
    (``read`` gets the digest and size), then that file at its start: the one copy that is
    parsed and stored."""
    with raw_files.spool_file() as spool, _opened(source) as stream:
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        read.sha256, read.size, read.known_size = digest.hexdigest(), size, size
        yield cast(BinaryIO, spool)


@contextmanager
def _opened(source: Path | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(source, Path):
        with source.open("rb") as stream:
            yield stream
    else:
        yield source


def _keep(stream: BinaryIO, *, name: str, read: _Read) -> None:
    """The bytes kept in the flow-file storage before anything else is done with them."""
    try:
        raw_files.keep(stream, sha256=read.sha256, size=read.size)
    except OSError as error:
        raise BytesNotKept(name, error) from error


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
    attempt_id: int,
) -> ImportResult:
    parser = D0010Parser(stream, file_name=name)
    # The parser and the preparation of each batch run in a thread of their own, a batch or two
    # ahead, while this thread waits for the database to write the batch before.
    records = ReadAhead(
        _batches(parser, batch_size=batch_size, datetime_text=datetime_text()),
        depth=2,
    )
    with import_page_cache(), transaction.atomic(), records:
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
                    flow_file = _flow_file.start(
                        record,
                        name=name,
                        sha256=sha256,
                        size=size,
                        allow_test_data=allow_test_data,
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
            refresh_planner_statistics(WRITTEN)
        lock_meters_of(flow_file.pk)  # another import about them finishes first
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
        _flow_file.finish(
            flow_file,
            trailer,
            reading_count=writer.reading_count,
            site_visit_count=writer.site_visit_count,
            warnings=warnings,
            first_read_at=writer.first_read_at,
            last_read_at=writer.last_read_at,
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
        attempt_id=attempt_id,
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
