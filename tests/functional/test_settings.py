"""Settings, as ``manage.py`` starts with them: safe in production, zero-configuration otherwise.

Each test starts a real ``manage.py check`` with an environment of its own, since settings are
read once per process.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest

from tests.processes import manage_py

pytestmark = pytest.mark.slow

STRONG_KEY = secrets.token_urlsafe(50)  # made up for each run
PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "flows.example.com",
}


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with only ``env`` among the project's settings variables."""
    return manage_py(*args, database=tmp_path / "settings.sqlite3", env=env)


class TestProductionSettings:
    @pytest.mark.parametrize(
        ("missing", "message"),
        [
            ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set when DJANGO_PRODUCTION is on"),
            (
                "DJANGO_ALLOWED_HOSTS",
                "DJANGO_ALLOWED_HOSTS must be set when DJANGO_PRODUCTION is on",
            ),
        ],
    )
    def test_a_missing_setting_stops_start_up_with_a_clear_message(
        self, tmp_path: Path, missing: str, message: str
    ) -> None:
        env = {key: value for key, value in PRODUCTION.items() if key != missing}

        done = manage(tmp_path, "check", **env)

        assert done.returncode != 0
        assert f"ImproperlyConfigured: {message}" in done.stderr.splitlines()[-1]

    @pytest.mark.parametrize(
        ("setting", "value", "message"),
        [
            ("DJANGO_SECRET_KEY", " ", "DJANGO_SECRET_KEY must be set"),
            ("DJANGO_SECRET_KEY", "short-key", "DJANGO_SECRET_KEY is too weak for production"),
            (
                "DJANGO_SECRET_KEY",
                "django-insecure-" + STRONG_KEY,
                "DJANGO_SECRET_KEY is too weak for production",
            ),
            ("DJANGO_ALLOWED_HOSTS", " , ", "DJANGO_ALLOWED_HOSTS must name at least one host"),
        ],
    )
    def test_a_blank_or_weak_setting_stops_start_up(
        self, tmp_path: Path, setting: str, value: str, message: str
    ) -> None:
        done = manage(tmp_path, "check", **{**PRODUCTION, setting: value})

        assert done.returncode != 0
        assert message in done.stderr.splitlines()[-1]

    def test_the_deployment_checks_pass(self, tmp_path: Path) -> None:
        done = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

        assert done.returncode == 0, done.stderr
        assert "System check identified no issues" in done.stdout

    def test_debug_is_off_and_cookies_are_secure(self, tmp_path: Path) -> None:
        done = manage(
            tmp_path,
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS)",
            **PRODUCTION,
        )

        assert done.stdout.split() == ["False", "True", "True", "['flows.example.com']"]


class TestDevelopmentSettings:
    def test_need_no_configuration(self, tmp_path: Path) -> None:
        done = manage(tmp_path, "check")

        assert done.returncode == 0, done.stderr
        assert "System check identified no issues" in done.stdout

    def test_are_not_for_deployment(self, tmp_path: Path) -> None:
        done = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

        assert done.returncode != 0
        assert "security.W018" in done.stderr  # DEBUG on
