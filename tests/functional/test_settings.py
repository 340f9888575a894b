"""Settings, as ``manage.py`` starts with them: safe in production, zero-configuration otherwise.

Each test starts a real ``manage.py check`` with an environment of its own, since settings are
read once per process.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest

from tests.processes import manage_py, run_python

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


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python with ``args`` and only ``env`` among the project's settings variables."""
    return run_python(*args, database=tmp_path / "settings.sqlite3", env=env)


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
        assert done.stderr.splitlines() == [
            f"Configuration error: {message} (see README, 'Deploying')."
        ]

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
        assert len(done.stderr.splitlines()) == 1

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

    def test_a_server_error_is_logged_with_its_traceback_without_the_password(
        self, tmp_path: Path
    ) -> None:
        # The database has no tables, so the login's first query fails: a 500.
        login = (
            "from django.test import Client; "
            "client = Client(raise_request_exception=False, "
            "headers={'host': 'flows.example.com'}); "
            "response = client.post('/admin/login/', "
            "{'username': 'admin', 'password': 'hunter2-password'}, secure=True); "
            "print(response.status_code)"
        )

        done = manage(tmp_path, "shell", "--no-imports", "-c", login, **PRODUCTION)

        assert done.stdout.split() == ["500"]
        assert "ERROR django.request: Internal Server Error: /admin/login/" in done.stderr
        assert "Traceback (most recent call last):" in done.stderr
        assert "OperationalError: no such table" in done.stderr
        assert "hunter2-password" not in done.stderr


class TestStrictSettings:
    @pytest.mark.parametrize("value", ["2", "yes", "maybe", "true"])
    def test_a_production_switch_that_is_not_1_or_0_stops_start_up_in_one_line(
        self, tmp_path: Path, value: str
    ) -> None:
        done = manage(tmp_path, "check", **{**PRODUCTION, "DJANGO_PRODUCTION": value})

        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"Configuration error: DJANGO_PRODUCTION must be 1 or 0 (or unset), not '{value}'."
        ]
        assert done.stdout == ""

    @pytest.mark.parametrize(
        ("setting", "value", "accepted"),
        [
            ("DJANGO_HSTS_SECONDS", "abc", "a whole number of at least 0"),
            ("DJANGO_HSTS_SECONDS", "-1", "a whole number of at least 0"),
            ("DJANGO_NO_SSL_REDIRECT", "yes", "1 or 0"),
            ("DATABASE_CONN_MAX_AGE", "1.5", "a whole number of at least 0"),
            ("D0010_UPLOAD_MAX_BYTES", "50MB", "a whole number of at least 1"),
            ("API_READS_PER_MINUTE", "0", "a whole number of at least 1"),
            ("API_UPLOADS_PER_MINUTE", "ten", "a whole number of at least 1"),
            ("READINGS_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ],
    )
    def test_a_value_that_cannot_be_read_is_named_in_one_line_without_a_traceback(
        self, tmp_path: Path, setting: str, value: str, accepted: str
    ) -> None:
        done = manage(tmp_path, "check", **{**PRODUCTION, setting: value})

        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"Configuration error: {setting} must be {accepted} (or unset), not '{value}'."
        ]

    def test_a_database_url_that_cannot_be_read_is_named_without_showing_it(
        self, tmp_path: Path
    ) -> None:
        url = "mysqlx://user:hunter2@db.example.com/flows"

        done = manage(tmp_path, "check", DATABASE_URL=url)

        assert done.returncode == 1
        assert done.stderr.startswith("Configuration error: DATABASE_URL is not a database URL")
        assert len(done.stderr.splitlines()) == 1
        assert "hunter2" not in done.stderr

    def test_the_wsgi_application_stops_the_same_way(self, tmp_path: Path) -> None:
        done = run(tmp_path, "-c", "import core.wsgi", DJANGO_PRODUCTION="2")

        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            "Configuration error: DJANGO_PRODUCTION must be 1 or 0 (or unset), not '2'."
        ]


class TestDevelopmentSettings:
    def test_need_no_configuration(self, tmp_path: Path) -> None:
        done = manage(tmp_path, "check")

        assert done.returncode == 0, done.stderr
        assert "System check identified no issues" in done.stdout

    def test_are_not_for_deployment(self, tmp_path: Path) -> None:
        done = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

        assert done.returncode != 0
        assert "security.W018" in done.stderr  # DEBUG on
