"""``python manage.py local_admin``: a superuser for trying the admin on this machine."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create or reset the local superuser 'admin' with a new random password and print it. "
        "Development only: refused when DJANGO_PRODUCTION is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("local_admin is for development; use createsuperuser in production")
        username: str = options["username"]
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                "Local admin login (development only):\n"
                f"    URL:      http://127.0.0.1:8000/admin/\n"
                f"    username: {username}\n"
                f"    password: {password}"
            )
        )
