"""The bytes of every attempted file, kept by content in the flow-file storage.

The storage is Django's ``STORAGES["flow_files"]`` (a local folder by default; any storage
backend by settings, see README). Each content is kept once, under its SHA-256:
``ab/cd/abcd…``. Whoever reads a copy back gets it only when its digest is still the one it
is stored under (``verified_copy``); ``purge`` removes the bytes that no attempt has used for
a while, and keeps every record.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models import Max

from readings.models import ImportAttempt

logger = logging.getLogger("readings.raw_files")

STORAGE_ALIAS = "flow_files"
CHUNK = 1 << 20


def flow_file_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def stored_name(sha256: str) -> str:
    """Where the bytes with this digest are kept in the storage: ``ab/cd/abcd…``."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def spool_file() -> IO[bytes]:
    """A temporary file on disk (not in memory: a flow file may be 50 MB or more), deleted
    when closed."""
    return tempfile.TemporaryFile(prefix="d0010-", dir=settings.FILE_UPLOAD_TEMP_DIR)


def keep(content: BinaryIO, *, sha256: str, size: int) -> None:
    """Store ``content`` (its digest ``sha256``, ``size`` bytes) unless a copy of the same size
    is there already; leaves ``content`` at its start.

    A copy of another size is what a write that was stopped half-way leaves: it is replaced.

    Raises:
        OSError: the storage could not store it.
    """
    storage = flow_file_storage()
    name = stored_name(sha256)
    if storage.exists(name):
        if storage.size(name) == size:
            return
        logger.warning("replacing a stored copy of another size sha256=%s", sha256)
        storage.delete(name)
    content.seek(0)
    saved = storage.save(name, File(content, name=sha256))
    if saved != name:  # another import stored the same content in the meantime
        storage.delete(saved)
    content.seek(0)


class RawFileUnavailable(Exception):
    """The stored bytes cannot be given out; ``str()`` says why, for a person."""


class RawFileMissing(RawFileUnavailable):
    """No bytes are kept for this digest (never stored, or purged)."""


class RawFileCorrupt(RawFileUnavailable):
    """The stored bytes no longer have the digest they are kept under."""


@contextmanager
def verified_copy(sha256: str) -> Iterator[IO[bytes]]:
    """A private copy of the bytes kept under ``sha256``, checked against it, at its start.

    The copy is taken and hashed in one read, so what the caller serves is what was checked,
    whatever happens to the stored copy meanwhile.

    Raises:
        RawFileMissing: nothing is stored under the digest.
        RawFileCorrupt: the stored bytes' digest differs (logged).
    """
    storage = flow_file_storage()
    name = stored_name(sha256)
    if not sha256 or not storage.exists(name):
        raise RawFileMissing("The bytes of this file are not kept (never stored, or purged).")
    with spool_file() as copy:
        digest = hashlib.sha256()
        with storage.open(name, "rb") as stored:
            while chunk := stored.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        if digest.hexdigest() != sha256:
            logger.error(
                "stored bytes do not match their digest sha256=%s found=%s",
                sha256,
                digest.hexdigest(),
            )
            raise RawFileCorrupt(
                "The stored bytes of this file no longer match its SHA-256: they were changed "
                "or damaged in the storage, and are not served. The error is logged."
            )
        copy.seek(0)
        yield copy


@dataclass(frozen=True, slots=True, kw_only=True)
class Purged:
    """One content whose bytes a purge removed (or would remove)."""

    sha256: str
    size: int
    last_used_at: datetime
    file_name: str  # the name of its latest attempt


@dataclass(frozen=True, slots=True, kw_only=True)
class PurgeReport:
    removed: tuple[Purged, ...]
    kept: int  # contents still stored because an attempt used them since the cut-off
    dry_run: bool

    @property
    def removed_bytes(self) -> int:
        return sum(item.size for item in self.removed)


def purge(*, older_than: timedelta, now: datetime, dry_run: bool = False) -> PurgeReport:
    """Remove the stored bytes of every content whose latest attempt started before
    ``now - older_than``. Every attempt and flow file stays; a content attempted again is
    stored again. With ``dry_run``, say what would go and remove nothing."""
    storage = flow_file_storage()
    cutoff = now - older_than
    latest = (
        ImportAttempt.objects.exclude(sha256="")
        .values("sha256")
        .annotate(last_used_at=Max("started_at"))
        .order_by("last_used_at", "sha256")
    )
    removed: list[Purged] = []
    kept = 0
    for row in latest.iterator():
        sha256: str = row["sha256"]
        last_used_at: datetime = row["last_used_at"]
        name = stored_name(sha256)
        if not storage.exists(name):
            continue
        if last_used_at >= cutoff:
            kept += 1
            continue
        attempt = ImportAttempt.objects.filter(sha256=sha256).order_by("-started_at", "-id").first()
        removed.append(
            Purged(
                sha256=sha256,
                size=storage.size(name),
                last_used_at=last_used_at,
                file_name=attempt.file_name if attempt is not None else "",
            )
        )
        if not dry_run:
            storage.delete(name)
            logger.info("purged sha256=%s", sha256)
    return PurgeReport(removed=tuple(removed), kept=kept, dry_run=dry_run)
