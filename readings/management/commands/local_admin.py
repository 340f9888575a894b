"""``python manage.py local_admin``: a superuser for trying the admin on this machine.

The password is made once and kept in ``.local-admin`` beside the project (git-ignored, readable
only by its owner), so that each ``make run`` prints the same login and leaves the user's
password as it is: Django ends a user's sessions when the password changes, and an open browser
would be logged out. ``--new`` makes a new password.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

LOGIN_FILE_NAME = ".local-admin"  # the name of a file, not a password
PRIVATE = 0o600


class Command(BaseCommand):
    help = (
        "Create the local superuser 'admin' (or --username) and print its login and the admin's "
        f"URL. The password is kept in {LOGIN_FILE_NAME} beside the project and printed again "
        "on later runs; --new makes a new one. Development only: refused when DJANGO_PRODUCTION "
        "is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--host", default="127.0.0.1", help="host the admin is served on (for the URL)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="port the admin is served on (for the URL)"
        )
        parser.add_argument(
            "--new",
            action="store_true",
            help="make a new password (this logs the user out of open sessions)",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            default=None,
            help=f"where the password is kept (default: {LOGIN_FILE_NAME} beside manage.py)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("local_admin is for development; use createsuperuser in production")
        username: str = options["username"]
        port: int = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port}: a port is a number from 1 to 65535")
        url = f"http://{_url_host(options['host'])}:{port}{reverse('admin:index')}"
        path: Path = options["password_file"] or Path(settings.BASE_DIR) / LOGIN_FILE_NAME

        notes: list[str] = []
        kept = None if options["new"] else _read_password(path, notes)
        password = kept or secrets.token_urlsafe(12)
        if kept is None:
            _write_password(path, password)
            notes.append(f"A new password, kept in {path} for the next runs.")
        else:
            notes.append(f"The same password as before, kept in {path}.")
        if _make_superuser(username, password) and kept is not None:
            notes.append(f"It was set again on '{username}', whose password was another.")
        notes.append("`manage.py local_admin --new` makes a new one.")

        self.stdout.write(
            self.style.SUCCESS(
                "Local admin login (development only):\n"
                f"    URL:      {url}\n"
                f"    username: {username}\n"
                f"    password: {password}"
            )
        )
        self.stdout.write("\n".join(notes))


def _url_host(host: str) -> str:
    """``host`` as it is written in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _read_password(path: Path, notes: list[str]) -> str | None:
    """The password kept in ``path``, or None when there is none yet (no file, or empty).

    A file that others may read is made private first, and ``notes`` says so.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_file() and mode & ~PRIVATE:
            path.chmod(PRIVATE)
            notes.append(f"{path} was readable by others ({mode:o}): only you may read it now.")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: cannot read the kept password: {error}") from error
    password = text.strip()
    if not password:
        notes.append(f"{path} was empty.")
        return None
    return password


def _write_password(path: Path, password: str) -> None:
    """Replace ``path`` with one holding ``password``, readable by its owner only; whole or not
    at all (a temporary file beside it, then renamed)."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    except OSError as error:
        raise CommandError(f"{path}: cannot keep the password there: {error}") from error
    written = Path(temporary)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(password + "\n")
        written.chmod(PRIVATE)  # mkstemp's mode already; said here, not relied upon
        written.replace(path)
    except OSError as error:
        written.unlink(missing_ok=True)
        raise CommandError(f"{path}: cannot keep the password there: {error}") from error


@transaction.atomic
def _make_superuser(username: str, password: str) -> bool:
    """Make ``username`` an active superuser whose password is ``password``; True when the
    password had to be set (a new user, or another password). A user whose password already is
    ``password`` keeps its hash, and so its open sessions."""
    user, created = get_user_model().objects.get_or_create(username=username)
    reset = created or not user.check_password(password)
    if reset:
        user.set_password(password)
    if reset or not (user.is_active and user.is_staff and user.is_superuser):
        user.is_active = user.is_staff = user.is_superuser = True
        user.save()
    return reset and not created
