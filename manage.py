#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from core.startup import configuration_errors_in_one_line

    with configuration_errors_in_one_line():
        settings.INSTALLED_APPS  # noqa: B018  # read the settings now, before any command
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
