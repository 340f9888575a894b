"""``manage.py local_admin``: the login ``make run`` prints, kept from one run to the next."""

from __future__ import annotations

import io
import re
import stat
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    return tmp_path / ".local-admin"


def run(password_file: Path, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "local_admin", "--password-file", str(password_file), *args, stdout=out, no_color=True
    )
    return out.getvalue()


def printed(output: str, field: str) -> str:
    found = re.search(rf"^\s+{field}:\s+(\S+)$", output, flags=re.MULTILINE)
    assert found is not None, output
    return found.group(1)


class TestPrintedUrl:
    def test_it_is_the_development_server_default_without_options(
        self, password_file: Path
    ) -> None:
        output = run(password_file)

        assert printed(output, "URL") == "http://127.0.0.1:8000/admin/"

    @pytest.mark.parametrize(
        ("host", "port", "url"),
        [
            ("127.0.0.1", "8777", "http://127.0.0.1:8777/admin/"),
            ("0.0.0.0", "9000", "http://0.0.0.0:9000/admin/"),  # noqa: S104 (a printed URL)
            ("localhost", "8000", "http://localhost:8000/admin/"),
            ("::1", "8001", "http://[::1]:8001/admin/"),
        ],
    )
    def test_it_follows_host_and_port(
        self, password_file: Path, host: str, port: str, url: str
    ) -> None:
        output = run(password_file, "--host", host, "--port", port)

        assert printed(output, "URL") == url

    @pytest.mark.parametrize("port", ["0", "65536", "-1"])
    def test_a_port_out_of_range_is_refused(self, password_file: Path, port: str) -> None:
        with pytest.raises(CommandError, match=f"--port {port}: .*1 to 65535"):
            run(password_file, "--port", port)

        assert not password_file.exists()

    def test_make_passes_its_host_and_port_to_the_command(self) -> None:
        dry_run = subprocess.run(
            ["make", "-n", "admin-login", "HOST=localhost", "PORT=8777"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )

        assert "manage.py local_admin --host localhost --port 8777" in dry_run.stdout


class TestKeptPassword:
    def test_a_second_run_prints_the_same_password_and_it_still_logs_in(
        self, password_file: Path
    ) -> None:
        first = printed(run(password_file), "password")
        hashed = User.objects.get(username="admin").password

        second = printed(run(password_file), "password")

        assert second == first
        assert User.objects.get(username="admin").password == hashed
        assert Client().login(username="admin", password=second)

    def test_a_second_run_keeps_an_open_browser_session_logged_in(
        self, password_file: Path, client: Client
    ) -> None:
        client.login(username="admin", password=printed(run(password_file), "password"))

        run(password_file)

        assert client.get(INDEX).status_code == 200

    def test_the_password_is_kept_in_a_file_only_its_owner_may_read(
        self, password_file: Path
    ) -> None:
        output = run(password_file)

        assert password_file.read_text().strip() == printed(output, "password")
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert f"kept in {password_file}" in output

    def test_a_file_others_may_read_is_made_private_and_said_so(self, password_file: Path) -> None:
        password_file.write_text("a-kept-password-of-mine\n")
        password_file.chmod(0o644)

        output = run(password_file)

        assert printed(output, "password") == "a-kept-password-of-mine"
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert "only you may read it now" in output

    def test_a_new_database_gets_the_kept_password(self, password_file: Path) -> None:
        kept = printed(run(password_file), "password")
        User.objects.all().delete()

        again = printed(run(password_file), "password")

        assert again == kept
        assert Client().login(username="admin", password=kept)

    def test_a_password_changed_elsewhere_is_set_back_and_said_so(
        self, password_file: Path
    ) -> None:
        kept = printed(run(password_file), "password")
        user = User.objects.get(username="admin")
        user.set_password("changed-in-the-admin")
        user.save()

        output = run(password_file)

        assert printed(output, "password") == kept
        assert Client().login(username="admin", password=kept)
        assert "set again" in output

    def test_an_empty_file_gets_a_new_password_and_said_so(self, password_file: Path) -> None:
        password_file.write_text("\n")

        output = run(password_file)

        assert len(printed(output, "password")) >= 12
        assert password_file.read_text().strip() == printed(output, "password")
        assert "was empty" in output

    def test_a_file_that_cannot_be_read_is_named_in_the_error(self, password_file: Path) -> None:
        password_file.mkdir()

        with pytest.raises(CommandError, match=re.escape(str(password_file))):
            run(password_file)

        assert not User.objects.exists()


class TestNewPassword:
    def test_new_makes_another_password_and_keeps_that_one(self, password_file: Path) -> None:
        first = printed(run(password_file), "password")

        second = printed(run(password_file, "--new"), "password")
        third = printed(run(password_file), "password")

        assert second != first
        assert third == second
        assert Client().login(username="admin", password=second)
        assert not Client().login(username="admin", password=first)

    def test_new_logs_the_open_sessions_out(self, password_file: Path, client: Client) -> None:
        client.login(username="admin", password=printed(run(password_file), "password"))

        run(password_file, "--new")

        assert client.get(INDEX).status_code == 302


class TestProduction:
    @override_settings(PRODUCTION=True)
    def test_it_is_refused_in_production_and_writes_nothing(self, password_file: Path) -> None:
        with pytest.raises(CommandError, match="local_admin is for development"):
            run(password_file)

        assert not password_file.exists()
        assert not User.objects.exists()
