"""The page shown when a permission is missing: in the admin's style, naming the permission the
page needs and the groups that give it, with a way home."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from core.views import permission_denied
from readings.models import FlowFile, MeterPoint
from tests.functional.admin_helpers import PASSWORD, import_files, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roles")]

INDEX = reverse("admin:index")
READINGS = reverse("admin:readings_reading_changelist")
EXPORT = reverse("admin:readings_reading_export")
UPLOAD = reverse("admin:readings_flowfile_upload")


@pytest.fixture
def sample(official_sample: Path) -> FlowFile:
    return import_files(official_sample)[0]


def logged_in(client: Client, *permissions: str) -> Client:
    staff_user("someone", *permissions)
    client.login(username="someone", password=PASSWORD)
    return client


def needed(content: bytes) -> list[str]:
    """The permissions a page says are missing, as "app_label.codename"."""
    return re.findall(r'<code class="permission">([\w.]+)</code>', content.decode())


def text(content: bytes) -> str:
    """A page's words, without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


class TestThePage:
    def test_it_is_in_the_admin_style_and_links_home(self, client: Client) -> None:
        logged_in(client)

        response = client.get(READINGS)
        page = response.content.decode()

        assert response.status_code == 403
        assert "admin/css/base.css" in page
        assert re.search(rf'<a href="{INDEX}"[^>]*>[^<]*home', page, flags=re.IGNORECASE)
        assert "<title>Permission needed | D0010 meter readings</title>" in page
        assert "someone" in text(response.content)  # the user tools: who is logged in, log out

    def test_it_names_the_permission_a_list_needs_and_the_groups_that_give_it(
        self, client: Client
    ) -> None:
        logged_in(client)

        response = client.get(READINGS)

        assert needed(response.content) == ["readings.view_reading"]
        assert "Can view reading" in text(response.content)
        assert "groups Administrator, Operations, Support agent" in text(response.content)

    def test_it_names_the_permission_of_an_object_s_page(
        self, client: Client, sample: FlowFile
    ) -> None:
        logged_in(client)
        point = MeterPoint.objects.get(mpan="1200023305967")

        response = client.get(reverse("admin:readings_meterpoint_change", args=[point.pk]))

        assert response.status_code == 403
        assert needed(response.content) == ["readings.view_meterpoint"]

    @pytest.mark.parametrize(
        ("permissions", "missing"),
        [
            ((), ["readings.view_reading", "readings.export_reading"]),
            (("readings.view_reading",), ["readings.export_reading"]),
            (("readings.export_reading",), ["readings.view_reading"]),
        ],
    )
    def test_the_export_names_only_what_is_missing(
        self, client: Client, permissions: tuple[str, ...], missing: list[str]
    ) -> None:
        logged_in(client, *permissions)

        response = client.get(EXPORT)

        assert response.status_code == 403
        assert needed(response.content) == missing

    def test_the_upload_names_its_permission_and_the_groups_that_give_it(
        self, client: Client
    ) -> None:
        logged_in(client, "readings.view_flowfile")

        response = client.get(UPLOAD)

        assert response.status_code == 403
        assert needed(response.content) == ["readings.import_flowfile"]
        assert "Can import D0010 files through the web" in text(response.content)
        assert "groups Administrator, Operations" in text(response.content)

    def test_a_permission_no_group_gives_says_to_ask_for_it(self, client: Client) -> None:
        Group.objects.all().delete()
        logged_in(client)

        response = client.get(READINGS)

        assert needed(response.content) == ["readings.view_reading"]
        assert "No group gives it" in text(response.content)

    def test_the_user_pages_name_their_permission(self, client: Client) -> None:
        logged_in(client)

        response = client.get(reverse("admin:auth_user_changelist"))

        assert needed(response.content) == ["auth.view_user"]
        assert "group Administrator" in text(response.content)

    def test_a_page_for_superusers_only_names_no_permission(
        self, client: Client, sample: FlowFile
    ) -> None:
        logged_in(client, "readings.view_flowfile", "readings.delete_flowfile")

        response = client.get(reverse("admin:readings_flowfile_delete", args=[sample.pk]))

        assert response.status_code == 403
        assert needed(response.content) == []
        assert "You may not open this page" in text(response.content)
        assert "admin/css/base.css" in response.content.decode()

    def test_the_reason_given_with_the_refusal_is_shown(self, rf: RequestFactory) -> None:
        request = rf.get(INDEX)
        request.user = staff_user("someone", password=None)

        response = permission_denied(request, PermissionDenied("Only superusers delete files."))

        assert response.status_code == 403
        assert b"Only superusers delete files." in response.content
