"""The inbox: import the files that arrive in a folder, and file each away by its outcome.

A pass looks at the inbox twice, ``interval`` seconds apart, and takes, in name order, every
file that is complete: a regular file, not hidden (a name starting with ``.``), whose size and
modification time did not change between the two looks. (An sFTP upload should still arrive
under a hidden or temporary name and be renamed into the inbox when complete: see the README.)

Each file taken is first *claimed*: renamed, atomically, into this processor's own hidden work
folder inside the inbox, ``.claimed.HOST.PID``. Only one of several processors (on this host
or others, over one database) can rename a given file, so no file is taken twice. Then:

- imported, or already imported (the same SHA-256) → ``ARCHIVE/YYYY/MM/DD/NAME`` (the day of
  processing, UK time);
- invalid or refused → ``QUARANTINE/NAME``, with ``NAME.errors.txt`` beside it: the outcome and
  every issue;
- not done for another reason (the file could not be read, the database failed) or stopped by
  a signal → put back into the inbox, for the next pass.

Nothing is deleted and nothing overwritten: a name already taken in the archive or the
quarantine gets a suffix (``NAME-1.uff``, ``NAME-2.uff``...).

A processor killed at any moment leaves its claims in its work folder; the next processor to
start on the inbox takes them over — on the same host when the owner's process is no longer
alive, from another host when the folder has not been touched for ``STALE_CLAIM_SECONDS`` (a
processor touches its folder before every file) — and puts them through again. An import is
one transaction and the same bytes are never imported twice (by SHA-256), so a file whose
import committed just before the kill is recognised as already imported and archived.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import count
from pathlib import Path
from typing import NoReturn

from readings.localtime import as_uk
from readings.models import AttemptSource
from readings.services.importing import (
    DatabaseRefused,
    FileUnreadable,
    ImportNotDone,
    ImportResult,
    Outcome,
    import_flow_file,
)
from readings.services.stopping import Stopped
from readings.wording import printable

logger = logging.getLogger("readings.inbox")

CLAIM_PREFIX = ".claimed."
STALE_CLAIM_SECONDS = 3600.0  # another host's claims untouched this long are taken over
ERRORS_SUFFIX = ".errors.txt"

Look = dict[str, tuple[int, int]]  # name -> (size, mtime in ns)


class InboxUnusable(Exception):
    """The inbox, the archive or the quarantine cannot be used (missing, not a folder, not
    readable or not writable)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileDone:
    """What came of one file taken from the inbox."""

    name: str  # as it was in the inbox (a name that is not UTF-8 is surrogate-escaped)
    outcome: Outcome | None  # None: put back into the inbox for the next pass
    moved_to: Path | None  # where it is now (None: back in the inbox)
    reason: str  # the result's summary or the first reason it was not done

    @property
    def line(self) -> str:
        """``archived    NAME -> PATH: ...``, printable on one line."""
        where = f" -> {self.moved_to}" if self.moved_to is not None else ""
        return printable(f"{self.verb:<11} {self.name}{where}: {self.reason}")

    @property
    def verb(self) -> str:
        if self.outcome is None:
            return "put back"
        if self.outcome is Outcome.REJECTED:
            return "quarantined"
        return "archived"


@dataclass(slots=True)
class PassSummary:
    """The files of one pass, by what came of them."""

    imported: int = 0
    already_imported: int = 0
    quarantined: int = 0
    put_back: int = 0
    waiting: int = 0  # seen, but not yet complete (or changed between the two looks)
    files: list[FileDone] = field(default_factory=list)

    def add(self, done: FileDone) -> None:
        self.files.append(done)
        if done.outcome is None:
            self.put_back += 1
        elif done.outcome is Outcome.REJECTED:
            self.quarantined += 1
        elif done.outcome is Outcome.SKIPPED:
            self.already_imported += 1
        else:
            self.imported += 1

    @property
    def ok(self) -> bool:
        """No file was quarantined or put back."""
        return not (self.quarantined or self.put_back)

    @property
    def line(self) -> str:
        return (
            f"Pass: {self.imported} imported, {self.already_imported} already imported, "
            f"{self.quarantined} quarantined, {self.put_back} put back for the next pass, "
            f"{self.waiting} still arriving."
        )


