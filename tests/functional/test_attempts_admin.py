"""Import attempts and kept files as people reach them: the command's and the upload's
references, the admin's list and pages, the download and the purge command."""

from __future__ import annotations

import hashlib
import html
import importlib.util
import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readings.models import AttemptOutcome, AttemptSource, FlowFile, ImportAttempt
from readings.services import raw_files
from tests.factories import flow_file
from tests.functional.admin_helpers import logged_in
from tests.processes import manage_py

pytestmark = pytest.mark.django_db

GOOD = flow_file(readings=4)
INVALID = flow_file(readings=3).replace(b"026|12", b"026|13", 1).replace(b"|T|N|", b"|X|N|", 1)
ATTEMPTS = reverse("admin:readings_importattempt_changelist")
DOWNLOAD = "readings.download_flowfile"
VIEW_ATTEMPTS = "readings.view_importattempt"


def command(*args: str, name: str = "import_d0010") -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def imported(tmp_path: Path, data: bytes = GOOD, name: str = "good.uff") -> ImportAttempt:
    path = tmp_path / name
    path.write_bytes(data)
    command(str(path))
    return ImportAttempt.objects.order_by("-id").first() or pytest.fail("no attempt")


def stored_path(sha256: str) -> Path:
    return Path(raw_files.flow_file_storage().path(raw_files.stored_name(sha256)))


def download_urls(attempt: ImportAttempt) -> list[str]:
    assert attempt.flow_file_id is not None
    return [
        reverse("admin:readings_flowfile_download", args=[attempt.flow_file_id]),
        reverse("admin:readings_importattempt_download", args=[attempt.pk]),
    ]


class TestTheirReferences:
    def test_the_command_names_each_files_attempt(self, tmp_path: Path) -> None:
        (tmp_path / "a.uff").write_bytes(GOOD)
        (tmp_path / "b.uff").write_bytes(INVALID)

        output, error = command(str(tmp_path))

        assert error is not None
        first, second = ImportAttempt.objects.order_by("id")
        assert "a.uff: 2 meter points" in output
        assert f"(attempt {first.pk})" in output.splitlines()[0]
        assert f"(attempt {second.pk})" in output.splitlines()[1]
        assert (first.source, first.user, second.outcome) == (
            AttemptSource.COMMAND,
            None,
            AttemptOutcome.REJECTED,
        )

    def test_an_upload_is_the_users_attempt_and_its_message_links_it(self, client: Client) -> None:
        logged_in(client, "uploader", "readings.view_flowfile", "readings.import_flowfile")
        upload = SimpleUploadedFile("up.uff", GOOD)

        response = client.post(
            reverse("admin:readings_flowfile_upload"), {"files": [upload]}, follow=True
        )

        attempt = ImportAttempt.objects.get()
        assert (attempt.source, attempt.user) == (
            AttemptSource.UPLOAD,
            User.objects.get(username="uploader"),
        )
        [message] = [str(m) for m in get_messages(response.wsgi_request)] or [
            m.message for m in response.context["messages"]
        ]
        url = reverse("admin:readings_importattempt_change", args=[attempt.pk])
        assert f'<a href="{url}">attempt {attempt.pk}</a>' in message


