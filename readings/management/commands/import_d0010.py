"""``python manage.py import_d0010 PATH [PATH ...]``: import D0010 files or folders of them."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from readings.services.importing import (
    DEFAULT_BATCH_SIZE,
    ImportNotDone,
    Outcome,
    import_flow_file,
    import_tuning,
)
from readings.services.stopping import Stopped, stop_on_signals
from readings.wording import printable

PROGRESS_BAR_MIN_BYTES = 1 << 20  # smaller files are done before a bar would be seen


EMPTY_PATH = '""'  # how an empty path argument is named in the output (Path("") would be ".")


@dataclass
class _Tally:
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    rejected_names: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Import D0010 (Meter Readings) flow files. Each PATH is a file or a folder, whose files "
        "are imported in name order. Each file is imported whole or not at all; files already "
        "imported are skipped. Exits non-zero when any file is rejected."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="D0010 file or folder")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the files and report what would be imported, without writing anything",
        )
        parser.add_argument(
            "--allow-test-data",
            action="store_true",
            help="import files whose Test Data Flag is not OPER (refused otherwise)",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"readings written per batch (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        tally = _Tally()
        stopped: Stopped | None = None
        try:
            with stop_on_signals(), import_tuning():  # this process only imports: ours to tune
                files = self._collect(options["paths"], tally)
                for path in files:
                    try:
                        self._import_one(path, options, tally)
                    except Stopped as error:
                        self._report(
                            Outcome.REJECTED,
                            path,
                            [
                                (
                                    f"stopped by {error.signal_name} during its import: whole "
                                    "or nothing of it was written (run again: a file that had "
                                    "been imported is reported already imported)"
                                )
                            ],
                            tally,
                        )
                        raise
        except Stopped as error:
            stopped = error
        verb = "checked (dry run)" if options["dry_run"] else "imported"
        count = tally.outcomes[Outcome.VALID if options["dry_run"] else Outcome.IMPORTED]
        rejected = tally.outcomes[Outcome.REJECTED]
        already = tally.outcomes[Outcome.SKIPPED]
        summary = f"Summary: {count} {verb}, {already} already imported, {rejected} rejected."
        if stopped is not None:
            self.stdout.write(self.style.ERROR(f"{summary} Stopped by {stopped.signal_name}."))
            raise CommandError(f"stopped by {stopped.signal_name}", returncode=stopped.exit_status)
        if rejected:
            self.stdout.write(self.style.ERROR(summary))
            raise CommandError(
                f"{rejected} file(s) rejected: {', '.join(tally.rejected_names)}", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(summary))

    # -- finding files ----------------------------------------------------------------------

    def _collect(self, raw_paths: list[str], tally: _Tally) -> list[Path]:
        files: list[Path] = []
        for raw in raw_paths:
            path = Path(raw)
            if not raw:
                self._reject(EMPTY_PATH, "an empty path names no file or folder", tally)
            elif path.is_dir():
                try:
                    entries = sorted(path.iterdir(), key=lambda p: p.name)
                except OSError as error:
                    reason = f"the folder cannot be read: {error.strerror or error}"
                    self._reject(path, reason, tally)
                    continue
                found = [p for p in entries if p.is_file() and not p.name.startswith(".")]
                skipped = [p.name for p in entries if p not in found]
                if skipped:
                    self.stdout.write(
                        printable(
                            f"note      {path}: skipping {len(skipped)} hidden file(s) or "
                            f"sub-folder(s): {', '.join(skipped[:5])}"
                            f"{'…' if len(skipped) > 5 else ''}"
                        )
                    )
                if not found:
                    self._reject(path, "the folder holds no files to import", tally)
                files.extend(found)
            elif path.is_file():
                files.append(path)
            elif path.exists():
                self._reject(path, "not a regular file or folder", tally)
            else:
                self._reject(path, "no such file or folder", tally)
        return files

    # -- importing --------------------------------------------------------------------------

    def _import_one(self, path: Path, options: dict[str, Any], tally: _Tally) -> None:
        bar = self._progress_bar(path, options)
        try:
            result = import_flow_file(
                path,
                dry_run=options["dry_run"],
                allow_test_data=options["allow_test_data"],
                batch_size=options["batch_size"],
                on_progress=_advance(bar) if bar else None,
            )
        except ImportNotDone as error:
            self._report(error.outcome, path, error.reasons, tally, attempt_id=error.attempt_id)
            return
        finally:
            if bar is not None:
                bar.close()
        self._report(result.outcome, path, [result.summary], tally, attempt_id=result.attempt_id)
        for warning in result.warnings:
            self.stdout.write(printable(f"    warning: {warning.brief}"))

    def _reject(self, path: Path | str, reason: str, tally: _Tally) -> None:
        self._report(Outcome.REJECTED, path, [reason], tally)

    def _report(
        self,
        outcome: Outcome,
        path: Path | str,
        lines: Sequence[str],
        tally: _Tally,
        *,
        attempt_id: int | None = None,
    ) -> None:
        """``imported  PATH: ... (attempt 12)``: what came of the file and the attempt on
        record, then any further lines indented."""
        tally.outcomes[outcome] += 1
        if outcome is Outcome.REJECTED:
            name = path if isinstance(path, str) else path.name or str(path)
            tally.rejected_names.append(printable(name))
        style = {Outcome.REJECTED: self.style.ERROR, Outcome.SKIPPED: self.style.WARNING}.get(
            outcome, self.style.SUCCESS
        )
        # Escaped: a name (or a value a reason quotes) must not print lines of its own.
        attempt = f" (attempt {attempt_id})" if attempt_id is not None else ""
        self.stdout.write(style(printable(f"{outcome.value:<9} {path}: {lines[0]}{attempt}")))
        for line in lines[1:]:
            self.stdout.write(style(printable(f"    {line}")))

    def _progress_bar(self, path: Path, options: dict[str, Any]) -> tqdm[Any] | None:
        stream: TextIO = sys.stderr
        if options["no_progress"] or not stream.isatty():
            return None
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size < PROGRESS_BAR_MIN_BYTES:
            return None
        return tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc=printable(path.name)[:30],
            file=stream,
            leave=False,
        )


def _advance(bar: tqdm[Any]) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        bar.update(done - bar.n)

    return update
