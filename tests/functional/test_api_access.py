"""Who may use the API and how much: tokens, the permission matrix, throttling, the schema, the
docs page and JSON for every refusal."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token, TokenProxy

from tests.factories import flow_file
from tests.functional.admin_helpers import PASSWORD, staff_user
from tests.functional.api_helpers import API, IMPORT, READ, body, token_client

pytestmark = pytest.mark.django_db

READS = (
    "flow-files/",
    "import-attempts/",
    "meter-points/1200023305967/",
    "meter-points/1200023305967/readings/",
    "meters/F75A00802/readings/",
)


class TestTheTokenCommand:
    def test_prints_the_same_token_each_time_as_its_last_line(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        staff_user("alice")

        call_command("api_token", "alice")
        first = capsys.readouterr().out.splitlines()[-1]
        call_command("api_token", "alice")
        again = capsys.readouterr().out.splitlines()[-1]

        assert first == again == Token.objects.get(user__username="alice").key
        assert re.fullmatch(r"[0-9a-f]{40}", first)

    def test_rotates_the_token_so_the_old_one_stops_working(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        staff_user("alice", *READ)
        call_command("api_token", "alice")
        old = capsys.readouterr().out.splitlines()[-1]

        call_command("api_token", "alice", "--rotate")
        new = capsys.readouterr().out.splitlines()[-1]

        assert new != old
        assert (
            Client().get(f"{API}flow-files/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
        )
        assert (
            Client().get(f"{API}flow-files/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200
        )

    def test_tokens_are_never_shown_in_the_admin(self, admin_client: Client) -> None:
        staff_user("alice")
        call_command("api_token", "alice")

        response = admin_client.get("/admin/authtoken/tokenproxy/")

        assert response.status_code == 404
        assert not admin.site.is_registered(TokenProxy)

    def test_refuses_a_user_that_does_not_exist(self) -> None:
        with pytest.raises(CommandError, match="There is no user 'nobody': no token was made"):
            call_command("api_token", "nobody")

        assert Token.objects.count() == 0


class TestThePermissionMatrix:
    @pytest.mark.parametrize("path", READS)
    def test_anonymous_is_asked_for_credentials(self, client: Client, path: str) -> None:
        response = client.get(f"{API}{path}")

        assert response.status_code == 401
        assert body(response)["detail"]

    @pytest.mark.parametrize("path", READS)
    def test_a_user_without_permissions_is_refused(self, path: str) -> None:
        response = token_client("nobody").get(f"{API}{path}")

        assert response.status_code == 403
        assert body(response)["detail"].text.startswith("You do not have permission")

    @pytest.mark.parametrize("path", READS)
    def test_a_viewer_may_read_but_not_upload(self, path: str) -> None:
        viewer = token_client("viewer", *READ, "readings.view_importattempt")

        read = viewer.get(f"{API}{path}")
        upload = viewer.post(f"{API}flow-files/", {"file": flow_file(readings=1)})

        assert read.status_code in {200, 404}  # 404: no such meter point or meter yet
        assert upload.status_code == 403

    @pytest.mark.parametrize("path", [p for p in READS if p != "flow-files/"])
    def test_a_method_an_endpoint_does_not_offer_is_405_whatever_the_permissions(
        self, path: str
    ) -> None:
        importer = token_client("importer", *IMPORT)

        posted = importer.post(f"{API}{path}", {"file": flow_file(readings=1)})
        deleted = importer.delete(f"{API}{path}")

        assert posted.status_code == deleted.status_code == 405
        assert body(posted)["detail"] == 'Method "POST" not allowed.'

    def test_a_method_not_offered_still_needs_credentials(self, client: Client) -> None:
        assert client.delete(f"{API}flow-files/").status_code == 401

    def test_an_importer_may_upload(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = token_client("importer", *IMPORT).post(
            f"{API}flow-files/", {"file": SimpleUploadedFile("a.uff", flow_file(readings=1))}
        )

        assert response.status_code == 201

    def test_an_inactive_users_token_is_refused(self) -> None:
        user = staff_user("gone", *READ)
        token = Token.objects.create(user=user)
        user.is_active = False
        user.save()

        response = Client().get(f"{API}flow-files/", HTTP_AUTHORIZATION=f"Token {token.key}")

        assert response.status_code == 401

    def test_the_admins_session_works_too(self, client: Client) -> None:
        staff_user("staff", *READ)
        client.login(username="staff", password=PASSWORD)

        assert client.get(f"{API}flow-files/").status_code == 200


class TestThrottling:
    @override_settings(API_READS_PER_MINUTE=3, API_UPLOADS_PER_MINUTE=1)
    def test_answers_429_in_json_with_when_to_try_again(self) -> None:
        reader = token_client("busy", *IMPORT)
        other = token_client("other", *READ)

        statuses = [reader.get(f"{API}flow-files/").status_code for _ in range(4)]
        refused = reader.get(f"{API}flow-files/")
        upload = reader.post(f"{API}flow-files/", {})  # uploads are counted apart

        assert statuses == [200, 200, 200, 429]
        assert refused.status_code == 429
        assert "throttled" in body(refused)["detail"]
        assert int(refused["Retry-After"]) > 0
        assert upload.status_code == 400
        assert other.get(f"{API}flow-files/").status_code == 200


class TestJsonRefusals:
    def test_a_path_that_names_nothing_is_404_in_json(self) -> None:
        reader = token_client("reader", *READ)

        response = reader.get(f"{API}nothing-here/")

        assert response.status_code == 404
        assert body(response)["detail"].text.startswith("Not found")

    def test_a_body_over_the_limit_elsewhere_in_the_api_is_413_in_json(self) -> None:
        response = Client().generic(
            "POST", f"{API}meters/X/readings/", b"", CONTENT_LENGTH=str(2 * 1024 * 1024)
        )

        assert response.status_code == 413
        assert body(response)["limit_bytes"] == 1024 * 1024


class TestTheSchema:
    def test_is_served_and_names_every_endpoint(self, client: Client) -> None:
        response = client.get("/api/schema/", {"format": "json"})

        assert response.status_code == 200
        paths = set(response.json()["paths"])
        assert {
            "/api/v1/flow-files/",
            "/api/v1/flow-files/{id}/",
            "/api/v1/import-attempts/",
            "/api/v1/import-attempts/{id}/",
            "/api/v1/meter-points/{mpan}/",
            "/api/v1/meter-points/{mpan}/readings/",
            "/api/v1/meters/{serial}/readings/",
        } <= paths

    def test_validates_without_a_warning(self) -> None:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")

    def test_the_docs_page_loads_only_this_sites_files_and_no_inline_script(
        self, client: Client
    ) -> None:
        page = client.get("/api/docs/")
        script_url = re.findall(r'<script src="([^"]+)"', page.content.decode())[-1]
        script = client.get(script_url.replace("&amp;", "&"))

        html = page.content.decode()
        assert page.status_code == 200
        assert "<style" not in html
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
        assert all(u.startswith("/") for u in re.findall(r'(?:src|href)="([^"]+)"', html))
        assert "script-src 'self'" in page["Content-Security-Policy"]
        assert script.status_code == 200
        assert script["Content-Type"].startswith("application/javascript")
        assert "SwaggerUIBundle" in script.content.decode()
