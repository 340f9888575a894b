"""``python manage.py api_token USERNAME [--rotate]``: the user's token for the REST API.

The token is made the first time and printed again on later runs; ``--rotate`` replaces it (the
old one stops working at once). It is printed as the last line, alone, so that a script can
take it with ``tail -n 1``. The token carries the user's own permissions, no more.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from readings.wording import printable


class Command(BaseCommand):
    help = (
        "Print USERNAME's token for the REST API as the last line (made if the user has none). "
        "--rotate replaces it: the old token stops working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the token; the old one stops working"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user '{printable(username)}': no token was made.")
        with transaction.atomic():
            if options["rotate"]:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
        if not user.is_active:
            self.stderr.write(
                f"{printable(username)} is inactive: the token works once the user is active."
            )
        made = "new token" if created else "token"
        self.stdout.write(f"{printable(username)}'s {made} for the REST API:")
        self.stdout.write(token.key)
