"""The API's flow files: uploading one (201, 409, 422, 413, 401, 403), listing and reading them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from readings.models import AttemptSource, FlowFile, ImportAttempt, Reading
from tests.conftest import FLOWS, OFFICIAL_SAMPLE
from tests.factories import flow_file
from tests.functional.admin_helpers import import_files
from tests.functional.api_helpers import API, IMPORT, READ, body, token_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

FLOW_FILES = f"{API}flow-files/"


def upload(client: Client, content: bytes, name: str = "upload.uff", **extra: str) -> TestResponse:
    return client.post(FLOW_FILES, {"file": SimpleUploadedFile(name, content), **extra})


@pytest.fixture
def importer() -> Client:
    return token_client("importer", *IMPORT)


class TestUploadingAFlowFile:
    def test_imports_it_and_answers_201_with_the_flow_file(self, importer: Client) -> None:
        response = upload(importer, OFFICIAL_SAMPLE.read_bytes(), "DTC.uff")

        assert response.status_code == 201
        found = body(response)
        stored = FlowFile.objects.get()
        assert found["id"] == stored.pk
        assert found["name"] == "DTC.uff"
        assert found["sha256"] == stored.sha256
        assert (found["flow_reference"].text, found["flow_version"].text) == ("D0010", "002")
        assert found["sender"] == "UDMS"
        assert found["counts"] == {
            "meter_points": 11,
            "meters": 11,
            "readings": 13,
            "site_visits": 0,
        }
        assert found["warnings"] == []
        attempt = ImportAttempt.objects.get(pk=found["attempt_id"].number)
        assert (attempt.source, attempt.flow_file_id) == (AttemptSource.API, stored.pk)
        assert attempt.user is not None
        assert attempt.user.username == "importer"
        assert found["file_created_at"] == "2016-03-02T15:31:51+00:00"

    def test_answers_409_naming_the_flow_file_the_same_bytes_were_imported_as(
        self, importer: Client
    ) -> None:
        [first] = import_files(OFFICIAL_SAMPLE)

        response = upload(importer, OFFICIAL_SAMPLE.read_bytes(), "again.uff")

        assert response.status_code == 409
        found = body(response)
        assert found["existing"] == {"id": first.pk, "name": first.file_name}
        assert found["detail"].text.startswith(f"already imported as flow file #{first.pk}")
        assert FlowFile.objects.count() == 1

    def test_answers_409_when_the_senders_file_identifier_is_taken(self, importer: Client) -> None:
        upload(importer, flow_file(readings=2, file_identifier="SAME000001"), "first.uff")

        response = upload(
            importer, flow_file(readings=3, file_identifier="same000001"), "second.uff"
        )

        assert response.status_code == 409
        assert body(response)["existing"]["name"] == "first.uff"
        assert FlowFile.objects.count() == 1

    def test_answers_422_with_each_error_line_item_and_reason(self, importer: Client) -> None:
        content = (FLOWS.parent / "broken" / "bad_mpan_check_digit.uff").read_bytes()

        response = upload(importer, content, "bad.uff")

        assert response.status_code == 422
        found = body(response)
        assert found["name"] == "bad.uff"
        [error] = found["errors"]
        assert set(error) == {"line", "item", "reason"}
        assert isinstance(error["line"].value, int)
        assert "J0003" in error["item"]
        assert "check digit" in error["reason"]
        assert FlowFile.objects.count() == 0
        attempt = ImportAttempt.objects.get(pk=found["attempt_id"].number)
        assert (attempt.source, attempt.outcome) == (AttemptSource.API, "rejected")

    def test_answers_422_for_test_data_unless_it_is_allowed(self, importer: Client) -> None:
        content = flow_file(readings=1, test_data_flag="TR01")

        refused = upload(importer, content)
        allowed = upload(importer, content, allow_test_data="true")

        assert refused.status_code == 422
        [error] = body(refused)["errors"]
        assert error["line"].value is None
        assert "test data" in error["reason"]
        assert allowed.status_code == 201

    @override_settings(D0010_UPLOAD_MAX_BYTES=100)
    def test_answers_413_in_json_for_a_file_over_the_limit(self, importer: Client) -> None:
        response = upload(importer, flow_file(readings=5))

        assert response.status_code == 413
        assert "larger than the 100\xa0bytes an upload may be" in body(response)["detail"]
        assert FlowFile.objects.count() == 0
        attempt = ImportAttempt.objects.get()
        assert body(response)["attempt_id"] == attempt.pk
        assert (attempt.source, attempt.user, attempt.refusal) == (
            AttemptSource.API,
            User.objects.get(username="importer"),
            "too_large",
        )

    def test_answers_413_in_json_before_reading_a_body_over_the_limit(
        self, importer: Client
    ) -> None:
        response = importer.generic(
            "POST",
            FLOW_FILES,
            b"",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(52 * 1024 * 1024),
        )

        assert response.status_code == 413
        assert body(response)["limit_bytes"] == 51 * 1024 * 1024
        attempt = ImportAttempt.objects.get()
        assert body(response)["attempt_id"] == attempt.pk
        assert (attempt.source, attempt.size, attempt.refusal) == (
            AttemptSource.API,
            52 * 1024 * 1024,
            "too_large",
        )

    def test_a_body_over_the_limit_from_no_one_known_leaves_no_attempt(
        self, client: Client
    ) -> None:
        response = client.generic(
            "POST",
            FLOW_FILES,
            b"",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(52 * 1024 * 1024),
            HTTP_AUTHORIZATION="Token not-a-token",
        )

        assert response.status_code == 413
        assert body(response)["attempt_id"].value is None
        assert not ImportAttempt.objects.exists()

    def test_answers_401_without_credentials(self, client: Client) -> None:
        response = upload(client, flow_file(readings=1))

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "credentials" in body(response)["detail"]

    def test_answers_401_for_a_token_that_is_not_one(self, client: Client) -> None:
        response = client.post(FLOW_FILES, HTTP_AUTHORIZATION="Token not-a-token")

        assert response.status_code == 401
        assert body(response)["detail"] == "Invalid token."

    def test_answers_403_without_the_import_permission(self) -> None:
        reader = token_client("reader", *READ)

        response = upload(reader, flow_file(readings=1))

        assert response.status_code == 403
        assert FlowFile.objects.count() == 0

    def test_answers_403_to_a_session_without_the_import_permission_before_reading(
        self, client: Client
    ) -> None:
        token_client("viewer", *READ)
        client.login(username="viewer", password="a-long-test-password")

        response = client.generic(
            "POST",
            FLOW_FILES,
            b"",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH="1000",
        )

        assert response.status_code == 403
        assert body(response)["detail"].text.startswith("You do not have permission")


class TestHostileUploads:
    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\win.ini", "win.ini"),
            ("/abs/path/file.uff", "file.uff"),
            ("bad\nname\x1b[31m.uff", "badname[31m.uff"),  # Django drops control characters
            ("x" * 300 + ".uff", "x" * 251 + ".uff"),  # Django keeps the extension
        ],
    )
    def test_keeps_only_the_base_name_of_what_the_client_sent(
        self, importer: Client, sent: str, stored: str
    ) -> None:
        response = upload(importer, flow_file(readings=1), sent)

        assert response.status_code == 201
        assert FlowFile.objects.get().file_name == stored
        assert body(response)["name"] == stored

    def test_answers_422_for_bytes_that_are_not_utf_8(self, importer: Client) -> None:
        response = upload(importer, b"ZHV|\xff\xfe\x00|D0010002|\n" * 3)

        assert response.status_code == 422
        assert body(response)["errors"]
        assert FlowFile.objects.count() == 0

    def test_answers_422_for_a_huge_field(self, importer: Client) -> None:
        response = upload(importer, b"ZHV|" + b"9" * 200_000 + b"|\n")

        assert response.status_code == 422
        assert "longer than" in body(response)["errors"][0]["reason"]

    def test_answers_400_without_a_file(self, importer: Client) -> None:
        response = importer.post(FLOW_FILES, {"other": "x"})

        assert response.status_code == 400
        assert "file" in body(response)

    def test_answers_400_for_two_files_in_one_request_and_imports_neither(
        self, importer: Client
    ) -> None:
        files = [
            SimpleUploadedFile(f"{n}.uff", flow_file(readings=1, file_identifier=f"TWO{n}"))
            for n in (1, 2)
        ]

        response = importer.post(FLOW_FILES, {"file": files})

        assert response.status_code == 400
        assert "one file" in body(response)["file"][0]
        assert FlowFile.objects.count() == ImportAttempt.objects.count() == 0

    def test_answers_400_in_json_for_more_files_than_a_request_may_send(
        self, importer: Client
    ) -> None:
        files = [SimpleUploadedFile(f"{n}.uff", b"") for n in range(21)]

        response = importer.post(FLOW_FILES, {"file": files})

        assert response.status_code == 400
        assert "DATA_UPLOAD_MAX_NUMBER_FILES" in body(response)["detail"]
        assert ImportAttempt.objects.count() == 0

    def test_answers_400_in_json_for_more_fields_than_a_request_may_send(
        self, importer: Client
    ) -> None:
        fields = {f"field{n}": "x" for n in range(1001)}

        response = importer.post(FLOW_FILES, {"file": SimpleUploadedFile("a.uff", b""), **fields})

        assert response.status_code == 400
        assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in body(response)["detail"]

    def test_answers_415_for_json_instead_of_multipart(self, importer: Client) -> None:
        response = importer.post(FLOW_FILES, {"file": "ZHV|..."}, content_type="application/json")

        assert response.status_code == 415
        assert "application/json" in body(response)["detail"]

    def test_answers_415_for_a_raw_body(self, importer: Client) -> None:
        response = importer.post(FLOW_FILES, flow_file(readings=1), content_type="text/plain")

        assert response.status_code == 415
        assert FlowFile.objects.count() == 0

    def test_answers_400_for_a_malformed_multipart_body(self, importer: Client) -> None:
        response = importer.post(
            FLOW_FILES, b"--x\r\ngarbage", content_type="multipart/form-data; boundary=x"
        )

        assert response.status_code == 400
        assert FlowFile.objects.count() == 0


class TestListingFlowFiles:
    def test_lists_them_newest_first_filtered_by_sender_and_dates(self) -> None:
        reader = token_client("reader", *READ)
        older, newer = import_files(OFFICIAL_SAMPLE, FLOWS / "every_group.uff")

        every = body(reader.get(FLOW_FILES))["results"]
        by_sender = body(reader.get(FLOW_FILES, {"sender": "udms"}))["results"]
        created = body(reader.get(FLOW_FILES, {"created_since": "03/03/2016"}))["results"]
        imported = body(reader.get(FLOW_FILES, {"imported_since": "2999-01-01"}))["results"]

        assert [f["id"] for f in every] == [newer.pk, older.pk]
        assert [f["id"] for f in by_sender] == [older.pk]
        assert older.pk not in [f["id"] for f in created]
        assert imported == []

    def test_answers_400_for_a_date_that_is_not_one(self) -> None:
        reader = token_client("reader", *READ)

        response = reader.get(FLOW_FILES, {"created_since": "31/02/2016"})

        assert response.status_code == 400
        assert "created_since" in body(response)

    def test_gives_one_flow_file_and_404_in_json_for_another(self) -> None:
        reader = token_client("reader", *READ)
        [stored] = import_files(OFFICIAL_SAMPLE)

        found = reader.get(f"{FLOW_FILES}{stored.pk}/")
        missing = reader.get(f"{FLOW_FILES}{stored.pk + 1}/")

        assert body(found)["sha256"] == stored.sha256
        assert missing.status_code == 404
        assert body(missing)["detail"]

    def test_needs_the_view_permission(self) -> None:
        importer_only = token_client("uploader", "readings.import_flowfile")

        response = importer_only.get(FLOW_FILES)

        assert response.status_code == 403
        assert Reading.objects.count() == 0


class TestImportAttempts:
    def test_lists_every_attempt_newest_first_with_its_outcome_and_issues(
        self, importer: Client
    ) -> None:
        bad = (FLOWS.parent / "broken" / "bad_mpan_check_digit.uff").read_bytes()
        imported = body(upload(importer, flow_file(readings=1), "good.uff"))["attempt_id"]
        rejected = body(upload(importer, bad, "bad.uff"))["attempt_id"]

        listed = body(importer.get(f"{API}import-attempts/"))["results"]
        one = body(importer.get(f"{API}import-attempts/{rejected}/"))

        assert [a["id"] for a in listed] == [rejected, imported]
        assert listed[1]["outcome"] == "imported"
        assert listed[1]["flow_file"]["name"] == "good.uff"
        assert (one["source"].text, one["user"].text, one["outcome"].text) == (
            "api",
            "importer",
            "rejected",
        )
        assert "check digit" in one["issues"][0]["reason"]

    def test_filters_by_outcome_source_and_file_name_or_sha256(self, importer: Client) -> None:
        bad = (FLOWS.parent / "broken" / "bad_mpan_check_digit.uff").read_bytes()
        good = body(upload(importer, flow_file(readings=1), "good.uff"))
        rejected = body(upload(importer, bad, "bad.uff"))["attempt_id"]
        url = f"{API}import-attempts/"

        by_outcome = body(importer.get(url, {"outcome": "rejected"}))["results"]
        by_source = body(importer.get(url, {"source": "command"}))["results"]
        by_name = body(importer.get(url, {"q": "GOOD"}))["results"]
        by_hash = body(importer.get(url, {"q": good["sha256"].text}))["results"]
        wrong = importer.get(url, {"outcome": "lost"})

        assert [a["id"] for a in by_outcome] == [rejected]
        assert by_source == []
        assert [a["id"] for a in by_name] == [a["id"] for a in by_hash] == [good["attempt_id"]]
        assert wrong.status_code == 400
        assert "outcome" in body(wrong)

    def test_needs_the_view_permission_and_answers_404_for_none(self) -> None:
        reader = token_client("reader", *READ)
        auditor = token_client("auditor", "readings.view_importattempt")

        refused = reader.get(f"{API}import-attempts/")
        missing = auditor.get(f"{API}import-attempts/999999/")

        assert refused.status_code == 403
        assert missing.status_code == 404
        assert body(missing)["detail"]