class TestDownload:
    def test_without_the_permission_it_is_refused_with_the_permission_named(
        self, client: Client, tmp_path: Path
    ) -> None:
        attempt = imported(tmp_path)
        logged_in(client, "viewer", "readings.view_flowfile", VIEW_ATTEMPTS)

        responses = [client.get(url) for url in download_urls(attempt)]

        assert [r.status_code for r in responses] == [403, 403]
        assert all("Can download flow files" in r.content.decode() for r in responses)

    def test_with_it_the_bytes_come_as_an_attachment_with_a_safe_name(
        self, client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        attempt = imported(tmp_path, name='we"ird name;.uff')
        logged_in(client, "operator", DOWNLOAD)

        for url in download_urls(attempt):
            with caplog.at_level(logging.INFO, logger="readings.raw_files"):
                response = client.get(url)

            assert f"downloaded sha256={attempt.sha256} user='operator'" in caplog.text

            assert response.status_code == 200
            assert response["Content-Disposition"] == 'attachment; filename="we_ird_name_.uff"'
            assert response["Content-Type"] == "application/octet-stream"
            assert response.getvalue() == GOOD  # a FileResponse: its streamed bytes

    def test_bytes_changed_in_the_storage_are_not_served_and_the_mismatch_is_logged(
        self, client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        attempt = imported(tmp_path)
        stored_path(attempt.sha256).write_bytes(GOOD.replace(b"OPER", b"TEST"))
        logged_in(client, "operator", DOWNLOAD, "readings.view_flowfile")

        with caplog.at_level(logging.ERROR, logger="readings.raw_files"):
            response = client.get(download_urls(attempt)[0], follow=True)

        assert response.status_code == 200
        assert "Content-Disposition" not in response
        page = html.unescape(response.content.decode())
        assert "no longer match its SHA-256" in page
        assert GOOD.decode() not in page
        assert f"sha256={attempt.sha256}" in caplog.text

    def test_purged_bytes_are_not_found(self, client: Client, tmp_path: Path) -> None:
        attempt = imported(tmp_path)
        stored_path(attempt.sha256).unlink()
        logged_in(client, "operator", DOWNLOAD)

        assert [client.get(url).status_code for url in download_urls(attempt)] == [404, 404]

    def test_the_pages_link_the_download_only_for_who_may_download(
        self, client: Client, tmp_path: Path
    ) -> None:
        attempt = imported(tmp_path)
        pages = [
            reverse("admin:readings_flowfile_change", args=[attempt.flow_file_id]),
            reverse("admin:readings_importattempt_change", args=[attempt.pk]),
        ]
        logged_in(client, "viewer", "readings.view_flowfile", VIEW_ATTEMPTS)
        without = [client.get(page).content.decode() for page in pages]
        logged_in(client, "operator", "readings.view_flowfile", VIEW_ATTEMPTS, DOWNLOAD)
        with_it = [client.get(page).content.decode() for page in pages]

        assert not any("flow-file-download" in page for page in without)
        for page, url in zip(with_it, download_urls(attempt), strict=True):
            assert f'class="flow-file-download" href="{url}"' in page


class TestAttemptAdmin:
    @pytest.fixture
    def viewer(self, client: Client) -> Client:
        return logged_in(client, "viewer", VIEW_ATTEMPTS, "readings.view_flowfile")

    def listed(self, viewer: Client, **query: str) -> list[int]:
        response = viewer.get(ATTEMPTS, query)
        assert response.status_code == 200
        return sorted(a.pk for a in response.context["cl"].result_list)

    def test_the_list_filters_by_outcome_source_and_date(
        self, viewer: Client, tmp_path: Path
    ) -> None:
        good = imported(tmp_path)
        bad = imported(tmp_path, INVALID, "bad.uff")
        ImportAttempt.objects.filter(pk=bad.pk).update(
            source=AttemptSource.UPLOAD, started_at=timezone.now() - timedelta(days=40)
        )

        assert self.listed(viewer, outcome__exact="rejected") == [bad.pk]
        assert self.listed(viewer, source__exact="command") == [good.pk]
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        assert self.listed(viewer, started_at__gte=midnight.isoformat()) == [good.pk]

    def test_the_list_is_searched_by_file_name_or_sha256(
        self, viewer: Client, tmp_path: Path
    ) -> None:
        good = imported(tmp_path)
        bad = imported(tmp_path, INVALID, "bad.uff")

        assert self.listed(viewer, q="BAD") == [bad.pk]
        assert self.listed(viewer, q=hashlib.sha256(GOOD).hexdigest()) == [good.pk]
        assert self.listed(viewer, q=hashlib.sha256(GOOD).hexdigest()[:10]) == []

    def test_an_attempts_page_shows_every_issue(self, viewer: Client, tmp_path: Path) -> None:
        bad = imported(tmp_path, INVALID, "bad.uff")
        issues = bad.issue_list()

        page = html.unescape(
            viewer.get(
                reverse("admin:readings_importattempt_change", args=[bad.pk])
            ).content.decode()
        )

        assert len(issues) == 2
        for issue in issues:
            assert (
                f"<tr><td>{issue.line}</td><td>{issue.item}</td><td>{issue.reason}</td></tr>"
                in page
            )

    def test_the_flow_files_page_lists_its_attempts_linked(
        self, viewer: Client, tmp_path: Path
    ) -> None:
        first = imported(tmp_path)
        again = imported(tmp_path, name="again.uff")

        page = viewer.get(
            reverse("admin:readings_flowfile_change", args=[first.flow_file_id])
        ).content.decode()

        assert again.flow_file_id == first.flow_file_id
        for attempt in (first, again):
            url = reverse("admin:readings_importattempt_change", args=[attempt.pk])
            assert f'<a href="{url}">attempt {attempt.pk}</a>' in page


class TestPurgeCommand:
    def test_a_dry_run_says_what_would_go_and_removes_nothing(self, tmp_path: Path) -> None:
        attempt = imported(tmp_path)
        ImportAttempt.objects.update(started_at=timezone.now() - timedelta(days=31))

        output, error = command("--older-than", "30", "--dry-run", name="purge_flow_files")

        assert error is None
        assert f"would remove {attempt.sha256} ({len(GOOD)} bytes, 'good.uff'" in output
        assert "Summary: would remove the bytes of 1 file" in output
        assert stored_path(attempt.sha256).exists()

    def test_it_removes_old_bytes_keeps_recent_ones_and_every_record(self, tmp_path: Path) -> None:
        old = imported(tmp_path)
        recent = imported(tmp_path, INVALID, "bad.uff")
        ImportAttempt.objects.filter(pk=old.pk).update(
            started_at=timezone.now() - timedelta(days=31)
        )

        output, error = command("--older-than", "30", name="purge_flow_files")

        assert error is None
        assert f"removed      {old.sha256}" in output
        assert "Summary: removed the bytes of 1 file" in output
        assert "kept 1 file attempted since" in output
        assert not stored_path(old.sha256).exists()
        assert stored_path(recent.sha256).exists()
        assert (ImportAttempt.objects.count(), FlowFile.objects.count()) == (2, 1)

    def test_bytes_attempted_again_recently_are_kept(self, tmp_path: Path) -> None:
        first = imported(tmp_path)
        ImportAttempt.objects.filter(pk=first.pk).update(
            started_at=timezone.now() - timedelta(days=31)
        )
        imported(tmp_path, name="again.uff")  # the same bytes, attempted today

        command("--older-than", "30", name="purge_flow_files")

        assert stored_path(first.sha256).exists()

    @pytest.mark.parametrize("days", ["-1", "ten", "1.5", "", "36601", "99999999999999"])
    def test_a_bad_age_is_a_clear_error(self, days: str) -> None:
        output, error = command("--older-than", days, name="purge_flow_files")

        assert error is not None
        assert "--older-than" in str(error)
        assert output == ""


class TestPurgeFromTheShell:
    def test_a_bad_age_exits_non_zero_with_the_option_named_and_no_traceback(
        self, tmp_path: Path
    ) -> None:
        run = manage_py("purge_flow_files", "--older-than", "ten", database=tmp_path / "db.sqlite3")

        assert run.returncode == 2
        assert "--older-than: must be a whole number of days (0 or more), not 'ten'" in run.stderr
        assert "Traceback" not in run.stderr


class TestStorageSettings:
    @pytest.mark.parametrize(
        ("env", "message"),
        [
            (
                {"D0010_FLOW_FILES_STORAGE": "ftp"},
                "D0010_FLOW_FILES_STORAGE must be filesystem or s3 (or unset), not 'ftp'.",
            ),
            (
                {"D0010_FLOW_FILES_STORAGE": "s3", "D0010_FLOW_FILES_BUCKET": "b"},
                "D0010_FLOW_FILES_STORAGE=s3 needs django-storages[s3] installed",
            ),
        ],
    )
    def test_a_storage_that_cannot_be_used_stops_start_up_with_why(
        self, tmp_path: Path, env: dict[str, str], message: str
    ) -> None:
        if env.get("D0010_FLOW_FILES_STORAGE") == "s3" and importlib.util.find_spec("storages"):
            pytest.skip("django-storages is installed here")

        run = manage_py("check", database=tmp_path / "db.sqlite3", env=env)

        assert run.returncode == 1
        assert message in run.stderr
        assert "Traceback" not in run.stderr
