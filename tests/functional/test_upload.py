"""Uploading D0010 files through the admin: outcomes per file, permission, size limit."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import BaseStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from readings.models import FlowFile, ImportAttempt, Reading
from readings.services.importing._tuning import GC_FIRST_THRESHOLD, SWITCH_INTERVAL
from tests.conftest import InterpreterSettings, interpreter_settings
from tests.factories import flow_file
from tests.functional.admin_helpers import context_value, logged_in

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:readings_flowfile_upload")
FLOW_FILES = reverse("admin:readings_flowfile_changelist")


def upload(client: Client, *files: SimpleUploadedFile, **data: str) -> list[str]:
    """The messages, as text (a message with a link is HTML)."""
    response = client.post(UPLOAD, {"files": list(files), **data}, follow=True)
    assert response.status_code == 200
    return [html.unescape(str(message)) for message in get_messages(response.wsgi_request)] or [
        html.unescape(str(message)) for message in context_value(response, "messages", BaseStorage)
    ]


def uff(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def bad_content() -> bytes:
    good = flow_file(readings=3)
    return good.replace(b"026|12", b"026|13", 1).replace(b"|T|N|", b"|X|N|", 1)


class TestUploadOutcomes:
    def test_a_good_file_is_imported_with_its_counts(
        self, importer: Client, official_sample: Path
    ) -> None:
        messages = upload(importer, uff("sample.uff", official_sample.read_bytes()))

        assert len(messages) == 1
        assert "sample.uff: imported as" in messages[0]
        assert "11 meter points, 11 meters, 13 readings, 0 site visits" in messages[0]
        assert Reading.objects.count() == 13

    def test_a_bad_file_is_rejected_with_line_numbers(
        self, importer: Client, bad_content: bytes
    ) -> None:
        messages = upload(importer, uff("bad.uff", bad_content))

        assert len(messages) == 1
        assert messages[0].startswith("bad.uff: not imported, not a valid D0010 file:")
        assert "<li>line 2," in messages[0]
        assert "MPAN Core (J0003)" in messages[0]
        assert "line 4," in messages[0]
        assert FlowFile.objects.count() == 0

    def test_many_errors_are_capped_in_the_message(self, importer: Client) -> None:
        content = flow_file(readings=40).replace(b"|T|N|", b"|X|N|")

        messages = upload(importer, uff("many.uff", content))

        assert messages[0].count("line ") == 10
        assert "and 30 more" in messages[0]

    def test_a_files_issues_are_listed_one_per_item(self, importer: Client) -> None:
        content = flow_file(readings=40).replace(b"|T|N|", b"|X|N|")

        messages = upload(importer, uff("many.uff", content))

        assert messages[0].startswith("many.uff: not imported, not a valid D0010 file:")
        assert messages[0].count("<li>line ") == 10
        assert '<ul class="upload-issues">' in messages[0]
        attempt = ImportAttempt.objects.get()
        url = reverse("admin:readings_importattempt_change", args=[attempt.pk])
        assert (
            f'<p class="upload-more">and 30 more: <a href="{url}">every issue on attempt '
            f"{attempt.pk}'s page</a></p>"
        ) in messages[0]

    def test_a_file_already_imported_is_skipped(
        self, importer: Client, official_sample: Path
    ) -> None:
        upload(importer, uff("first.uff", official_sample.read_bytes()))

        messages = upload(importer, uff("again.uff", official_sample.read_bytes()))

        assert "again.uff: already imported as" in messages[0]
        assert "nothing was written" in messages[0]
        assert FlowFile.objects.count() == 1

    def test_several_files_at_once_each_get_their_outcome(
        self, importer: Client, official_sample: Path, every_group_file: Path, bad_content: bytes
    ) -> None:
        messages = upload(
            importer,
            uff("a.uff", official_sample.read_bytes()),
            uff("b.uff", bad_content),
            uff("c.uff", every_group_file.read_bytes()),
        )

        outcomes = [m.split(":")[0] for m in messages if "warning" not in m.split(":")[1]]
        assert outcomes == ["a.uff", "b.uff", "c.uff"]
        assert "c.uff: 2 warnings: line 21: withdrawal (W)" in messages[-1]  # matches nothing
        assert FlowFile.objects.count() == 2

    def test_test_data_is_refused_unless_allowed(self, importer: Client) -> None:
        content = flow_file(readings=1, test_data_flag="TSTD")

        refused = upload(importer, uff("test.uff", content))
        allowed = upload(importer, uff("test.uff", content), allow_test_data="on")

        assert "test.uff: not imported: the header's Test Data Flag is 'TSTD'" in refused[0]
        assert "the “Import test data too” box on this page" in refused[0]
        assert "--allow-test-data" not in refused[0]
        assert "test.uff: imported as" in allowed[0]

    @override_settings(D0010_UPLOAD_MAX_BYTES=100)
    def test_a_file_over_the_size_limit_is_refused_with_the_limit(
        self, importer: Client, official_sample: Path
    ) -> None:
        messages = upload(importer, uff("big.uff", official_sample.read_bytes()))

        expected = "big.uff: not imported: it is 996\xa0bytes, larger than the 100\xa0bytes"
        assert expected in messages[0]
        assert FlowFile.objects.count() == 0
        attempt = ImportAttempt.objects.get()
        assert (attempt.source, attempt.outcome, attempt.refusal) == (
            "upload",
            "rejected",
            "too_large",
        )
        assert (attempt.file_name, attempt.size, attempt.sha256) == ("big.uff", 996, "")
        url = reverse("admin:readings_importattempt_change", args=[attempt.pk])
        assert f'See <a href="{url}">attempt {attempt.pk}</a>.' in messages[0]

    @pytest.mark.parametrize(
        "content",
        [b"\x00\xff\xfe binary \x89PNG\r\n", "ZHV|é".encode("latin-1"), b""],
        ids=["binary", "latin-1", "empty"],
    )
    def test_a_binary_or_empty_upload_is_rejected_with_a_message(
        self, importer: Client, content: bytes
    ) -> None:
        messages = upload(importer, uff("odd.bin", content))

        assert messages[0].startswith("odd.bin: not imported")

    def test_the_client_path_is_never_used_only_its_base_name_is_shown(
        self, importer: Client, official_sample: Path
    ) -> None:
        messages = upload(importer, uff("..\\..\\etc\\evil.uff", official_sample.read_bytes()))

        assert messages[0].startswith("evil.uff: imported as")
        assert FlowFile.objects.get().file_name == "evil.uff"

    @override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_a_file_spooled_to_disk_is_imported_the_same(
        self, importer: Client, official_sample: Path
    ) -> None:
        messages = upload(importer, uff("spooled.uff", official_sample.read_bytes()))

        assert "spooled.uff: imported as" in messages[0]

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
    def test_too_many_files_at_once_is_a_bad_request_not_an_error(self, importer: Client) -> None:
        files = [uff(f"{n}.uff", flow_file(readings=1, first_mpan=n)) for n in range(3)]

        response = importer.post(UPLOAD, {"files": files})

        assert response.status_code == 400
        assert FlowFile.objects.count() == 0

    def test_a_post_without_files_asks_for_them(self, importer: Client) -> None:
        messages = upload(importer)

        assert messages == ["Choose one or more D0010 files to upload."]

    def test_file_names_in_messages_are_escaped(
        self, importer: Client, official_sample: Path
    ) -> None:
        upload(importer, uff("<i>x.uff", official_sample.read_bytes()))
        response = importer.post(
            UPLOAD, {"files": [uff("<i>x.uff", official_sample.read_bytes())]}, follow=True
        )

        assert b"<i>x" not in response.content
        assert b"&lt;i&gt;x.uff: already imported" in response.content


class TestUploadProcessSettings:
    def test_an_upload_runs_with_the_interpreters_settings_untouched(
        self, importer: Client, settings_while_writing: list[InterpreterSettings]
    ) -> None:
        before = interpreter_settings()

        messages = upload(importer, uff("sample.uff", flow_file(readings=10)))

        assert "sample.uff: imported as" in messages[0]
        assert before[0] > SWITCH_INTERVAL * 1_000_000  # what the import tuning would shorten
        assert before[1][0] < GC_FIRST_THRESHOLD  # and raise
        assert settings_while_writing == [before]


class TestUploadPermission:
    def test_the_flow_file_list_links_the_upload_page_for_importers(self, importer: Client) -> None:
        page = importer.get(FLOW_FILES)

        assert f'href="{UPLOAD}"'.encode() in page.content

    def test_without_the_import_permission_there_is_no_link_and_the_page_is_refused(
        self, client: Client, official_sample: Path
    ) -> None:
        logged_in(client, "viewer", "readings.view_flowfile")

        page = client.get(FLOW_FILES)
        get = client.get(UPLOAD)
        post = client.post(UPLOAD, {"files": [uff("s.uff", official_sample.read_bytes())]})

        assert page.status_code == 200
        assert UPLOAD.encode() not in page.content
        assert get.status_code == 403
        assert post.status_code == 403
        assert FlowFile.objects.count() == 0

    def test_anonymous_users_are_sent_to_log_in(self, client: Client) -> None:
        response = client.get(UPLOAD)

        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
