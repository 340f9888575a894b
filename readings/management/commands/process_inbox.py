"""``python manage.py process_inbox INBOX --archive DIR --quarantine DIR [--watch]``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readings.services.importing import import_tuning
from readings.services.inbox import FileDone, Inbox, InboxUnusable, PassSummary
from readings.services.stopping import Stopped, stop_on_signals
from readings.wording import printable

DEFAULT_INTERVAL = 10.0


def _folder(text: str) -> Path:
    if not text:
        raise ValueError("an empty path")  # argparse says: invalid _folder value
    return Path(text)


class Command(BaseCommand):
    help = (
        "Import the complete files of the INBOX folder in name order (a file is complete when "
        "its size and modification time do not change between two looks INTERVAL seconds "
        "apart; hidden files are left alone). Imported or already imported files are moved "
        "under ARCHIVE/YYYY/MM/DD/, invalid or refused ones into QUARANTINE with "
        "NAME.errors.txt beside them. One pass, or with --watch a pass every INTERVAL seconds "
        "until SIGTERM or Ctrl-C. Nothing is deleted or overwritten."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("inbox", type=_folder, metavar="INBOX", help="the folder to import")
        parser.add_argument("--archive", type=_folder, required=True, metavar="DIR")
        parser.add_argument("--quarantine", type=_folder, required=True, metavar="DIR")
        parser.add_argument(
            "--watch", action="store_true", help="run passes until SIGTERM or Ctrl-C"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=DEFAULT_INTERVAL,
            metavar="SECONDS",
            help=f"seconds between the two looks at a file and between passes "
            f"(default {DEFAULT_INTERVAL:g})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0:
            raise CommandError("--interval must not be negative")
        inbox = Inbox(
            options["inbox"],
            archive=options["archive"],
            quarantine=options["quarantine"],
            interval=options["interval"],
            on_file=self._file_line,
        )
        try:
            inbox.open()
        except InboxUnusable as error:
            raise CommandError(str(error)) from error
        summary = PassSummary()
        try:
            with stop_on_signals(), import_tuning():
                if options["watch"]:
                    inbox.watch(self._pass_line_if_busy)
                summary = inbox.run_pass()
        except Stopped as stopped:
            self.stdout.write(
                f"Stopped by {stopped.signal_name}: the file under way put back in the inbox "
                "(whole or nothing of it was imported; the next pass tells which)."
            )
            if options["watch"]:
                return
            raise CommandError(
                f"stopped by {stopped.signal_name}", returncode=stopped.exit_status
            ) from None
        finally:
            inbox.close()
        self._pass_line(summary)
        if not summary.ok:
            raise CommandError(
                f"{summary.quarantined} file(s) quarantined, {summary.put_back} put back",
                returncode=1,
            )

    def _file_line(self, done: FileDone) -> None:
        style = self.style.SUCCESS if done.outcome is not None else self.style.WARNING
        if done.verb == "quarantined":
            style = self.style.ERROR
        self.stdout.write(style(done.line))

    def _pass_line_if_busy(self, summary: PassSummary) -> None:
        """In --watch, a pass that found nothing says nothing."""
        if summary.files or summary.waiting:
            self._pass_line(summary)

    def _pass_line(self, summary: PassSummary) -> None:
        self.stdout.write(printable(summary.line))