def _safe_host(host: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", host) or "host"


class Inbox:
    """One processor of one inbox folder (see the module docstring)."""

    def __init__(
        self,
        inbox: Path,
        *,
        archive: Path,
        quarantine: Path,
        interval: float,
        host: str | None = None,
        pid: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_file: Callable[[FileDone], None] | None = None,
    ) -> None:
        self.inbox = inbox
        self.archive = archive
        self.quarantine = quarantine
        self.interval = interval
        self.host = _safe_host(host or socket.gethostname())
        self.pid = os.getpid() if pid is None else pid
        self.claims = inbox / f"{CLAIM_PREFIX}{self.host}.{self.pid}"
        self._sleep = sleep
        self._on_file = on_file
        self._last_look: Look | None = None

    # -- set-up -----------------------------------------------------------------------------

    def open(self) -> None:
        """Check the folders, make the archive, the quarantine and the work folder.

        Raises:
            InboxUnusable: a folder is missing, not a folder, or cannot be read or written.
        """
        if not self.inbox.is_dir():
            raise InboxUnusable(f"{printable(str(self.inbox))}: the inbox is not a folder")
        for folder, what in ((self.archive, "archive"), (self.quarantine, "quarantine")):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InboxUnusable(
                    f"{printable(str(folder))}: the {what} cannot be made: "
                    f"{error.strerror or error}"
                ) from error
        try:
            self.claims.mkdir(exist_ok=True)
            next(self.inbox.iterdir(), None)
        except OSError as error:
            raise InboxUnusable(
                f"{printable(str(self.inbox))}: the inbox cannot be read or written: "
                f"{error.strerror or error}"
            ) from error

    # -- one pass ---------------------------------------------------------------------------

    def run_pass(self) -> PassSummary:
        """Take over dead processors' claims, then take every complete file of the inbox.

        Raises ``Stopped`` (from ``stopping``) when a signal stops it; the file under way is
        rolled back and put back into the inbox first.
        """
        summary = PassSummary()
        for path in self._recovered():
            summary.add(self._process(path))
        first = self._last_look if self._last_look is not None else self._look()
        if first and self._last_look is None:
            self._sleep(self.interval)
        second = self._look()
        self._last_look = second
        for name in sorted(second):
            if first.get(name) != second[name]:
                summary.waiting += 1
                continue
            claimed = self._claim(self.inbox / name, name)
            if claimed is not None:
                summary.add(self._process(claimed))
        self._last_look = self._look()  # the first look of the next pass
        return summary

    def watch(self, on_pass: Callable[[PassSummary], None]) -> NoReturn:
        """A pass every ``interval`` seconds, until a signal stops it (``Stopped``)."""
        while True:
            on_pass(self.run_pass())
            self._sleep(self.interval)

    def close(self) -> None:
        """Remove the work folder if it is empty (it holds claims only while a file is done)."""
        try:
            self.claims.rmdir()
        except OSError:
            logger.info("work folder %s kept: it still holds claimed files", self.claims)

    # -- looking and claiming ---------------------------------------------------------------

    def _look(self) -> Look:
        """The inbox's visible regular files, with their sizes and modification times."""
        look: Look = {}
        with os.scandir(self.inbox) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone since it was listed
                look[entry.name] = (stat.st_size, stat.st_mtime_ns)
        return look

    def _claim(self, path: Path, name: str) -> Path | None:
        """Rename ``path`` into the work folder; None if another processor took it first."""
        self._touch()
        target = self.claims / name
        try:
            path.rename(target)
        except FileNotFoundError:
            return None
        return target

    def _touch(self) -> None:
        """Show other hosts that this processor is alive."""
        self.claims.mkdir(exist_ok=True)
        os.utime(self.claims)

    def _recovered(self) -> list[Path]:
        """Claims of dead processors (and this one's own, left by a stop), taken over."""
        taken: list[Path] = []
        own = sorted(p for p in self.claims.iterdir() if not p.name.startswith("."))
        taken.extend(own)
        for folder in sorted(self.inbox.glob(f"{CLAIM_PREFIX}*")):
            if folder == self.claims or not folder.is_dir() or not self._dead(folder):
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith("."):
                    continue  # an errors file being written when the owner died
                claimed = self._claim(path, path.name)
                if claimed is not None:
                    logger.warning(
                        "took over file=%r from the claims of %s", path.name, folder.name
                    )
                    taken.append(claimed)
            # Unless another processor is emptying it too, or it holds something else.
            with contextlib.suppress(OSError):
                folder.rmdir()
        return taken

    def _dead(self, folder: Path) -> bool:
        """Whether the processor that owns ``folder`` is gone (see the module docstring)."""
        host, _, pid_text = folder.name[len(CLAIM_PREFIX) :].rpartition(".")
        if host == self.host and pid_text.isdigit():
            try:
                os.kill(int(pid_text), 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False  # alive, another user's
            return False
        try:
            age = time.time() - folder.stat().st_mtime
        except OSError:
            return False
        return age > STALE_CLAIM_SECONDS

    # -- one file ---------------------------------------------------------------------------

    def _process(self, claimed: Path) -> FileDone:
        try:
            result: ImportResult | ImportNotDone = import_flow_file(
                claimed, via=AttemptSource.INBOX
            )
        except ImportNotDone as error:
            result = error
        except Stopped:
            self._put_back(claimed)
            raise
        done = self._file_away(claimed, result)
        self._report(done)
        return done

    def _file_away(self, claimed: Path, result: ImportResult | ImportNotDone) -> FileDone:
        name = claimed.name
        if isinstance(result, ImportResult):
            return FileDone(
                name=name,
                outcome=result.outcome,
                moved_to=self._to_archive(claimed),
                reason=result.summary,
            )
        if isinstance(result, (FileUnreadable, DatabaseRefused)):
            self._put_back(claimed)
            return FileDone(name=name, outcome=None, moved_to=None, reason=result.reasons[0])
        if result.outcome is Outcome.SKIPPED:
            return FileDone(
                name=name,
                outcome=Outcome.SKIPPED,
                moved_to=self._to_archive(claimed),
                reason=result.summary(shown=1),
            )
        return FileDone(
            name=name,
            outcome=Outcome.REJECTED,
            moved_to=self._to_quarantine(claimed, result),
            reason=result.summary(shown=1),
        )

    def _to_archive(self, claimed: Path) -> Path:
        day = as_uk(datetime.now(tz=timezone.utc)).date()
        folder = self.archive / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        folder.mkdir(parents=True, exist_ok=True)
        return move_without_overwriting(claimed, folder)

    def _to_quarantine(self, claimed: Path, error: ImportNotDone) -> Path:
        """The errors first (a crash between the two leaves an extra errors file, never a
        file without its errors), then the file under the name its errors file was given."""
        errors = self.claims / f".{claimed.name}{ERRORS_SUFFIX}"
        errors.write_text(errors_text(claimed.name, error), encoding="utf-8")
        for number in count():
            target = self.quarantine / _suffixed(claimed.name, number)
            errors_target = target.with_name(target.name + ERRORS_SUFFIX)
            if target.exists() or not _link(errors, errors_target):
                continue
            if _link(claimed, target):
                break
            errors_target.unlink()  # our own, just made: the name was taken meanwhile
        errors.unlink()
        claimed.unlink()
        return target

    def _put_back(self, claimed: Path) -> None:
        if claimed.exists():
            move_without_overwriting(claimed, self.inbox)

    def _report(self, done: FileDone) -> None:
        quiet = done.outcome in (Outcome.IMPORTED, Outcome.SKIPPED)
        level = logging.INFO if quiet else logging.WARNING
        logger.log(
            level,
            "%s file=%r to=%r reason=%r",
            done.verb,
            done.name,
            str(done.moved_to) if done.moved_to else None,
            done.reason,
        )
        if self._on_file is not None:
            self._on_file(done)


def errors_text(name: str, error: ImportNotDone) -> str:
    """``NAME.errors.txt``: the file, its outcome and every issue, one a line."""
    lines = [
        f"File: {printable(name)}",
        f"Outcome: {error.outcome.value}, {error.headline}",
        *([f"Import attempt: {error.attempt_id}"] if error.attempt_id is not None else []),
        f"Processed at: {as_uk(datetime.now(tz=timezone.utc)):%d/%m/%Y %H:%M:%S} (UK time)",
        f"Issues ({len(error.reasons)}):",
        *(f"  {printable(reason)}" for reason in error.reasons),
    ]
    if error.truncated:
        lines.append("  (the file has further errors, not listed)")
    return "\n".join(lines) + "\n"


def _suffixed(name: str, number: int) -> str:
    """``NAME``, then ``STEM-1.SUFFIX``, ``STEM-2.SUFFIX``..."""
    if number == 0:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not stem:
        return f"{name}-{number}"
    return f"{stem}-{number}{dot}{suffix}"


def _link(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` too; False if ``target`` exists (never replaced).
    Across file systems, a copy (made under a hidden name, then linked) stands in."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
            raise
        copy = target.with_name(f".{target.name}.{os.getpid()}.part")
        shutil.copyfile(source, copy)
        try:
            os.link(copy, target)
        except FileExistsError:
            return False
        finally:
            copy.unlink()
    return True


def move_without_overwriting(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` under its name, or the first free suffixed one."""
    for number in count():
        target = folder / _suffixed(path.name, number)
        if _link(path, target):
            path.unlink()
            return target
    raise AssertionError("unreachable")  # pragma: no cover
