"""``python manage.py purge_flow_files --older-than DAYS [--dry-run]``: remove old kept bytes."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from readings.localtime import format_minute
from readings.services.raw_files import purge
from readings.wording import counted, printable

MAX_DAYS = 36_600  # a century: an age beyond what a date can go back to was a traceback


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ArgumentTypeError(f"must be a whole number of days (0 or more), not {text!r}")
    if int(text) > MAX_DAYS:
        raise ArgumentTypeError(f"must be at most {MAX_DAYS} days (a century), not {text}")
    return int(text)


class Command(BaseCommand):
    help = (
        "Remove the kept bytes of flow files whose latest import attempt started more than "
        "DAYS days ago. Every flow file and attempt stays on record; only the bytes go."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than", type=_days, required=True, metavar="DAYS", help="age in days"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be removed, remove nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = purge(
            older_than=timedelta(days=options["older_than"]),
            now=timezone.now(),
            dry_run=options["dry_run"],
        )
        verb = "would remove" if report.dry_run else "removed"
        for item in report.removed:
            self.stdout.write(
                printable(
                    f"{verb:<12} {item.sha256} ({counted(item.size, 'byte')}, "
                    f"'{item.file_name}', last attempted {format_minute(item.last_used_at)})"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Summary: {verb} the bytes of {counted(len(report.removed), 'file')} "
                f"({counted(report.removed_bytes, 'byte')}); kept "
                f"{counted(report.kept, 'file')} attempted since; every record kept."
            )
        )
